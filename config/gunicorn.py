"""gunicorn settings for Huddle (`gunicorn config.wsgi -c config/gunicorn.py`)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: nginx buffers uploads and slow clients, so each worker only ever talks to loopback.
# Set in the environment too, so Django's start-up check sees how many processes share the cache.
workers = int(os.environ.setdefault("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# Above the database statement timeout (DB_STATEMENT_TIMEOUT), so a slow query fails with the
# 503 page before gunicorn kills the worker mid-response.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak in a library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a disk that might be slow or full.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx on the same host sets X-Forwarded-For/-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "huddle-web"
# The app, the search-by-meaning model and its vectors are loaded once in the master, before
# the fork, and shared by every worker (see when_ready). GUNICORN_PRELOAD=false loads them
# in each worker instead; code changes then need only a HUP, not a restart.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in {"0", "false", "no"}


def when_ready(server):
    """Runs in the master after the app is loaded and before the first worker is forked."""
    if preload_app:
        import gc

        from config.warmup import before_fork

        before_fork()
        # Out of the collector's way, so that no full pass in a worker writes to (and so copies) these pages.
        gc.collect()
        gc.freeze()


def post_worker_init(worker):
    """Loads what the first requests would wait for (see config/warmup.py), then takes all of it
    and what start-up loaded (Django, Wagtail) out of the garbage collector's full passes: a
    worker that kept scanning those objects paused about 120 ms now and then, in the middle of
    whatever request it was serving."""
    import gc

    from config.warmup import warm_up

    warm_up()
    gc.collect()
    gc.freeze()


def worker_exit(server, worker):
    """A stopping worker writes what it buffered (views, search logs), then leaves at once.

    Left to Python's normal exit, a worker hung until gunicorn killed it graceful_timeout (30 s)
    later, and what it had buffered was lost: the model's runtime, loaded in the master before the
    fork, has native threads that a forked worker does not have, and its destructors wait for them.
    """
    import sys

    if not worker.booted:
        return  # a worker that failed to start exits with gunicorn's own codes (they stop the master)
    from knowledge.writebuffer import flush_process_lists

    flush_process_lists()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
