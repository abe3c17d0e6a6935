"""Vectorized scoring of term queries over Whoosh segments.

Whoosh scores one posting at a time in Python, so a common word matching most of a
large index costs a full pass per query, and the exact count another. Here each
segment's posting list for a term is decoded once into numpy arrays and cached by
segment id (segments never change once written, so the cache survives commits);
a query over terms with And/Or/Not then costs a few array operations per segment,
giving the top hits and the exact count in one pass. BM25 is computed the way
Whoosh's BM25F does, so scores match its own.

Queries with positions (phrases, field bands) or automata (fuzzy) are not handled
here: ``Unsupported`` tells the caller to let Whoosh run them.
"""

import threading
from collections import OrderedDict

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75
# Decoded postings kept per process (8 bytes each: about 32 MB), and decoded
# phrase positions (a Python list per posting: about 40 MB).
CACHE_POSTINGS = 4_000_000
CACHE_POSITIONS = 300_000

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class Unsupported(Exception):
    """The query needs Whoosh's own matchers (positions, fuzzy terms, ranges)."""


class _PostingsCache:
    def __init__(self, capacity):
        self.capacity = capacity
        self.size = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, build):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
                return entry
        entry = build()
        with self.lock:
            if key not in self.entries:
                self.entries[key] = entry
                self.size += len(entry[0])
                while self.size > self.capacity and len(self.entries) > 1:
                    _key, old = self.entries.popitem(last=False)
                    self.size -= len(old[0])
        return entry


_postings = _PostingsCache(CACHE_POSTINGS)
_lengths = _PostingsCache(CACHE_POSTINGS)
_positions = _PostingsCache(CACHE_POSITIONS)


def _segment_id(reader):
    return reader.segment().segment_id()


def _decode_postings(reader, fieldname, text):
    """(doc numbers, weights) of a term in one segment."""
    try:
        m = reader.postings(fieldname, text)
    except Exception:  # noqa: BLE001 - whoosh raises TermNotFound and friends
        return np.empty(0, np.int32), np.empty(0, np.float32)
    if not isinstance(m, W3LeafMatcher):
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return np.array(ids, np.int32), np.array(weights, np.float32)
    id_parts, weight_parts = [], []
    while m.is_active():
        if m._data is None:
            m._read_data()
        raw_ids, raw_weights = m._data[0], m._data[1]
        count = m._blocklength
        id_parts.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))
        if raw_weights is None:
            weight_parts.append(np.ones(count, np.float32))
        elif isinstance(raw_weights, float):
            weight_parts.append(np.full(count, raw_weights, np.float32))
        else:
            weight_parts.append(np.asarray(raw_weights, dtype=np.float32))
        m._next_block()
    if not id_parts:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    return (
        np.concatenate(id_parts).astype(np.int32),
        np.concatenate(weight_parts),
    )


def _field_lengths(reader, fieldname):
    column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    count = reader.doc_count_all()
    if column is None:
        return np.ones(count, np.float32)
    raw = np.fromiter((column[i] for i in range(count)), dtype=np.uint8, count=count)
    return _LENGTH_OF_BYTE[raw]


