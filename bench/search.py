"""Times the Whoosh search backend against a bare SQLite FTS5 table, and its indexing
against a bare Whoosh writer, on a synthetic sales-tip corpus.

    python bench/search_backend.py [--docs 120000] [--repeat 3]

Standalone: it configures a minimal Django with a throwaway app in a temp folder.
Prints median and p95 per query kind, the backend/FTS5 ratios and docs/second.
"""

# ruff: noqa: T201 - a bench prints its figures
import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOMAIN = """procurement objection handling pricing discount renewal champion stakeholder
budget quarter pipeline forecast negotiation contract legal security review onboarding
implementation integration competitor displacement expansion upsell churn retention
executive sponsor decision maker economic buyer technical evaluation pilot proof value
business case payback timeline urgency pain discovery qualification demo presentation
proposal redline signature close won lost deal account territory enterprise midmarket
startup healthcare finance retail manufacturing logistics education government telecom
energy insurance banking pharma cloud analytics platform migration compliance audit
vendor partner reseller channel referral testimonial webinar conference cold email
sequence voicemail outreach prospect lead opportunity coach blocker influencer committee
approval adoption training support success survey feedback""".split()
COMMON = """the a of to and in for on with at by from is are was be it this that we you they
our your their can will should would not more most very just also only then than so as
if when how what why who customer customers team call calls meeting product price sales
rep tip time week month year day good great best better quick easy clear strong key new
next last""".split()
CATEGORIES = ["objections", "pricing", "discovery", "closing", "onboarding", "competitive"]


def make_filler(count, rnd):
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words = set()
    while len(words) < count:
        syllables = rnd.randint(2, 4)
        words.add("".join(rnd.choice(consonants) + rnd.choice(vowels) for _ in range(syllables)))
    return sorted(words)


def make_corpus(n, seed=7):
    """[(id, title, summary, body, category)] with Zipf-like word frequencies."""
    rnd = random.Random(seed)
    vocab = DOMAIN + make_filler(8000, rnd)
    cum, total = [], 0.0
    for i in range(len(vocab)):
        total += 1.0 / (i + 1) ** 0.85
        cum.append(total)

    def words(k):
        picks = rnd.choices(vocab, cum_weights=cum, k=k)
        return " ".join(rnd.choice(COMMON) if rnd.random() < 0.3 else w for w in picks)

    return [
        (
            i + 1,
            words(rnd.randint(4, 8)).capitalize(),
            words(rnd.randint(12, 24)),
            words(rnd.randint(60, 120)),
            CATEGORIES[i % len(CATEGORIES)],
        )
        for i in range(n)
    ], vocab


APP_MODELS = """
from django.db import models
from modelsearch import index
from modelsearch.queryset import SearchableQuerySetMixin


class TipQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class Tip(index.Indexed, models.Model):
    title = models.CharField(max_length=255)
    summary = models.TextField()
    body = models.TextField()
    category = models.CharField(max_length=40)

    objects = TipQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=10),
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.AutocompleteField("title"),
        index.FilterField("category"),
        index.FilterField("id"),  # the database backend comparison searches a subset by id
    ]

    class Meta:
        app_label = "benchapp"
"""


def setup_django(work):
    app = work / "benchapp"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(textwrap.dedent(APP_MODELS))
    sys.path.insert(0, str(work))
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "taggit", "modelsearch", "benchapp"],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(work / "db.sqlite3")}
        },
        MODELSEARCH_BACKENDS={
            "default": {
                "BACKEND": "knowledge.search.whoosh",
                "PATH": str(work / "whoosh_backend"),
                "AUTO_UPDATE": False,
            },
            # modelsearch's own SQLite FTS5 backend, timed on a subset (see --database-docs).
            "database": {"BACKEND": "modelsearch.backends.database", "AUTO_UPDATE": False},
        },
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)


def build_queries(docs, vocab, rnd):
    def typo(word):
        i = rnd.randrange(1, len(word) - 1)
        return (
            word[:i] + word[i + 1 :]
            if rnd.random() < 0.5
            else word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        )

    common = [
        "pricing",
        "customer",
        "discount",
        "pipeline",
        "renewal",
        "objection",
        "team",
        "deal",
        "budget",
        "review",
    ]
    rare = vocab[-400:]
    rnd.shuffle(rare)
    rare = rare[:10]
    two = [
        f"{a} {b}"
        for a, b in zip(rnd.sample(DOMAIN[:40], 10), rnd.sample(DOMAIN[:60], 10), strict=True)
    ]
    phrases = []
    while len(phrases) < 10:
        body = docs[rnd.randrange(len(docs))][3].split()
        i = rnd.randrange(len(body) - 1)
        if body[i] not in COMMON and body[i + 1] not in COMMON:
            phrases.append(f"{body[i]} {body[i + 1]}")
    typos = [typo(w) for w in rnd.sample([w for w in DOMAIN if len(w) >= 7], 10)]
    return {"common": common, "rare": rare, "two words": two, "phrase": phrases, "typo": typos}


