"""Background work for knowledge: writing what page views and searches left in the buffers."""

from django_tasks import task


@task()
def flush_write_buffers() -> dict[str, int]:
    """Writes every write buffer (``knowledge.writebuffer``); returns how many rows counted."""
    from .writebuffer import flush_all

    return flush_all()


@task()
def index_pending_updates() -> int:
    """Indexes the objects saved since the last run, in one index commit (``knowledge.index_updates``)."""
    from .index_updates import index_pending

    return index_pending()
