"""Background work for knowledge: writing what page views and searches left in the buffers."""

from django_tasks import task


@task()
def flush_write_buffers() -> dict[str, int]:
    """Writes every write buffer (``knowledge.writebuffer``); returns how many rows counted."""
    from .writebuffer import flush_all

    return flush_all()


@task()
def run_pending() -> dict[str, int]:
    """Every job for every object saved since the last run, each at once (``knowledge.pending``)."""
    from . import pending

    return pending.run_all()
