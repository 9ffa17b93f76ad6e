"""From-scratch clustering of a whole archive with array operations: the same result as ``Clusterer``.

``Clusterer`` assigns items one by one in arrival order, looking each one's keys up in a growing in-memory
index. For a full run that loop is most of the clustering time, yet almost none of it depends on earlier
assignments: which earlier items an item is *compared* with depends only on the keys (the newest
``BUCKET_SCAN`` entries of each of its buckets, within the time window), and the comparison is a pure
function of the two docs. Only "which cluster does my best match belong to" is sequential, and that is one
list lookup per item. So:

1. candidate pairs for every item at once: entries sorted by (key, arrival), each entry paired with the
   ``BUCKET_SCAN`` entries before it in its bucket (numpy, one pass per offset);
2. ``similarity.compare`` on each distinct pair (the only per-pair Python; spread over processes when large);
3. per item the best match (highest score, then earliest member) — the rule ``Clusterer._assign`` applies;
4. one loop in arrival order: join the best match's cluster, or found one.

``tests/refine/test_bulk.py`` checks the result equals ``Clusterer``'s, assignment for assignment.
"""

from __future__ import annotations

import itertools
import multiprocessing
from dataclasses import dataclass

import numpy as np

from .clustering import BUCKET_SCAN, Assignment, cluster_id_for
from .prepare import Prepared
from .similarity import WINDOW_SECONDS, compare

PARALLEL_PAIRS = 20_000  # fewer pairs than this are compared in-process


@dataclass(slots=True)
class BulkResult:
    assignments: list[Assignment]  # in arrival order; ``keys`` left empty (see key_rows)
    key_rows: list[tuple[int, int, int]]  # (key, item id, at), sorted by key then item id


def arrival_order(prep: Prepared) -> np.ndarray:
    """Doc positions sorted by (first_seen, id): the order clusters are founded in."""
    return np.array(
        sorted(range(len(prep.doc_ids)), key=lambda i: (prep.first_seen[i], prep.doc_ids[i])), dtype=np.int64
    )