class SegmentScorer:
    """Evaluates a query over one segment into dense (scores, matched) arrays."""

    def __init__(self, top_searcher, reader):
        self.top = top_searcher
        self.reader = reader
        self.size = reader.doc_count_all()
        self.segment = _segment_id(reader)

    def evaluate(self, q):
        if q is wq.NullQuery:
            return np.zeros(self.size, np.float32), np.zeros(self.size, bool)
        if isinstance(q, wq.Term):
            return self._term(q)
        if isinstance(q, wq.Every) and q.fieldname is None:
            return np.zeros(self.size, np.float32), np.ones(self.size, bool)
        if isinstance(q, (wq.And, wq.Or)) and type(q) in (wq.And, wq.Or):
            parts = [self.evaluate(sub) for sub in q.subqueries]
            scores = parts[0][0].copy()
            matched = parts[0][1].copy()
            for sub_scores, sub_matched in parts[1:]:
                scores += sub_scores
                if isinstance(q, wq.And):
                    matched &= sub_matched
                else:
                    matched |= sub_matched
            if q.boost != 1:
                scores *= q.boost
            return scores, matched
        if type(q) is wq.Not:
            _scores, matched = self.evaluate(q.query)
            return np.zeros(self.size, np.float32), ~matched
        if type(q) is wq.AndNot:
            scores, matched = self.evaluate(q.a)
            _s, negative = self.evaluate(q.b)
            return scores, matched & ~negative
        raise Unsupported(type(q).__name__)

    def _term(self, q):
        fieldname, text = q.fieldname, q.text
        field = self.top.schema[fieldname]
        docs, weights = _postings.get(
            (self.segment, fieldname, text),
            lambda: _decode_postings(self.reader, fieldname, text),
        )
        scores = np.zeros(self.size, np.float32)
        matched = np.zeros(self.size, bool)
        if len(docs):
            matched[docs] = True
            if field.scorable:
                (lengths,) = _lengths.get((self.segment, fieldname), lambda: (_field_lengths(self.reader, fieldname),))
                idf = self.top.idf(fieldname, text)
                avg = self.top.avg_field_length(fieldname) or 1
                dl = lengths[docs]
                scores[docs] = (idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * dl / avg))) * q.boost
        return scores, matched


# A phrase's candidates (documents with all its words) are checked for the words'
# positions one by one; above this many, the count is estimated from a sample.
PHRASE_CHECK_ALL = 1000
PHRASE_SAMPLE = 200


def search(searcher, q, allowed, limit):
    """(hits [(docnum, score)], total, exact) for ``q``, best first.

    ``allowed`` is None (every live document) or a boolean array over doc numbers.
    """
    hits, total, exact, _matches = search_and_match(searcher, q, allowed, limit)
    return hits, total, exact


def search_and_match(searcher, q, allowed, limit):
    """As ``search``, and the doc numbers of every match (None when they were not all found).

    Scoring finds every match anyway; handing them on spares facets a second pass over the query.
    """
    if type(q) is wq.Phrase:
        hits, total, exact = _phrase_search(searcher, q, allowed, limit)
        everything = exact and (limit is None or total <= limit)
        matches = np.fromiter((docnum for docnum, _score in hits), np.int64, count=len(hits)) if everything else None
        return hits, total, exact, matches
    hits, total, matches = _scored(searcher, q, allowed, limit)
    return hits, total, True, matches


def matching(searcher, q, allowed) -> np.ndarray:
    """Doc numbers of every match of ``q``, unordered, without scoring them into Python objects."""
    if type(q) is wq.Phrase:
        found, _total, _exact = _phrase_search(searcher, q, allowed, None)
        return np.fromiter((docnum for docnum, _score in found), np.int64, count=len(found))
    docs, _scores = _candidates(searcher, q, allowed)
    return docs


def _candidates(searcher, q, allowed):
    """(docnums, scores) of every match of ``q``, unordered."""
    found_docs, found_scores = [], []
    for sub, offset in searcher.leaf_searchers():
        docs, scores = _segment_matches(searcher, sub, offset, q, allowed)
        found_docs.append(docs + offset)
        found_scores.append(scores[docs])
    if not found_docs:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    return np.concatenate(found_docs), np.concatenate(found_scores)


def _segment_matches(searcher, sub, offset, q, allowed):
    """One segment's matches of ``q``: (doc numbers within the segment, the segment's score array).

    Deleted documents and those outside ``allowed`` (a mask over the whole index) are left out.
    """
    reader = sub.reader()
    scorer = SegmentScorer(searcher, reader)
    scores, matched = scorer.evaluate(q)
    if reader.has_deletions():
        deleted = np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)
        matched[deleted[deleted < scorer.size]] = False
    if allowed is not None:
        matched &= allowed[offset : offset + scorer.size]
    return np.flatnonzero(matched), scores


