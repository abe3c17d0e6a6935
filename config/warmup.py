"""What a new web worker loads before it takes its first request.

Without it the first search in each worker loaded the search-by-meaning model and vectors and
opened the search index, and the first view of each page compiled its templates: about a second
during which that worker's requests, and those queued behind it, waited. Every deploy, restart
and worker recycle (gunicorn's max_requests) paid it again.
"""

import logging
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Loads the model, vectors, search index reader and templates; a failure only logs."""
    started = time.monotonic()
    for step in (_semantic, _search_index, _templates):
        try:
            step()
        except Exception:  # a worker must start even if, say, the database is down
            logger.warning("Warm-up step %s failed; the first request will do it", step.__name__, exc_info=True)
    logger.info("Worker warmed up in %.1f s", time.monotonic() - started)


def before_fork() -> None:
    """In gunicorn's master, before it forks the workers: load the model and vectors once for all.

    Each worker then reads the master's copy (copy-on-write pages that nobody writes to)
    instead of loading its own, about 190 MB less per worker (bench/model_memory.py). The
    connections opened to load the vectors are closed: a socket shared by forked processes
    would mix their queries.
    """
    from django.core.cache import caches
    from django.db import connections

    try:
        _semantic()
    except Exception:  # the workers load it themselves, as without preloading
        logger.warning("Loading the model before the fork failed; each worker loads its own", exc_info=True)
    finally:
        connections.close_all()
        caches.close_all()


def _semantic() -> None:
    from knowledge.semantic import encoder
    from knowledge.semantic.store import warm_up as load_vectors

    if encoder.is_enabled():
        load_vectors()
        encoder.get_encoder().embed(["warm up"])  # the first run of the ONNX session is the slow one


def _search_index() -> None:
    from modelsearch.backends import get_search_backend

    store = getattr(get_search_backend(), "store", None)
    if store is not None:  # the Whoosh backend
        store.searcher()


def _templates() -> None:
    from django.template.loader import get_template

    for folder in settings.TEMPLATES[0]["DIRS"]:
        root = Path(folder)
        for path in sorted(root.rglob("*.html")):
            get_template(str(path.relative_to(root)))
