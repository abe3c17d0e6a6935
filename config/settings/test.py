"""Test settings: only what makes tests fast and isolated (temp folders, MD5 hasher)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

_TMP = Path(tempfile.mkdtemp(prefix="huddle-test-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = _TMP / "media"
SEARCH_INDEX_PATH = _TMP / "whoosh_index"
if SEARCH_BACKEND == "whoosh":  # noqa: F405
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "knowledge.search.whoosh", "PATH": str(SEARCH_INDEX_PATH)}}
    MODELSEARCH_BACKENDS = WAGTAILSEARCH_BACKENDS
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": IN_PROCESS_CACHE}  # noqa: F405 - in-process even when REDIS_URL is set
STORAGES = {
    "default": {"BACKEND": "config.storage.MediaStorage"},  # removes half-written files
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A kind of shared content that exists only in the tests (tests/test_battlecards.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.battlecards"]  # noqa: F405
