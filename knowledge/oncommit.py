"""Background jobs queued once per transaction, when it commits.

Sharing a tip saves it three times (added, its revision, published), and each save asked for the
same jobs: the worker then indexed and embedded the same tip three times over. Here a job with
the same task and arguments is queued once, after the commit (a worker must not read rows the
transaction has not committed). With no worker configured (the immediate backend, the
one-machine default), or outside a transaction, it runs or is queued at once, as before.
"""

from django.db import connection, transaction
from django_tasks.backends.immediate import ImmediateBackend


class _EnqueueOnCommit:
    """An ``on_commit`` callback that says which job it queues, to find it again."""

    def __init__(self, task, args: tuple):
        self.task, self.args = task, args
        self.key = (task.module_path, args)

    def __call__(self):
        self.task.enqueue(*self.args)


def enqueue_once_on_commit(task, *args) -> None:
    """Queues ``task(*args)`` when the transaction commits, once however often it is asked for."""
    if isinstance(task.get_backend(), ImmediateBackend) or not connection.in_atomic_block:
        task.enqueue(*args)
        return
    key = (task.module_path, args)
    if not any(getattr(callback, "key", None) == key for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_EnqueueOnCommit(task, args))
