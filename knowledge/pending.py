"""Background jobs for saved objects, done by the task worker in batches.

A job (the search index, the vectors of search by meaning) registers what it does with a set of
objects of one model. A save notes its object with ``note(job, obj)``: a ``PendingUpdate`` row in
the saving transaction, and a ``run_pending`` task queued when it commits (unless one is already
waiting). The task takes every pending object of every job at once: a Whoosh commit costs about 35 ms of CPU however few
documents it adds, and the model embeds several texts for little more than one. The rows are
deleted in the transaction that did the work, so a failure leaves them for the next run; two
workers take different rows (``skip_locked``).

With no worker (the immediate backend, the one-machine default) nothing is noted: each job's
caller does its work at once, as before.
"""

from collections import defaultdict
from collections.abc import Callable

from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django_tasks.backends.immediate import ImmediateBackend

from .oncommit import enqueue_once_on_commit, first_in_transaction

BATCH = 200  # pending objects taken at once
_jobs: dict[str, Callable[[type[Model], set[str]], None]] = {}


def register(job: str, handler: Callable[[type[Model], set[str]], None]) -> None:
    """``handler(model, pks)`` does ``job`` for those objects (some may be gone since)."""
    _jobs[job] = handler


def batched() -> bool:
    """True when a task worker runs the jobs, so saves are noted and batched."""
    from .tasks import run_pending

    return not isinstance(run_pending.get_backend(), ImmediateBackend)


def note(job: str, obj: Model) -> None:
    """``job`` must take ``obj`` in: noted now, in the saving transaction (once however often it
    saves the object: sharing a tip saves it three times), and done by the worker."""
    from .models import PendingUpdate
    from .tasks import run_pending

    key = (job, obj._meta.app_label, obj._meta.model_name, str(obj.pk))
    if first_in_transaction(key):
        PendingUpdate.objects.create(job=job, app_label=key[1], model_name=key[2], object_id=key[3])
        # Unless a run already waits (it reads these rows, committed before the check): under a
        # stream of writes the worker runs once per batch, not once per save.
        enqueue_once_on_commit(run_pending)


def run_all() -> dict[str, int]:
    """Every job for every object noted for it; how many rows each handled."""
    return {job: run(job) for job in _jobs}


def run(job: str, batch: int = BATCH) -> int:
    """Does ``job`` for every object noted for it, ``batch`` at a time; how many rows it handled."""
    from .models import PendingUpdate

    handler = _jobs[job]
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                PendingUpdate.objects.select_for_update(skip_locked=True).filter(job=job).order_by("pk")[:batch]
            )
            if not rows:
                return handled
            keys: dict[tuple[str, str], set[str]] = defaultdict(set)
            for row in rows:
                keys[(row.app_label, row.model_name)].add(row.object_id)
            for (app_label, model_name), pks in keys.items():
                handler(apps.get_model(app_label, model_name), pks)
            PendingUpdate.objects.filter(pk__in=[row.pk for row in rows]).delete()
            handled += len(rows)
