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
