"""Counting the matches of a search per value of a filter field, from the index alone.

A filter field's terms are its values and each term's postings list the documents that
have it. Per segment these are decoded once, cached by segment id as the engine caches
postings, into the value of each document when no document has two (a foreign key), else
into two arrays (every posting's document, and which value it belongs to). Counting any set
of matches is then one lookup or one mask, and one ``bincount``: no document is loaded and
no primary key leaves the index.
"""

from collections import Counter

import numpy as np

from .engine import _decode_postings, _PostingsCache, _segment_id

# Postings of filter fields kept per process (two 4-byte numbers each).
CACHE_POSTINGS = 2_000_000

_values = _PostingsCache(CACHE_POSTINGS)


def _value_postings(reader, fieldname: str, field) -> tuple[np.ndarray, np.ndarray, list, np.ndarray | None]:
    """(documents, the value index of each, values, the value index of every document or None)
    of one field in one segment; the last is None when a document has several values."""
    terms = field.sortable_terms(reader, fieldname) if hasattr(field, "sortable_terms") else ()
    values, documents, which = [], [], []
    for term in terms:
        docs, _weights = _decode_postings(reader, fieldname, term)
        if len(docs):
            which.append(np.full(len(docs), len(values), np.int32))
            values.append(field.from_bytes(term))
            documents.append(docs)
    if not values:
        return np.empty(0, np.int32), np.empty(0, np.int32), [], None
    documents, which = np.concatenate(documents), np.concatenate(which)
    per_document = None
    if np.bincount(documents, minlength=1).max() <= 1:
        per_document = np.full(reader.doc_count_all(), len(values), np.int32)  # len(values): none
        per_document[documents] = which
    return documents, which, values, per_document


def count_values(searcher, fieldname: str, docnums: np.ndarray) -> Counter:
    """How many of ``docnums`` (top-level document numbers) have each value of ``fieldname``."""
    counts: Counter = Counter()
    if fieldname not in searcher.schema or not len(docnums):
        return counts
    field = searcher.schema[fieldname]
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        size = reader.doc_count_all()
        local = docnums[(docnums >= offset) & (docnums < offset + size)] - offset
        if not len(local):
            continue
        documents, which, values, per_document = _values.get(
            (_segment_id(reader), fieldname, "values"),
            lambda reader=reader: _value_postings(reader, fieldname, field),
        )
        if not values:
            continue
        if per_document is not None:  # one lookup per match, whatever the size of the index
            tally = np.bincount(per_document[local], minlength=len(values) + 1)[: len(values)]
        else:
            matched = np.zeros(size, bool)
            matched[local] = True
            tally = np.bincount(which[matched[documents]], minlength=len(values))
        for position in np.flatnonzero(tally):
            counts[values[position]] += int(tally[position])
    return counts