def fts5_setup(path, docs):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, title, summary, body, category)")
    con.execute("CREATE INDEX docs_category ON docs (category)")
    # The filter column rides along UNINDEXED: filtering through a join or a
    # rowid IN (...) subquery makes SQLite test MATCH row by row (100+ ms).
    con.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, category UNINDEXED, "
        "tokenize='porter unicode61')"
    )
    con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", docs)
    con.execute("INSERT INTO fts(rowid, title, summary, body, category) SELECT * FROM docs")
    con.commit()
    return con


def fts5_search(con, kind, text, category):
    match = f'"{text}"' if kind == "phrase" else " AND ".join(f'"{w}"' for w in text.split())
    where, params = "fts MATCH ?", [match]
    if category:
        where += " AND category = ?"
        params.append(category)
    ids = [
        r[0]
        for r in con.execute(
            f"SELECT fts.rowid FROM fts WHERE {where} "
            "ORDER BY bm25(fts, 10.0, 2.0, 1.0, 0.0) LIMIT 10",
            params,
        )
    ]
    count = con.execute(f"SELECT count(*) FROM fts WHERE {where}", params).fetchone()[0]
    rows = con.execute(
        f"SELECT id, title, summary, body FROM docs WHERE id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()
    return count, rows


def backend_search(backend, Tip, kind, text, category):
    from modelsearch.query import Phrase, PlainText

    qs = Tip.objects.all() if not category else Tip.objects.filter(category=category)
    query = Phrase(text) if kind == "phrase" else PlainText(text, operator="and")
    results = backend.search(query, qs)
    count = results.count()
    return count, list(results[:10])


def timed(fn, repeat):
    """(fastest, first) run times and the result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), times[0], result


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the fastest counts")
    parser.add_argument("--database-docs", type=int, default=5_000,
                        help="docs for modelsearch's database backend, which takes seconds per "
                             "query on the whole corpus (its FTS5 MATCH runs once per index row)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="huddle-bench-"))
    try:
        run(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work, args):
    setup_django(work)
    from benchapp.models import Tip
    from modelsearch.backends import get_search_backend
    from whoosh.filedb.filestore import FileStorage

    from knowledge.search.analysis import make_schema
    from knowledge.search.documents import DocumentBuilder

    print(f"corpus: {args.docs} docs", file=sys.stderr)
    docs, vocab = make_corpus(args.docs)
    Tip.objects.bulk_create(
        [Tip(id=i, title=t, summary=s, body=b, category=c) for i, t, s, b, c in docs],
        batch_size=5000,
    )
    fts = fts5_setup(str(work / "fts.sqlite3"), docs)

    # Indexing: the backend's rebuild (reads the database, builds documents, writes)
    # against a bare writer fed ready-made documents with the same schema.
    backend = get_search_backend("default")
    start = time.perf_counter()
    rebuilder = backend.rebuilder_class(backend.index)
    index = rebuilder.start()
    qs = Tip.objects.order_by("pk")
    for offset in range(0, args.docs, 2000):
        index.add_items(Tip, list(qs[offset : offset + 2000]))
    rebuilder.finish()
    backend_secs = time.perf_counter() - start

    print(f"backend indexed {args.docs} docs in {backend_secs:.0f}s", file=sys.stderr)
    builder = DocumentBuilder(Tip)
    prepared = [builder.build(obj) for obj in Tip.objects.order_by("pk").iterator(chunk_size=2000)]
    bare_dir = work / "whoosh_bare"
    bare_dir.mkdir()
    start = time.perf_counter()
    bare_ix = FileStorage(str(bare_dir)).create_index(make_schema())
    writer = bare_ix.writer(limitmb=256)
    for fields in prepared:
        writer.add_document(**fields)
    writer.commit()
    bare_secs = time.perf_counter() - start
    del prepared

    print(f"bare writer indexed {args.docs} docs in {bare_secs:.0f}s", file=sys.stderr)
    rnd = random.Random(11)
    queries = build_queries(docs, vocab, rnd)
    backend.search("warm up", Tip).count()  # open the searcher once, as a long-lived worker would

    rows = []
    for kind, texts in queries.items():
        for text in texts:
            for category in (None, "pricing"):
                label = kind + (" +filter" if category else "")
                b_time, b_first, (b_count, _b) = timed(
                    lambda t=text, c=category, k=kind: backend_search(backend, Tip, k, t, c),
                    args.repeat,
                )
                f_time, _f_first, (f_count, _f) = timed(
                    lambda t=text, c=category, k=kind: fts5_search(fts, k, t, c), args.repeat
                )
                rows.append((label, kind, text, b_time, f_time, b_count, f_count, b_first))

    print(
        f"\n{'kind':<20}{'n':>4}{'backend med':>13}{'p95':>9}{'fts5 med':>11}{'p95':>9}"
        f"{'ratio med':>11}{'p95':>7}"
    )
    labels = list(dict.fromkeys(r[0] for r in rows))
    for label in labels + ["overall"]:
        sel = rows if label == "overall" else [r for r in rows if r[0] == label]
        b = [r[3] * 1000 for r in sel]
        f = [r[4] * 1000 for r in sel]
        bm, bp, fm, fp = statistics.median(b), pct(b, 95), statistics.median(f), pct(f, 95)
        print(
            f"{label:<20}{len(sel):>4}{bm:>11.2f}ms{bp:>7.2f}ms{fm:>9.2f}ms{fp:>7.2f}ms"
            f"{bm / fm:>10.2f}x{bp / fp:>6.2f}x"
        )
    first = [r[7] * 1000 for r in rows]
    print(
        f"backend first runs (cold caches): median {statistics.median(first):.2f}ms, "
        f"p95 {pct(first, 95):.2f}ms"
    )
    print("\nexamples (backend count / fts5 count):")
    for label in labels:
        r = next(r for r in rows if r[0] == label)
        print(f"  {label:<18} {r[2]!r:<28} {r[5]:>7} / {r[6]:<7}")
    b_rate, w_rate = args.docs / backend_secs, args.docs / bare_secs
    print(
        f"\nindexing: backend {b_rate:,.0f} docs/s, bare whoosh writer {w_rate:,.0f} docs/s, "
        f"ratio {b_rate / w_rate:.2f}x"
    )
    database_backend_comparison(Tip, queries, args)
    fts.close()
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)


def database_backend_comparison(Tip, queries, args):
    """modelsearch's SQLite backend against Huddle's on the same small subset of the corpus."""
    from modelsearch.backends import get_search_backend

    subset = Tip.objects.filter(pk__lte=args.database_docs).order_by("pk")
    database = get_search_backend("database")
    index = database.get_index_for_model(Tip)
    rebuilder = database.rebuilder_class(index) if database.rebuilder_class else None
    index = rebuilder.start() if rebuilder else index
    for offset in range(0, args.database_docs, 1000):
        index.add_items(Tip, list(subset[offset : offset + 1000]))
    if rebuilder:
        rebuilder.finish()
    whoosh = get_search_backend("default")
    times = {"database": [], "whoosh": []}
    for kind, texts in queries.items():
        for text in texts[:4]:  # a few per kind: the database backend is slow
            for name, backend in (("database", database), ("whoosh", whoosh)):
                def search(backend=backend, kind=kind, text=text):
                    from modelsearch.query import Phrase, PlainText

                    query = Phrase(text) if kind == "phrase" else PlainText(text, operator="and")
                    results = backend.search(query, Tip.objects.filter(pk__lte=args.database_docs))
                    return results.count(), list(results[:10])

                fastest, _first, _result = timed(search, 1)
                times[name].append(fastest * 1000)
    d, w = times["database"], times["whoosh"]
    print(
        f"\nmodelsearch database backend (SQLite FTS5) on {args.database_docs:,} docs, "
        f"{len(d)} queries: median {statistics.median(d):.1f}ms, p95 {pct(d, 95):.1f}ms; "
        f"Huddle's Whoosh backend on the same subset filter: median {statistics.median(w):.1f}ms, "
        f"p95 {pct(w, 95):.1f}ms (ratio database/whoosh {statistics.median(d) / statistics.median(w):.1f}x)"
    )


if __name__ == "__main__":
    main()
