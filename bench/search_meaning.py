"""Times the site search with meaning on against keyword only, on a 20,000-tip + 100,000-micropost corpus.

    python bench/search_meaning.py [--tips 20000] [--microposts 100000] [--rounds 2] [--sample 1000]
    python bench/search_meaning.py --reuse /tmp/huddle-bench-meaning-XXXX   # searches and memory only

Builds a throwaway SQLite site with the demo seeder's bulk inserts (no signals),
builds the keyword index with ``manage.py update_index``, stores a vector per item
(see ``store_corpus_vectors``), then prints:

* embedding throughput (documents per second, encoder alone and with the database writes);
* ``search_site`` median and p95 with SEMANTIC_SEARCH on and off, and their ratio (target <= 1.5x median);
* a fresh web worker's memory for the vectors (target < 150 MB), measured in a new process.

Building the keyword index for 120,000 items dominates the run (20 minutes measured on a
2-core machine shared with other jobs); --reuse skips it on the next run.
"""

# ruff: noqa: T201 - a bench prints its figures
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEYWORD_QUERIES = [
    "procurement",
    "pricing objection",
    "discovery",
    "renewal",
    "champion",
    "security review",
    "competitor",
    "budget",
    "negotiation",
    "onboarding",
    "referral",
    "pilot",
]
TYPO_QUERIES = ["procurment", "objecton handling", "discvery call", "renewl", "champoin"]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def median_p95_ms(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def setup_django(db_path: str, index_path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.pop("SEMANTIC_SEARCH", None)
    import django
    from django.conf import settings

    django.setup()
    backends = {"default": {"BACKEND": "knowledge.search.whoosh", "PATH": index_path}}
    settings.WAGTAILSEARCH_BACKENDS = settings.MODELSEARCH_BACKENDS = backends


def measure_worker_memory(db_path: str, index_path: str) -> dict:
    """In a fresh process, as a web worker starts: RSS before and after the model, then the vectors."""
    setup_django(db_path, index_path)
    import gc

    from knowledge.models import Micropost, TipPage
    from knowledge.semantic import encoder
    from knowledge.semantic.store import warm_up
    from knowledge.semantic.vector_index import VectorIndex

    gc.collect()
    start = rss_mb()
    encoder.get_encoder().embed(["warm up the session"])
    with_model = rss_mb()
    began = time.perf_counter()
    warm_up([TipPage, Micropost])
    load_s = time.perf_counter() - began
    gc.collect()
    with_vectors = rss_mb()
    indexes = [VectorIndex.for_content_type(model) for model in (TipPage, Micropost)]
    return {
        "start": start,
        "model": with_model - start,
        "vectors_rss": with_vectors - with_model,
        "vectors_nbytes": sum(index.nbytes for index in indexes) / 1024 / 1024,
        "rows": sum(len(index) for index in indexes),
        "load_s": load_s,
    }


def build_site(args) -> None:
    from django.core.management import call_command

    from knowledge import demo

    call_command("migrate", verbosity=0)
    size = demo.Size(
        "bench",
        reps=200,
        accounts=500,
        tips=args.tips,
        microposts=args.microposts,
        videos=0,
        deals=0,
        activity_events=0,
    )
    context = demo.SeedContext(size=size, seed=7, stdout=StringIO(), stderr=sys.stderr)
    started = time.perf_counter()
    demo._seed_users(context)
    demo._seed_accounts(context)
    demo._seed_tips(context)
    demo._seed_microposts(context)
    print(
        f"corpus: {args.tips:,} tips + {args.microposts:,} microposts inserted in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    call_command("update_index", "--skip-vectors", stdout=StringIO(), stderr=StringIO())
    print(f"keyword index built in {time.perf_counter() - started:.0f} s")


def embedding_throughput(sample_size: int) -> float:
    """Documents per second: the encoder alone, and through the store with its database writes."""
    from knowledge.models import Micropost, TipPage
    from knowledge.semantic import encoder
    from knowledge.semantic.indexing import chunks_for
    from knowledge.semantic.models import Embedding
    from knowledge.semantic.writing import upsert_many

    model = encoder.get_encoder()
    tips = list(TipPage.objects.order_by("?")[: sample_size // 4])
    posts = list(Micropost.objects.order_by("?")[: sample_size - len(tips)])
    sample = [chunks_for(obj)[0][1] for obj in tips + posts]
    model.embed(sample[:16])
    started = time.perf_counter()
    model.embed(sample)
    encoder_rate = len(sample) / (time.perf_counter() - started)
    words = statistics.mean(len(text.split()) for text in sample)
    print(f"encoder alone: {encoder_rate:,.0f} docs/s ({len(sample)} tips and microposts, {words:.0f} words each)")
    started = time.perf_counter()
    upsert_many((obj, chunks_for(obj)) for obj in tips + posts)
    store_rate = len(sample) / (time.perf_counter() - started)
    print(f"through the store (embed + write rows): {store_rate:,.0f} docs/s")
    Embedding.objects.all().delete()  # the corpus step below writes every row the same way
    return store_rate


TEMPLATE_NOISE = 0.05


def store_corpus_vectors(store_rate: float) -> None:
    """One vector per tip and micropost, from the encoder, written as the store writes them.

    The demo seeder repeats its texts with a number or a name changed, so each distinct
    text is embedded once and its copies get that vector plus a little noise (no two rows
    are equal); embedding all of them would take the time printed at the measured rate.
    """
    import re

    import numpy as np
    from django.contrib.contenttypes.models import ContentType

    from knowledge.models import Micropost, TipPage
    from knowledge.progress import Progress
    from knowledge.semantic import encoder
    from knowledge.semantic.indexing import chunks_for
    from knowledge.semantic.models import Embedding
    from knowledge.semantic.writing import text_hash

    rng = np.random.default_rng(5)
    model_name = encoder.model_name()
    total = TipPage.objects.count() + Micropost.objects.count()
    print(f"embedding all {total:,} texts would take about {total / store_rate / 60:.0f} min at that rate")
    started = time.perf_counter()
    bar = Progress("Corpus vectors", total, sys.stderr)
    base_vectors: dict[str, np.ndarray] = {}
    for model in (TipPage, Micropost):
        content_type = ContentType.objects.get_for_model(model)
        queryset = model.objects.order_by("pk")
        last = 0
        while True:
            batch = list(queryset.filter(pk__gt=last)[:2000])
            if not batch:
                break
            last = batch[-1].pk
            texts = [" ".join(chunks_for(obj)[0][1].split()) for obj in batch]
            bases = [re.sub(r"@\w+", "@someone", re.sub(r" \(#\d+\)", "", text)) for text in texts]
            missing = sorted(set(bases) - base_vectors.keys())
            if missing:
                base_vectors.update(zip(missing, encoder.embed(missing), strict=True))
            vectors = np.stack([base_vectors[base] for base in bases])
            vectors = vectors + rng.normal(0, TEMPLATE_NOISE / 20, vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            Embedding.objects.bulk_create(
                [
                    Embedding(
                        content_type=content_type,
                        object_id=obj.pk,
                        chunk=0,
                        text_hash=text_hash(text),
                        model=model_name,
                        vector=vector.astype("<f4").tobytes(),
                    )
                    for obj, text, vector in zip(batch, texts, vectors, strict=True)
                ]
            )
            bar.advance(len(batch))
    bar.finish()
    print(
        f"corpus vectors: {len(base_vectors):,} distinct texts embedded, {total:,} rows written in "
        f"{time.perf_counter() - started:.0f} s"
    )


def query_times(rounds: int) -> None:
    """search_site with meaning on and off, alternating; round 1 embeds each query and finds its nearest
    items, later rounds reuse them.

    Each query is first searched once by keyword alone, untimed in the ratios: a query's first keyword
    search fills the keyword side's own caches (typo corrections, postings), which both modes then share.
    Without it, round 1 charged that cost to whichever mode ran first (meaning on).
    Garbage is collected before each timed search: a full collection (about 120 ms here) otherwise
    landed in about half the searches with 10,000 hits, in either mode, and swung the medians.
    """
    from django.conf import settings

    from knowledge.semantic import evaluation
    from knowledge.semantic.store import forget_recent_queries, warm_up
    from knowledge.sitesearch.searching import search_site

    queries = KEYWORD_QUERIES + TYPO_QUERIES + [query for query, _, _ in evaluation.PAIRS]
    warm_up()
    for query in ["warm", "up the", "reader"]:  # the Whoosh reader, the caches and the encoder
        search_site(query)
    settings.SEMANTIC_SEARCH = False
    cold = []
    for query in queries:
        started = time.perf_counter()
        search_site(query)
        cold.append(time.perf_counter() - started)
    forget_recent_queries()
    times: dict[tuple[str, bool], list[float]] = {}
    found_by_meaning = 0
    for round_number in range(rounds):
        phase = "first time" if round_number == 0 else "repeated"
        for query in queries:
            kind = "keyword" if query in KEYWORD_QUERIES + TYPO_QUERIES else "meaning"
            for enabled in (True, False) if round_number % 2 == 0 else (False, True):
                settings.SEMANTIC_SEARCH = enabled
                gc.collect()
                started = time.perf_counter()
                outcome = search_site(query)
                elapsed = time.perf_counter() - started
                for key in ((phase, enabled), (f"{phase} {kind}", enabled)):
                    times.setdefault(key, []).append(elapsed)
                if enabled and round_number == 0:
                    found_by_meaning += any(hit.by_meaning for hit in outcome.hits)
    settings.SEMANTIC_SEARCH = True
    print(
        f"search_site over {len(queries)} queries ({len(KEYWORD_QUERIES)} plain, {len(TYPO_QUERIES)} typos, "
        f"{len(evaluation.PAIRS)} in other words); median / p95 ms, meaning on vs keyword only:"
    )
    print(
        "  keyword only, each query's first search (keyword caches cold, left out of the ratios): "
        "{:.1f} / {:.1f}".format(*median_p95_ms(cold))
    )
    for phase in ("first time", "repeated"):
        for label, key in (
            (f"all, {phase}", phase),
            ("  plain words and typos", f"{phase} keyword"),
            ("  in other words", f"{phase} meaning"),
        ):
            if (key, True) not in times:
                continue
            on_m, on_p = median_p95_ms(times[key, True])
            off_m, off_p = median_p95_ms(times[key, False])
            print(
                f"  {label}: {off_m:.1f} / {off_p:.1f} -> {on_m:.1f} / {on_p:.1f}   "
                f"ratio {on_m / off_m:.2f}x median, {on_p / off_p:.2f}x p95"
            )
    print(
        '  (target: at most 1.5x median; "repeated" reuses the query\'s vector and nearest items, as a next page does)'
    )
    print(f"  queries with a result found by meaning: {found_by_meaning} of {len(queries)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=20_000)
    parser.add_argument("--microposts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sample", type=int, default=1000, help="documents embedded to time throughput")
    parser.add_argument("--reuse", metavar="DIR", help="time the searches on a site a previous run left in DIR")
    parser.add_argument("--memory-only", nargs=2, metavar=("DB", "INDEX"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory_only:
        print(json.dumps(measure_worker_memory(*args.memory_only)))
        return

    folder = args.reuse or tempfile.mkdtemp(prefix="huddle-bench-meaning-")
    db_path, index_path = f"{folder}/bench.sqlite3", f"{folder}/whoosh"
    setup_django(db_path, index_path)
    started = time.perf_counter()
    if args.reuse:
        from knowledge.models import Micropost, TipPage

        print(f"reusing {folder}: {TipPage.objects.count():,} tips + {Micropost.objects.count():,} microposts")
    else:
        build_site(args)
        store_corpus_vectors(embedding_throughput(args.sample))
    query_times(args.rounds)

    result = subprocess.run(
        [sys.executable, __file__, "--memory-only", db_path, index_path], capture_output=True, text=True, check=True
    )
    memory = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"fresh web worker: model {memory['model']:.0f} MB; {memory['rows']:,} vectors loaded in "
        f"{memory['load_s']:.1f} s take {memory['vectors_rss']:.0f} MB of RSS "
        f"({memory['vectors_nbytes']:.0f} MB int8 arrays; target < 150 MB)"
    )
    print(f"bench finished in {time.perf_counter() - started:.0f} s; data in {folder} (delete it when done)")


if __name__ == "__main__":
    main()
