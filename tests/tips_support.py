"""What the tip tests share: a cache emptied before each test, so rate limits start fresh."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()