def candidate_pairs(key_doc: np.ndarray, keys: np.ndarray, at: np.ndarray) -> np.ndarray:
    """(m, 2) distinct (later, earlier) arrival positions that ``Clusterer`` would compare.

    ``key_doc`` is the arrival position of each key entry, non-decreasing (entries in the order they would
    be appended to the index); ``at`` the publication time per arrival position.
    """
    if len(keys) == 0:
        return np.empty((0, 2), dtype=np.int64)
    o = np.argsort(keys, kind="stable")  # stable: entries of one key stay in arrival order, as in a bucket
    k, d = keys[o], key_doc[o]
    n = len(k)
    first = np.ones(n, dtype=bool)
    first[1:] = k[1:] != k[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.arange(n) - start  # position of the entry within its bucket
    idx = np.nonzero(rank >= 1)[0]
    later_parts, earlier_parts = [], []
    for off in range(1, BUCKET_SCAN + 1):
        idx = idx[rank[idx] >= off]
        if len(idx) == 0:
            break
        later, earlier = d[idx], d[idx - off]
        ok = (later != earlier) & (np.abs(at[later] - at[earlier]) <= WINDOW_SECONDS)
        later_parts.append(later[ok])
        earlier_parts.append(earlier[ok])
    if not later_parts:
        return np.empty((0, 2), dtype=np.int64)
    later = np.concatenate(later_parts)
    earlier = np.concatenate(earlier_parts)
    n_docs = int(max(later.max(initial=0), earlier.max(initial=0))) + 1
    code = np.unique(later * n_docs + earlier)
    return np.stack((code // n_docs, code % n_docs), axis=1)


# state for forked comparison workers (inherited, never pickled)
_state: tuple[Prepared, np.ndarray, np.ndarray] | None = None


def _compare_range(bounds: tuple[int, int]) -> list[tuple[float, str]]:
    assert _state is not None
    prep, pos_to_doc, pairs = _state
    offsets = prep.body_offsets()
    docs: dict[int, object] = {}
    out = []
    for later, earlier in pairs[bounds[0] : bounds[1]].tolist():
        a = docs.get(later)
        if a is None:
            # later docs come in order: the previous one's cached shingle set is no longer needed
            docs.clear()
            a = docs[later] = prep.doc(int(pos_to_doc[later]), offsets)
        b = prep.doc(int(pos_to_doc[earlier]), offsets)
        m = compare(a, b)  # type: ignore[arg-type]
        out.append((m.score, m.reason))
    return out


def compare_pairs(
    prep: Prepared, pos_to_doc: np.ndarray, pairs: np.ndarray, workers: int
) -> list[tuple[float, str]]:
    """``compare(later, earlier)`` for every pair, split over ``workers`` forked processes when worth it."""
    global _state
    _state = (prep, pos_to_doc, pairs)
    try:
        m = len(pairs)
        if workers <= 1 or m < PARALLEL_PAIRS or "fork" not in multiprocessing.get_all_start_methods():
            return _compare_range((0, m))
        # split between pairs of different later docs so each worker's shingle-set cache stays valid
        cuts = [0]
        for w in range(1, workers):
            c = int(np.searchsorted(pairs[:, 0], pairs[m * w // workers, 0]))
            cuts.append(max(c, cuts[-1]))
        cuts.append(m)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_compare_range, list(itertools.pairwise(cuts)))
        return [x for p in parts for x in p]
    finally:
        _state = None


def assign_bulk(prep: Prepared, workers: int = 1) -> BulkResult:
    """Cluster every doc of ``prep`` from scratch (no stored clusters): ``Clusterer().assign_all`` in bulk."""
    n = len(prep.doc_ids)
    if n == 0:
        return BulkResult([], [])
    pos_to_doc = arrival_order(prep)  # arrival position -> doc index in prep
    doc_to_pos = np.empty(n, dtype=np.int64)
    doc_to_pos[pos_to_doc] = np.arange(n)
    ids = np.asarray(prep.doc_ids, dtype=np.int64)
    at_doc = np.asarray(prep.at, dtype=np.int64)
    key_doc_unsorted = np.repeat(doc_to_pos, prep.key_len)  # arrival position of each key entry, prep order
    # entries in arrival order, each doc's keys in its own order: the order Clusterer appends them
    entry_order = np.argsort(key_doc_unsorted, kind="stable")
    keys = prep.keys[entry_order]
    key_doc = key_doc_unsorted[entry_order]
    at_pos = at_doc[pos_to_doc]
    pairs = candidate_pairs(key_doc, keys, at_pos)
    results = compare_pairs(prep, pos_to_doc, pairs, workers)

    # best match per later doc: highest score, then the earliest member (smallest arrival position)
    best = np.full(n, -1, dtype=np.int64)
    best_reason: dict[int, str] = {}
    if len(pairs):
        scores = np.fromiter((s for s, _ in results), dtype=np.float64, count=len(results))
        ok = np.nonzero(scores >= 0.5)[0]
        if len(ok):
            sel = ok[np.lexsort((pairs[ok, 1], -scores[ok], pairs[ok, 0]))]
            firsts = np.ones(len(sel), dtype=bool)
            firsts[1:] = pairs[sel[1:], 0] != pairs[sel[:-1], 0]
            chosen = sel[firsts]
            best[pairs[chosen, 0]] = pairs[chosen, 1]
            best_reason = {int(pairs[c, 0]): results[c][1] for c in chosen.tolist()}

    cluster: list[str] = [""] * n
    assignments = []
    ids_pos = ids[pos_to_doc].tolist()
    at_list = at_pos.tolist()
    for pos, (item_id, b) in enumerate(zip(ids_pos, best.tolist(), strict=True)):
        if b >= 0:
            cid, matched, reason = cluster[b], ids_pos[b], best_reason[pos]
        else:
            cid, matched, reason = cluster_id_for(prep.source_ids[pos_to_doc[pos]], item_id), None, "founder"
        cluster[pos] = cid
        assignments.append(Assignment(item_id, cid, [], at_list[pos], matched, reason))

    key_items = ids[np.repeat(np.arange(n), prep.key_len)]
    key_at = at_doc[np.repeat(np.arange(n), prep.key_len)]
    o = np.lexsort((key_items, prep.keys))
    key_rows = list(zip(prep.keys[o].tolist(), key_items[o].tolist(), key_at[o].tolist(), strict=True))
    return BulkResult(assignments, key_rows)
