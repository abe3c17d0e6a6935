"""Background jobs queued once per transaction, when it commits.

Sharing a tip saves it three times (added, its revision, published), and each save asked for the
same jobs: the worker then indexed and embedded the same tip three times over. Here a job with
the same task and arguments is queued once, after the commit (a worker must not read rows the
transaction has not committed). With no worker configured (the immediate backend, the
one-machine default), or outside a transaction, it runs or is queued at once, as before.
"""

from django.db import connection, transaction
from django_tasks.backends.immediate import ImmediateBackend


class _Once:
    """A do-nothing ``on_commit`` callback that marks ``key`` as seen in this transaction."""

    def __init__(self, key: tuple):
        self.key = key

    def __call__(self):
        pass


def first_in_transaction(key: tuple) -> bool:
    """True the first time ``key`` is asked about in the current transaction (always outside one)."""
    if not connection.in_atomic_block:
        return True
    if any(getattr(callback, "key", None) == key for _, callback, _ in connection.run_on_commit):
        return False
    transaction.on_commit(_Once(key))
    return True


def enqueue_once_on_commit(task, *args) -> None:
    """Queues ``task(*args)`` when the transaction commits, once however often it is asked for."""
    if isinstance(task.get_backend(), ImmediateBackend) or not connection.in_atomic_block:
        task.enqueue(*args)
        return
    if first_in_transaction((task.module_path, args)):
        transaction.on_commit(lambda: task.enqueue(*args))
