"""Cross-source clustering: the same story re-posted by many agencies becomes one cluster, never a deletion.

Foundation version: items sharing a canonical URL, or an identical normalized title within a few days, form a
cluster. Cluster ids are derived from the first-seen member, which never changes once archived, so ids are
stable across runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .text import fold

WINDOW = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class ClusterInput:
    id: int
    source_id: str
    canonical_url: str | None
    title: str
    first_seen: datetime
    published: datetime


def cluster_id_for(founder: ClusterInput) -> str:
    return hashlib.sha256(f"{founder.source_id}\x1f{founder.id}".encode()).hexdigest()[:16]


def cluster(items: Iterable[ClusterInput]) -> dict[int, str]:
    ordered = sorted(items, key=lambda i: (i.first_seen, i.id))
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_url: dict[str, int] = {}
    by_title: dict[str, list[ClusterInput]] = {}
    for it in ordered:
        parent[it.id] = it.id
        if it.canonical_url:
            if it.canonical_url in by_url:
                _union(parent, find, by_url[it.canonical_url], it.id)
            else:
                by_url[it.canonical_url] = it.id
        t = fold(it.title).strip()
        if len(t) >= 20:
            for other in by_title.get(t, []):
                if abs(other.published - it.published) <= WINDOW:
                    _union(parent, find, other.id, it.id)
                    break
            by_title.setdefault(t, []).append(it)
    founders: dict[int, ClusterInput] = {}
    for it in ordered:
        founders.setdefault(find(it.id), it)
    return {it.id: cluster_id_for(founders[find(it.id)]) for it in ordered}


def _union(parent: dict[int, int], find, a: int, b: int) -> None:  # type: ignore[no-untyped-def]
    ra, rb = find(a), find(b)
    if ra != rb:
        # the earlier-seen root stays the root
        parent[rb] = ra
