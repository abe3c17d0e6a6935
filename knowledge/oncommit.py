"""Background jobs queued once per transaction, when it commits.

Sharing a tip saves it three times (added, its revision, published), and each save asked for the
same jobs: the worker then indexed and embedded the same tip three times over. Here a job with
the same task and arguments is queued once, after the commit (a worker must not read rows the
transaction has not committed), and not at all while the same job still waits in the queue.
With no worker configured (the immediate backend, the
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
    if isinstance(task.get_backend(), ImmediateBackend):
        task.enqueue(*args)  # runs now
        return
    if first_in_transaction((task.module_path, args)):  # outside a transaction, on_commit runs at once
        transaction.on_commit(lambda: enqueue_unless_waiting(task, *args))


def enqueue_unless_waiting(task, *args) -> None:
    """Queues ``task(*args)`` unless the same job already waits in the database queue: it has not
    started, so it reads what was committed before this check. A rep's roll-up for the day is
    then re-counted once for a burst of their writes, not once per write. Only for tasks nobody
    queues with ``run_after``: a waiting copy due later would hold this one back until then."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(task.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            status="READY", task_path=task.module_path, args_kwargs__args=list(args), args_kwargs__kwargs={}
        )
        if waiting.exists():
            return
    task.enqueue(*args)
