"""Times the knowledge pages against a minimal Wagtail page served in the same run.

Needs a seeded database (the benchmark data set, with its vectors: seed_demo embeds everything
while search by meaning is on, as it is by default):

    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --size large
    .venv/bin/python bench/pages.py [--repeat 30] [--caches memory,redis]

Uses the database of DATABASE_URL (the project's huddle.sqlite3 by default) through Django's
test client, signed in as a rep, inside a transaction that is rolled back at the end. Each page
set is timed twice: with the in-process cache (one machine, one worker) and with Redis as in
production (a database number of its own on the server at REDIS_URL or 127.0.0.1:6379,
emptied before and after). With search by meaning on, every tip needs its vector (the tip page
shows related tips found from them): the bench refuses to run on a database without, since
related tips would then cost nothing. The tip and tag pages take 30 different tips and tags in
turn (--variety). Prints each page's median and p95 time, its SQL query count, and the ratio
of its median to the baseline's: the target is at most 3x. Then the same with the cache emptied
before every request (cold): the time the first reader after a change waits.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

BASELINE_TEMPLATE = """{% extends "base.html" %}
{% block content %}<header class="page-header"><h1>{{ page.title }}</h1></header>
{% endblock content %}
"""
TARGET_RATIO = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (after two warm-ups of each)")
    parser.add_argument("--variety", type=int, default=30, help="different tips and tags, viewed in turn")
    parser.add_argument("--caches", default="memory,redis", help="which caches to time with, in turn")
    parser.add_argument("--redis-db", type=int, default=12, help="the Redis database number this bench empties")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import override_settings

    from knowledge.models import Micropost, TipPage
    from knowledge.semantic import encoder
    from knowledge.semantic.models import Embedding

    tips = TipPage.objects.listed().count()
    if tips < 1000:
        sys.stderr.write(
            f"Only {tips:,} tips in {settings.DATABASES['default']['NAME']}: "
            "run `manage.py seed_demo --size large` first.\n"
        )
        return 2
    vectors = Embedding.objects.count() if encoder.is_enabled() else 0
    if encoder.is_enabled() and vectors < tips:
        sys.stderr.write(
            f"Search by meaning is on but only {vectors:,} vectors exist for {tips:,} tips: related tips "
            "would cost nothing. Run `manage.py update_index` first (or set SEMANTIC_SEARCH=false).\n"
        )
        return 2
    server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379")
    redis_url = f"{server.scheme}://{server.netloc}/{args.redis_db}"  # this bench's own database number
    default = settings.CACHES["default"]
    in_process = "django.core.cache.backends.locmem.LocMemCache"
    cache_settings = {
        "memory": default if default["BACKEND"] == in_process else {**default, "BACKEND": in_process},
        "redis": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "TIMEOUT": default.get("TIMEOUT", 300),
        },
    }
    out = sys.stdout
    out.write(
        f"{tips:,} live tips, {Micropost.objects.count():,} microposts, "
        f"search by meaning {'on, ' + format(vectors, ',') + ' vectors' if encoder.is_enabled() else 'off'}, "
        f"{connection.vendor}, {args.repeat} requests per page\n"
    )
    worst = 0.0
    for name in args.caches.split(","):
        with override_settings(CACHES={"default": cache_settings[name]}):
            if name == "redis":
                import redis

                redis.Redis.from_url(redis_url).ping()  # a clear error here when Redis is not running
            worst = max(worst, time_pages(args, name, out))
            cache.clear()
    verdict = "OK" if worst <= TARGET_RATIO else "OVER"
    out.write(f"worst warm ratio {worst:.2f}x (target <= {TARGET_RATIO:.0f}x): {verdict}\n")
    return 0


def time_pages(args, cache_name: str, out) -> float:
    """Both tables (warm, cold) with the cache now configured; returns the worst warm ratio."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from taggit.models import Tag
    from wagtail.models import Page

    from knowledge.models import HomePage, TipPage, TipPageTag
    from knowledge.semantic.related import forget_kept

    def empty_caches():
        """The shared cache and what this process keeps of its own (each tip's nearest neighbours)."""
        cache.clear()
        forget_kept()

    empty_caches()

    # The baseline: a plain Wagtail page whose template only extends base.html.
    template_dir = Path(tempfile.mkdtemp(prefix="huddle-bench-"))
    (template_dir / "wagtailcore").mkdir()
    (template_dir / "wagtailcore" / "page.html").write_text(BASELINE_TEMPLATE)
    templates = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]

    with override_settings(TEMPLATES=templates, DEBUG=False), transaction.atomic():
        home = HomePage.objects.get()
        baseline = home.add_child(instance=Page(title="Baseline", slug="bench-baseline"))
        user = get_user_model().objects.get(username="rep")
        client = Client()
        client.force_login(user)
        # Many different tips and tags, taken in turn: one tip viewed over and over flatters the
        # caches and the database's own page cache.
        tips_viewed = list(TipPage.objects.listed().order_by("-helpful_count", "pk")[: args.variety])
        tags = list(Tag.objects.filter(pk__in=TipPageTag.objects.values("tag_id")).order_by("pk")[: args.variety])
        pages = {
            "baseline (minimal Wagtail page)": [baseline.url],
            "home feed": ["/"],
            f"tip page ({len(tips_viewed)} tips in turn)": [tip.url for tip in tips_viewed],
            f"tag page ({len(tags)} tags in turn)": [f"/tags/{tag.slug}/" for tag in tags],
            "tips index (most helpful)": ["/tips/?sort=helpful"],
        }
        timings: dict[str, list[float]] = {name: [] for name in pages}
        cold: dict[str, list[float]] = {name: [] for name in pages}
        queries: dict[str, int] = {}
        cold_queries: dict[str, int] = {}
        for name, urls in pages.items():
            for _ in range(2):
                response = client.get(urls[0])
                assert response.status_code == 200, (urls[0], response.status_code)
            with CaptureQueriesContext(connection) as captured:
                client.get(urls[0])
            queries[name] = len(captured)
            empty_caches()
            with CaptureQueriesContext(connection) as captured:
                client.get(urls[0])
            cold_queries[name] = len(captured)
        # Warmed after the counts above (they empty the cache): every page of every side alike.
        for urls in pages.values():
            for url in urls * 2:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
        for round_number in range(args.repeat):
            for name, urls in pages.items():  # interleaved, so drift hits every page alike
                url = urls[round_number % len(urls)]
                started = time.perf_counter()
                client.get(url)
                timings[name].append(time.perf_counter() - started)
        for round_number in range(max(5, args.repeat // 2)):
            for name, urls in pages.items():
                url = urls[round_number % len(urls)]
                empty_caches()
                started = time.perf_counter()
                client.get(url)
                cold[name].append(time.perf_counter() - started)
        transaction.set_rollback(True)

    worst = report(out, f"{cache_name} cache, warm (what nearly every request finds)", timings, queries)
    report(out, f"{cache_name} cache, cold (emptied before each request, the baseline's too)", cold, cold_queries)
    return worst


def report(out, title: str, timings: dict[str, list[float]], queries: dict[str, int]) -> float:
    """Prints one table; returns the worst page's ratio to the baseline."""
    base = statistics.median(timings["baseline (minimal Wagtail page)"])
    out.write(f"{title}\n{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'ratio':>6}\n")
    worst = 0.0
    for name, values in timings.items():
        values.sort()
        median = statistics.median(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        ratio = median / base
        if not name.startswith("baseline"):
            worst = max(worst, ratio)
        out.write(f"{name:34} {median * 1000:10.1f} {p95 * 1000:8.1f} {queries[name]:8d} {ratio:5.2f}x\n")
    return worst


if __name__ == "__main__":
    sys.exit(main())
