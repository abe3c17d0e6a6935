"""Settings for bench/load.py only: the production stack plus a bare view to compare with.

Not config.settings.production: that one insists on https cookies, which a loopback http
benchmark cannot send. Everything else (DATABASE_URL, REDIS_URL, TASKS_BACKEND) comes from
the environment exactly as in production.
"""

from config.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
# Fifty simulated reps post far faster than people do; the limit would turn writes into errors.
POST_RATE_LIMIT = "1000000/60"
# bench/load.py: where each request's time goes in the worker (bench/timing.py).
MIDDLEWARE = ["bench.timing.TimingMiddleware", *MIDDLEWARE]  # noqa: F405
