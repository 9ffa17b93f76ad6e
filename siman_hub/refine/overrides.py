"""Editors' corrections from content/overrides.yaml, validated and applied as pure functions.

    merge: [[url, url, ...], ...]      these items' clusters are one story
    split: [url, ...]                  this item is its own story
    tags:  {url: {add: [id], remove: [id]}}

Unknown URLs are warnings, not errors: an editor may write an override before the item is fetched, and an
archive pruned of old items must not break the build. Unknown program ids are errors: they are typos that
would silently do nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import Tag
from ..sources.urls import canonical
from .clustering import cluster_id_for

OVERRIDE_VERSION = "override"


@dataclass(slots=True)
class Overrides:
    merge: list[list[str]] = field(default_factory=list)
    split: list[str] = field(default_factory=list)
    tags: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def urls(self) -> set[str]:
        return {u for g in self.merge for u in g} | set(self.split) | set(self.tags)

    def digest(self) -> str:
        blob = json.dumps([self.merge, self.split, self.tags], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass(slots=True)
class OverrideIssues:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_overrides(
    data: Mapping[str, Any] | None, program_ids: Iterable[str], file: str = "content/overrides.yaml"
) -> tuple[Overrides, OverrideIssues]:
    """Structure and program-id checks (URL existence needs the archive: see ``unknown_urls``)."""
    issues = OverrideIssues()
    out = Overrides()
    known = set(program_ids)
    data = data or {}
    merge = data.get("merge") or []
    if not isinstance(merge, list):
        issues.errors.append(f"{file}: merge: expected a list of lists of item URLs")
        merge = []
    for i, group in enumerate(merge):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(u, str) for u in group):
            issues.errors.append(f"{file}: merge[{i}]: expected a list of at least two item URLs")
            continue
        out.merge.append([str(u) for u in group])
    split = data.get("split") or []
    if not isinstance(split, list) or not all(isinstance(u, str) for u in split):
        issues.errors.append(f"{file}: split: expected a list of item URLs")
    else:
        out.split = [str(u) for u in split]
    tags = data.get("tags") or {}
    if not isinstance(tags, dict):
        issues.errors.append(f"{file}: tags: expected a mapping of item URL to {{add: [...], remove: [...]}}")
        tags = {}
    for url, spec in tags.items():
        if not isinstance(spec, dict) or set(spec) - {"add", "remove"}:
            issues.errors.append(f"{file}: tags[{url}]: expected a mapping with add and/or remove")
            continue
        clean: dict[str, list[str]] = {}
        for op in ("add", "remove"):
            ids = spec.get(op) or []
            if isinstance(ids, str):
                ids = [ids]
            if not isinstance(ids, list):
                issues.errors.append(f"{file}: tags[{url}].{op}: expected a list of program ids")
                continue
            for pid in ids:
                if str(pid) not in known:
                    issues.errors.append(f"{file}: tags[{url}].{op}: unknown program id {pid!r}")
            clean[op] = [str(p) for p in ids if str(p) in known]
        out.tags[str(url)] = clean
    return out, issues


def url_variants(url: str) -> list[str]:
    """The spellings an override URL may match in the archive: as written and canonical."""
    c = canonical(url)
    return [url] if c is None or c == url else [url, c]


def unknown_urls(ov: Overrides, resolved: Mapping[str, list[int]], file: str) -> list[str]:
    return [f"{file}: no archived item has URL {u}" for u in sorted(ov.urls) if not resolved.get(u)]


def apply_cluster_overrides(
    auto: Mapping[int, str],
    order: Callable[[int], tuple[datetime, int]],
    source_of: Callable[[int], str],
    ov: Overrides,
    resolved: Mapping[str, list[int]],
) -> tuple[dict[str, str], dict[int, str]]:
    """(auto cluster id -> final id, item id -> forced id) from the automatic assignment and the overrides.

    Merging keeps the id of the cluster whose listed member arrived first (the older story, whose id feeds
    already carry); the others become aliases of it. A split item gets an id of its own, salted so it never
    equals the id its old cluster keeps.
    """
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for group in ov.merge:
        items = sorted({i for u in group for i in resolved.get(u, ()) if i in auto}, key=order)
        if len(items) < 2:
            continue
        keep = find(auto[items[0]])
        for i in items[1:]:
            other = find(auto[i])
            if other != keep:
                parent[other] = keep
    cluster_map = {c: find(c) for c in parent}
    forced = {}
    for u in ov.split:
        for i in resolved.get(u, ()):
            if i in auto:
                forced[i] = cluster_id_for(source_of(i), i, "split\x1f")
    return cluster_map, forced


def final_cluster(
    item_id: int, auto_id: str, cluster_map: Mapping[str, str], forced: Mapping[int, str]
) -> str:
    return forced.get(item_id) or cluster_map.get(auto_id, auto_id)


def apply_tag_overrides(item_id: int, tags: list[Tag], spec: Mapping[str, list[str]] | None) -> list[Tag]:
    """Editors' removals drop automatic tags; additions are tags whose rule says an editor decided."""
    if not spec:
        return tags
    remove = set(spec.get("remove", ()))
    out = [t for t in tags if t.program_id not in remove]
    have = {t.program_id for t in out}
    for pid in spec.get("add", ()):
        if pid not in have and pid not in remove:
            out.append(Tag(item_id, pid, "editor", [], OVERRIDE_VERSION))
            have.add(pid)
    return out
