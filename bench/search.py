"""Times what a person waits for on /search/: the page, the backend alone, both beside bare FTS5.

    python bench/search.py [--tips 20000] [--microposts 100000] [--per-class 12] [--warm 3]
    python bench/search.py --folder /tmp/huddle-bench-search     # builds there once, reuses after

Builds a throwaway SQLite site with the demo seeder's bulk inserts and the keyword index
(progress on stderr), and a bare SQLite FTS5 table of the same words. Then, per query class
(rare word, common word, two words, phrase, typo, words that appear nowhere), for each query:

* bare FTS5: the ten best rows by bm25 and the number of matches, as the page needs them;
* the backend: ``backend.search()`` per kind of content, count and the first ten;
* the page: the signed-in ``GET /search/`` through Django's test client (facets, snippets,
  the template, the search log), the garbage collector frozen as ``config/gunicorn.py`` does.
  Beside its wall-clock time, the CPU time the page took (``time.thread_time``): on a
  machine shared with other work it moves far less than the wall clock, which also counts
  the time the process waited for a core.

Cold is a query's first run with the process caches of its side emptied (Huddle's decoded
postings and typo corrections, a new SQLite connection for FTS5); warm is each of the next
``--warm`` runs. Both sides get the same treatment. Meaning search is off (no vectors are built).
"""

# ruff: noqa: T201 - a bench prints its figures
import argparse
import gc
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLASSES = ("rare word", "common word", "two words", "phrase", "typo", "nowhere")
PAGE_P95_TARGET_MS = 50.0
RESULT_COUNT = re.compile(r"([\d,]+) results? for")


def setup_django(folder: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'site.sqlite3'}")
    os.environ["SEMANTIC_SEARCH"] = "false"
    import django
    from django.conf import settings

    django.setup()
    backends = {"default": {"BACKEND": "knowledge.search.whoosh", "PATH": str(folder / "whoosh")}}
    settings.WAGTAILSEARCH_BACKENDS = settings.MODELSEARCH_BACKENDS = backends
    settings.ALLOWED_HOSTS = ["*"]


def progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-9)
    print(f"\r{label}: {done:,}/{total:,} ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def build_site(folder: Path, tips: int, microposts: int) -> None:
    """The demo seeder's bulk inserts, then the keyword index built in pk-ordered chunks."""
    from django.core.management import call_command

    from knowledge import demo

    call_command("migrate", verbosity=0)
    size = demo.Size("bench", reps=200, accounts=500, tips=tips, microposts=microposts, videos=0, deals=0,
                     activity_events=0)  # fmt: skip
    context = demo.SeedContext(size=size, seed=7, stdout=StringIO(), stderr=sys.stderr)
    started = time.perf_counter()
    for step in (demo._seed_users, demo._seed_accounts, demo._seed_tips, demo._seed_microposts):
        step(context)
    print(f"rows: {tips:,} tips + {microposts:,} microposts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    build_index()
    build_fts5(folder)
    (folder / "built").write_text("ok")


def searched_models() -> list:
    from knowledge.models import Micropost, TipPage

    return [TipPage, Micropost]


def build_index() -> None:
    from modelsearch.backends import get_search_backend

    backend = get_search_backend()
    rebuilder = backend.rebuilder_class(backend.index)
    index = rebuilder.start()
    started = time.perf_counter()
    for model in searched_models():
        queryset = model.get_indexed_objects().order_by("pk")
        total, done, last = queryset.count(), 0, 0
        while done < total:
            chunk = list(queryset.filter(pk__gt=last)[:1000])
            if not chunk:
                break
            index.add_items(model, chunk)
            done, last = done + len(chunk), chunk[-1].pk
            progress(f"indexing {model.__name__}", done, total, started)
    rebuilder.finish()
    print(f"keyword index built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def build_fts5(folder: Path) -> None:
    """The same words in a bare FTS5 table: tips' title, summary and body; microposts' text."""
    from knowledge.blocks import stream_text
    from knowledge.models import Micropost, TipPage

    con = sqlite3.connect(folder / "fts.sqlite3")
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(kind UNINDEXED, title, body, tokenize='porter unicode61')")
    rows = (
        ("tip", tip.title, f"{tip.summary} {stream_text(tip.body)}")
        for tip in TipPage.objects.only("title", "summary", "body").iterator(chunk_size=2000)
    )
    con.executemany("INSERT INTO fts VALUES (?, ?, ?)", rows)
    con.executemany(
        "INSERT INTO fts VALUES ('micropost', '', ?)",
        ((text,) for text in Micropost.objects.values_list("text", flat=True).iterator(chunk_size=5000)),
    )
    con.commit()
    con.close()


def pick_queries(per_class: int, seed: int = 11) -> dict[str, list[str]]:
    """Real words of the index for each class, picked by how many documents have them."""
    from modelsearch.backends import get_search_backend

    from knowledge.search.analysis import text_analyzer

    rng = random.Random(seed)
    reader = get_search_backend().store.searcher().reader()
    docs = reader.doc_count()
    stems = text_analyzer()
    frequencies = {}
    for word, info in reader.iter_field("words"):
        word = word.decode() if isinstance(word, bytes) else word
        if word.isalpha() and len(word) >= 4 and list(stems(word)):
            frequencies[word] = info.doc_frequency()
    by_frequency = sorted(frequencies, key=lambda word: -frequencies[word])
    common = [word for word in by_frequency if frequencies[word] >= docs * 0.05][:60]
    middle = [word for word in by_frequency if docs * 0.002 <= frequencies[word] < docs * 0.05]
    rare = by_frequency[-per_class * 20 :]  # the least used words people wrote

    def typo(word: str) -> str:
        for _ in range(50):
            i = rng.randrange(1, len(word) - 1)
            wrong = word[:i] + word[i + 1] + word[i] + word[i + 2 :] if rng.random() < 0.5 else word[:i] + word[i + 1 :]
            if wrong not in frequencies:
                return wrong
        return word + "q"

    texts = [t for t in (tip_text for tip_text in sample_texts(200, rng)) if t]
    phrases = []
    for text in texts:
        words = [w.lower() for w in text.split() if w.isalpha()]
        pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if a in frequencies and b in frequencies]
        if pairs:
            phrases.append(" ".join(rng.choice(pairs)))
    pairs = []  # two words written in the same item, one of them common
    for text in texts:
        words = {w.lower() for w in text.split() if w.isalpha()}
        known = sorted(w for w in words if w in frequencies and w not in common)  # not set order: hash-seeded
        if known:
            pairs.append(f"{rng.choice(common)} {rng.choice(known)}")
    letters = "bcdfghjklmnpqrstvwxz"
    return {
        "rare word": rng.sample(rare, min(per_class, len(rare))),
        "common word": rng.sample(common, min(per_class, len(common))),
        "two words": pairs[:per_class],
        "phrase": phrases[:per_class],
        "typo": [typo(word) for word in rng.sample([w for w in common + middle if len(w) >= 6], per_class)],
        "nowhere": [
            " ".join("".join(rng.choice(letters) for _ in range(7)) for _ in range(rng.randint(1, 2)))
            for _ in range(per_class)
        ],
    }


def sample_texts(count: int, rng: random.Random) -> list[str]:
    from knowledge.models import Micropost, TipPage

    # Picked by the seeded generator, not ORDER BY RANDOM(): every run (and branch) gets the same queries.
    tip_pks = rng.sample(sorted(TipPage.objects.values_list("pk", flat=True)), count // 2)
    post_pks = rng.sample(sorted(Micropost.objects.values_list("pk", flat=True)), count // 2)
    tips = list(TipPage.objects.filter(pk__in=tip_pks).order_by("pk").values_list("summary", flat=True))
    posts = list(Micropost.objects.filter(pk__in=post_pks).order_by("pk").values_list("text", flat=True))
    texts = tips + posts
    rng.shuffle(texts)
    return texts


class Fts5:
    """Bare FTS5: the ten best by bm25 and the count of matches."""

    def __init__(self, path: Path):
        self.path = path
        self.con = None

    def reset(self):
        if self.con is not None:
            self.con.close()
        self.con = sqlite3.connect(self.path)

    def run(self, query: str, phrase: bool) -> int:
        words = [w for w in query.replace('"', " ").split() if w]
        match = f'"{" ".join(words)}"' if phrase else " AND ".join(f'"{w}"' for w in words)
        rows = self.con.execute("SELECT rowid, title, body FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10", [match])
        list(rows)
        return self.con.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", [match]).fetchone()[0]


class Backend:
    """Huddle's backend alone: per kind of content, the count and the first ten by relevance."""

    def __init__(self):
        from modelsearch.backends import get_search_backend

        self.backend = get_search_backend()
        self.querysets = [kind.queryset for kind in kinds()]

    def reset(self):
        forget_search_caches(self.backend)

    def run(self, query: str, phrase: bool) -> int:
        from modelsearch.query import Phrase

        total = 0
        for queryset in self.querysets:
            results = self.backend.search(Phrase(query) if phrase else query, queryset().order_by())
            total += results.count()
            list(results[:10])
        return total


class Page:
    """The signed-in search page, rendered, through the test client."""

    def __init__(self):
        from django.contrib.auth import get_user_model
        from django.test import Client
        from modelsearch.backends import get_search_backend

        self.backend = get_search_backend()
        self.client = Client()
        self.client.force_login(get_user_model().objects.filter(is_active=True).order_by("pk").first())

    def reset(self):
        forget_search_caches(self.backend)

    def run(self, query: str, phrase: bool) -> int:
        response = self.client.get("/search/", {"q": f'"{query}"' if phrase else query})
        assert response.status_code == 200, response.status_code
        found = RESULT_COUNT.search(response.content.decode())
        return int(found.group(1).replace(",", "")) if found else 0


def kinds():
    from knowledge.sitesearch.searching import KINDS

    return [kind for kind in KINDS.values() if kind.key in ("tip", "micropost")]


def forget_search_caches(backend) -> None:
    """A query's first sight: the decoded postings, typo corrections and "did you mean" are gone."""
    from knowledge.search import engine

    for cache in (engine._postings, engine._positions):
        with cache.lock:
            cache.entries.clear()
            cache.size = 0
    state = backend.store.searcher_state()
    for key in [key for key in state.filter_cache if key[0] in ("corrections", "suggestion")]:
        del state.filter_cache[key]


def measure(side, queries: dict[str, list[str]], warm: int) -> dict[str, dict]:
    """Per class: cold times (first run after reset), warm times (the next runs) and the counts found."""
    out = {}
    for name, texts in queries.items():
        cold, hot, found, cold_cpu, hot_cpu = [], [], [], [], []
        for text in texts:
            phrase = name == "phrase"
            side.reset()
            started, cpu = time.perf_counter(), time.thread_time()
            found.append(side.run(text, phrase))
            cold.append((time.perf_counter() - started) * 1000)
            cold_cpu.append((time.thread_time() - cpu) * 1000)
            for _ in range(warm):
                started, cpu = time.perf_counter(), time.thread_time()
                side.run(text, phrase)
                hot.append((time.perf_counter() - started) * 1000)
                hot_cpu.append((time.thread_time() - cpu) * 1000)
        out[name] = {"cold": cold, "warm": hot, "found": found, "cold cpu": cold_cpu, "warm cpu": hot_cpu}
    return out


def median_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def report(results: dict[str, dict], queries: dict[str, list[str]]) -> bool:
    fts, backend, page = results["fts5"], results["backend"], results["page"]
    met = True
    for phase in ("cold", "warm"):
        print(f"\n{phase}: median / p95 in ms, ratio against bare FTS5 (median / p95)")
        print(
            f"{'class':<12}{'FTS5':>16}{'backend':>16}{'ratio':>13}{'page':>17}{'ratio':>13}{'page CPU':>15}"
            "  found (FTS5/Huddle)"
        )
        for name in queries:
            f, b, p = (median_p95(side[name][phase]) for side in (fts, backend, page))
            cpu = median_p95(page[name][f"{phase} cpu"])
            found = f"{statistics.median(fts[name]['found']):,.0f}/{statistics.median(page[name]['found']):,.0f}"
            print(
                f"{name:<12}{f[0]:>8.2f}/{f[1]:>7.2f}{b[0]:>8.2f}/{b[1]:>7.2f}"
                f"{b[0] / f[0]:>6.2f}x/{b[1] / f[1]:>5.2f}x{p[0]:>9.1f}/{p[1]:>7.1f}"
                f"{p[0] / f[0]:>6.0f}x/{p[1] / f[1]:>5.0f}x{cpu[0]:>8.1f}/{cpu[1]:>6.1f}  {found}"
            )
            met = met and p[1] <= PAGE_P95_TARGET_MS
    print(f"\npage p95 <= {PAGE_P95_TARGET_MS:.0f} ms for every class, cold and warm: {'yes' if met else 'NO'}")
    print(f"load average while it ran: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=20_000)
    parser.add_argument("--microposts", type=int, default=100_000)
    parser.add_argument("--per-class", type=int, default=12, help="distinct queries per class")
    parser.add_argument("--warm", type=int, default=3, help="warm runs of each query after its cold one")
    parser.add_argument("--folder", help="build the site here once and reuse it on later runs")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    folder = Path(args.folder or tempfile.mkdtemp(prefix="huddle-bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    setup_django(folder)
    if not (folder / "built").exists():
        build_site(folder, args.tips, args.microposts)
    if args.build_only:
        return 0
    from django.db import connection

    from knowledge.models import Micropost, TipPage

    print(
        f"{TipPage.objects.count():,} tips + {Micropost.objects.count():,} microposts on {connection.vendor}; "
        f"{args.per_class} queries per class, 1 cold + {args.warm} warm runs each"
    )
    queries = pick_queries(args.per_class)
    for name, texts in queries.items():
        print(f"  {name}: {', '.join(texts[:4])}, ...")
    sides = {"fts5": Fts5(folder / "fts.sqlite3"), "backend": Backend(), "page": Page()}
    Page().run("warm up the worker", False)  # templates, URL resolver, site root: once per worker
    gc.collect()
    gc.freeze()  # as config/gunicorn.py does after loading the app
    results = {name: measure(side, queries, args.warm) for name, side in sides.items()}
    return 0 if report(results, queries) else 1


if __name__ == "__main__":
    sys.exit(main())