def _phrase_search(searcher, q, allowed, limit):
    terms = [wq.Term(q.fieldname, word) for word in q.words]
    docs, scores = _candidates(searcher, wq.And(terms, boost=q.boost), allowed)
    order = np.lexsort((docs, -scores))
    checker = PhraseChecker(searcher, q)
    if len(docs) <= PHRASE_CHECK_ALL:
        ok = checker.check(docs)
        ranked = [i for i in order if docs[i] in ok]
        total, exact = len(ranked), True
    else:
        ranked = []
        wanted = limit if limit is not None else len(docs)
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            ok = checker.check(docs[chunk])
            ranked.extend(i for i in chunk if docs[i] in ok)
            if len(ranked) >= wanted:
                break
        sample = np.random.default_rng(0).choice(len(docs), PHRASE_SAMPLE, replace=False)
        share = len(checker.check(docs[sample])) / PHRASE_SAMPLE
        total, exact = max(len(ranked), round(share * len(docs))), False
    if limit is not None:
        ranked = ranked[:limit]
    return [(int(docs[i]), float(scores[i])) for i in ranked], total, exact


class PhraseChecker:
    """Checks candidate documents for a phrase's words at consecutive positions."""

    def __init__(self, searcher, q):
        self.searcher = searcher
        self.fieldname = q.fieldname
        self.words = list(q.words)
        self.slop = q.slop
        self.decode = searcher.schema[q.fieldname].format.decode_positions
        self.leaves = [
            (offset, sub.reader(), sub.reader().doc_count_all()) for sub, offset in searcher.leaf_searchers()
        ]

    def _positions(self, reader, word):
        key = (_segment_id(reader), self.fieldname, word, "positions")
        (table,) = _positions.get(key, lambda: (_encoded_positions(reader, self.fieldname, word),))
        return table

    def check(self, docnums) -> set:
        found = set()
        for offset, reader, size in self.leaves:
            local = [int(d) - offset for d in docnums if offset <= d < offset + size]
            if not local:
                continue
            tables = [self._positions(reader, word) for word in self.words]
            for doc in local:
                positions = []
                for table in tables:
                    value = table.get(doc)
                    if value is None:
                        break
                    if isinstance(value, bytes):
                        value = table[doc] = self.decode(value)  # decoded once, kept
                    positions.append(value)
                else:
                    if self._in_order(positions):
                        found.add(doc + offset)
        return found

    def _in_order(self, positions):
        starts = positions[0]
        for following in positions[1:]:
            following_set = set(following)
            starts = [q for p in starts for q in range(p + 1, p + self.slop + 1) if q in following_set]
            if not starts:
                return False
        return True


def _encoded_positions(reader, fieldname, word):
    """docnum -> encoded positions of a word in one segment (decoded when checked)."""
    table = {}
    try:
        m = reader.postings(fieldname, word)
    except Exception:  # noqa: BLE001 - whoosh raises TermNotFound and friends
        return table
    if not isinstance(m, W3LeafMatcher):
        while m.is_active():
            table[m.id()] = m.value()
            m.next()
        return table
    while m.is_active():
        m._read_ids()
        m._read_values()
        table.update(zip(m._ids, m._values, strict=False))
        m._next_block()
    return table


def _scored(searcher, q, allowed, limit):
    leaves = searcher.leaf_searchers()
    found_docs, found_scores, matches = [], [], []
    total = 0
    for sub, offset in leaves:
        docs, scores = _segment_matches(searcher, sub, offset, q, allowed)
        total += len(docs)
        matches.append(docs + offset)
        if limit is not None and len(docs) > limit:
            keep = np.argpartition(-scores[docs], limit - 1)[:limit]
            docs = docs[keep]
        found_docs.append(docs + offset)
        found_scores.append(scores[docs])
    if not found_docs:
        return [], 0, np.empty(0, np.int64)
    docs = np.concatenate(found_docs)
    scores = np.concatenate(found_scores)
    order = np.lexsort((docs, -scores))
    if limit is not None:
        order = order[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order], total, np.concatenate(matches)
