"""Cross-source clustering: the same story re-posted by many agencies becomes one cluster, never a deletion.

Items are assigned in arrival order (first_seen, id). Each item joins the cluster of its best-matching earlier
candidate, or founds a new cluster whose id is derived from it. Two consequences are deliberate:

- **Stable ids.** A cluster's id is its founder's, and joining never changes it. Automatic clustering never
  merges two existing clusters (that would retire an id the re-exported feeds already carry, and a "bridge"
  item matching two stories is more often a round-up than proof they are one); editors can merge in
  content/overrides.yaml, where the older id survives.
- **Incremental == full.** New items always arrive after every archived one, so assigning only the new items
  against the stored keys gives exactly what a from-scratch run over the whole archive would.

Single-link to the *best* earlier member (not transitive unions of every pair) keeps chains short: an item
joins one cluster, and only by a confirmed match to one of its members.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .signatures import Doc, candidate_keys, make_doc
from .similarity import WINDOW_SECONDS, compare

BUCKET_SCAN = 64  # newest entries of one key examined per lookup: bounds boilerplate buckets


@dataclass(frozen=True, slots=True)
class ClusterInput:
    """The fields of an item clustering needs (what ``refine_rows`` reads from the archive)."""

    id: int
    source_id: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    content: str
    published: datetime | None
    sort_date: datetime
    first_seen: datetime

    def doc(self, body: str | None = None, body_words: list[str] | None = None) -> Doc:
        return make_doc(
            self.id, self.source_id, self.title, self.summary, self.content, self.url, self.canonical_url,
            self.published or self.sort_date, self.first_seen, body, body_words,
        )  # fmt: skip


def cluster_id_for(source_id: str, item_id: int, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}{source_id}\x1f{item_id}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class Assignment:
    item_id: int
    cluster_id: str
    keys: list[int]
    at: int
    matched: int | None  # the earlier member it was matched to (None: founded its cluster)
    reason: str


#: (keys, newest per key, item ids to leave out) -> (key, item id, at) in item id order
StoredLookup = Callable[[list[int], int, Collection[int]], Iterable[tuple[int, int, int]]]


class Clusterer:
    """Assigns docs in arrival order against an in-memory index of this run plus (optionally) stored keys.

    ``stored_keys`` finds candidates among items clustered in earlier runs, ``stored_docs`` loads them, and
    ``stored_cluster`` tells their current cluster; all three are None for a from-scratch run.
    """

    def __init__(
        self,
        stored_keys: StoredLookup | None = None,
        stored_docs: Callable[[list[int]], dict[int, Doc]] | None = None,
        stored_cluster: Callable[[list[int]], dict[int, str]] | None = None,
        taken_ids: Callable[[str], bool] | None = None,
    ):
        self.index: dict[int, list[tuple[int, int]]] = {}  # key -> [(at, item id)] of this run, arrival order
        self.docs: dict[int, Doc] = {}
        self.cluster: dict[int, str] = {}
        self._stored_keys = stored_keys
        self._stored_docs = stored_docs
        self._stored_cluster = stored_cluster
        self._taken = taken_ids or (lambda _cid: False)

    def assign_all(
        self, docs: Sequence[Doc], keys_by_id: Mapping[int, list[int]] | None = None
    ) -> list[Assignment]:
        """Assign ``docs`` in arrival order; ``keys_by_id`` are their candidate keys when already computed."""
        ordered = sorted(docs, key=lambda d: d.order)
        keys = candidate_keys(ordered) if keys_by_id is None else [keys_by_id[d.id] for d in ordered]
        if self._stored_keys is not None:
            # stored items all arrived before this run's, so they simply go first in each bucket
            pending = {d.id for d in ordered}
            wanted = sorted({k for ks in keys for k in ks})
            ids = set()
            # only the newest BUCKET_SCAN entries of a key are ever scanned (stored items precede this run's)
            for k, item_id, at in self._stored_keys(wanted, BUCKET_SCAN, pending):
                if item_id not in pending:
                    self.index.setdefault(k, []).append((at, item_id))
                    ids.add(item_id)
            if ids and self._stored_docs and self._stored_cluster:
                self.docs.update(self._stored_docs(sorted(ids)))
                self.cluster.update(self._stored_cluster(sorted(ids)))
        return [self._assign(d, ks) for d, ks in zip(ordered, keys, strict=True)]

    def _candidates(self, doc: Doc, keys: list[int]) -> list[int]:
        seen: dict[int, None] = {}
        index, at = self.index, doc.at
        for k in keys:
            bucket = index.get(k)
            if bucket:
                for t, item_id in bucket[-BUCKET_SCAN:]:
                    if abs(t - at) <= WINDOW_SECONDS:
                        seen[item_id] = None
        return list(seen)

    def _assign(self, doc: Doc, keys: list[int]) -> Assignment:
        best: tuple[float, tuple[datetime, int], int, str] | None = None
        for cand in self._candidates(doc, keys):
            other = self.docs.get(cand)
            if other is None:
                continue
            m = compare(doc, other)
            if m.score >= 0.5:
                rank = (m.score, other.order, cand, m.reason)
                # highest score; on ties the earliest member, so the result never depends on dict order
                if best is None or (rank[0], _neg(rank[1])) > (best[0], _neg(best[1])):
                    best = rank
        if best is not None:
            cid, matched, reason = self.cluster[best[2]], best[2], best[3]
        else:
            cid, matched, reason = self._new_id(doc), None, "founder"
        doc.release()
        self.docs[doc.id] = doc
        self.cluster[doc.id] = cid
        for k in keys:
            self.index.setdefault(k, []).append((doc.at, doc.id))
        return Assignment(doc.id, cid, keys, doc.at, matched, reason)

    def _new_id(self, doc: Doc) -> str:
        cid = cluster_id_for(doc.source_id, doc.id)
        salt = 0
        # a re-clustered founder whose old cluster lives on under its id gets a fresh one
        while self._taken(cid):
            salt += 1
            cid = cluster_id_for(doc.source_id, doc.id, f"{salt}\x1f")
        return cid


def _neg(order: tuple[datetime, int]) -> tuple[float, int]:
    return (-order[0].timestamp(), -order[1])


def cluster(items: Iterable[ClusterInput]) -> dict[int, str]:
    """item id -> cluster id for a whole set of items, from scratch (the reference the incremental run matches)."""
    return {a.item_id: a.cluster_id for a in Clusterer().assign_all([it.doc() for it in items])}
