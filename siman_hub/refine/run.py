"""The refine stage: archive → clusters + tags, doing only the work that changed.

- New or changed items (by content hash) are clustered against the stored candidate keys and tagged.
- A change of tagging rules (rule version) re-tags the whole archive; a change of the clustering algorithm
  (``CLUSTER_VERSION``) re-clusters it from scratch (ids survive wherever the founder is unchanged).
- Editors' overrides are re-applied to every cluster only when the overrides, or the items they name, change.

Large batches (a from-scratch run, a whole-archive retag) prepare items in a process pool whose workers read
their own rows (``prepare``), and a from-scratch clustering runs on arrays (``bulk``); both give exactly the
serial result (tests/refine/test_bulk.py). ``SIMAN_HUB_REFINE_WORKERS=1`` keeps everything in one process.
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..archive import Archive
from ..archive.base import RefineRow
from ..config import Config
from ..models import Tag
from . import signatures, similarity
from .bulk import assign_bulk
from .clustering import Clusterer, ClusterInput
from .overrides import (
    Overrides,
    apply_cluster_overrides,
    apply_tag_overrides,
    final_cluster,
    parse_overrides,
    unknown_urls,
    url_variants,
)
from .prepare import default_workers, prepare_archive
from .tagging import compile_rules

log = logging.getLogger(__name__)

CLUSTER_VERSION = "|".join(
    str(x)
    for x in (
        "2", signatures.LEAD, signatures.BODY_KEYS, signatures.MAX_WORDS, signatures.NUM_PERM, signatures.BAND_ROWS,
        similarity.WINDOW_SECONDS, similarity.MIN_SHINGLES,
    )
)  # fmt: skip


class RefineError(Exception):
    """Overrides that cannot be applied (unknown program ids, wrong structure); the build must stop."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(slots=True)
class RefineReport:
    clustered: int = 0
    tagged: int = 0
    full_cluster: bool = False
    full_tag: bool = False
    overrides_applied: bool = False
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # where the time went (bench, -v logs)
    warnings: list[str] = field(default_factory=list)


def _input(r: RefineRow) -> ClusterInput:
    return ClusterInput(
        r.id, r.source_id, r.url, r.canonical_url, r.title, r.summary, r.content, r.published, r.sort_date,
        r.first_seen,
    )  # fmt: skip


def load_overrides(config: Config) -> Mapping[str, Any]:
    from ..content import load_content

    return load_content(config).overrides


def refine_archive(
    config: Config,
    archive: Archive,
    overrides: Mapping[str, Any] | None = None,
    *,
    full: bool = False,
    retag: bool = False,
    workers: int | None = None,
) -> RefineReport:
    """Bring clusters and tags up to date. ``overrides`` defaults to content/overrides.yaml.

    ``workers``: processes for a large batch (default: the CPUs available; 1 keeps everything in-process).
    """
    # refine allocates millions of short-lived strings and no reference cycles: the cyclic collector would
    # rescan the growing doc index over and over (a third of a full run's time), so it is paused meanwhile
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _refine(config, archive, overrides, full=full, retag=retag, workers=workers)
    finally:
        if gc_was_enabled:
            gc.enable()


def _refine(
    config: Config,
    archive: Archive,
    overrides: Mapping[str, Any] | None,
    *,
    full: bool,
    retag: bool,
    workers: int | None,
) -> RefineReport:
    t0 = time.perf_counter()
    report = RefineReport()
    rules = compile_rules(config)
    file = str(config.content_dir / "overrides.yaml")
    ov, issues = parse_overrides(
        load_overrides(config) if overrides is None else overrides, [p.id for p in config.programs], file
    )
    if issues.errors:
        raise RefineError(issues.errors)
    lookup = [v for u in sorted(ov.urls) for v in url_variants(u)]
    by_variant = archive.item_ids_by_url(lookup) if lookup else {}
    resolved = {u: sorted({i for v in url_variants(u) for i in by_variant.get(v, ())}) for u in ov.urls}
    report.warnings = unknown_urls(ov, resolved, file)
    for w in report.warnings:
        log.warning("%s", w)

    state = archive.refine_state()
    report.full_cluster = full or state.get("cluster_version") != CLUSTER_VERSION
    report.full_tag = retag or report.full_cluster or state.get("rule_version") != rules.version
    if report.full_cluster:
        archive.refine_reset()
    pending = set(archive.refine_pending())
    ov_digest = json.dumps([ov.digest(), sorted((u, v) for u, v in resolved.items())])
    ov_changed = report.full_cluster or state.get("overrides") != ov_digest
    old_ov = _old_overrides(state)
    tag_specs = {i: ov.tags[u] for u in ov.tags for i in resolved.get(u, ())}
    retag_ids = set(pending)
    if ov_changed:  # items whose editor tags were added, changed or removed
        retag_ids |= set(tag_specs)
        old_urls = [v for u in old_ov.tags for v in url_variants(u)]
        retag_ids |= {i for ids in archive.item_ids_by_url(old_urls).values() for i in ids}

    # one pass over the rows that need work: clean text once, feed both clustering and tagging
    tp = time.perf_counter()
    ids = sorted(archive.current_clusters()) if report.full_tag else sorted(pending | retag_ids)
    prep = prepare_archive(
        archive,
        ids,
        frozenset(pending),
        None if report.full_tag else frozenset(retag_ids),
        rules,
        workers=workers,
    )
    tags, tagged_ids = prep.tags, prep.tagged_ids
    hashes = dict(zip(prep.doc_ids, prep.hashes, strict=True))
    edited = [i for i in tagged_ids if i in tag_specs]
    if edited:
        by_item: dict[int, list[Tag]] = {i: [] for i in edited}
        kept = []
        for t in tags:
            (by_item.get(t.item_id, kept)).append(t)
        for i in edited:
            kept.extend(apply_tag_overrides(i, by_item[i], tag_specs[i]))
        tags = kept
    report.phases["read+prepare+tag"] = time.perf_counter() - tp
    tp = time.perf_counter()
    if report.full_cluster:
        bulk = assign_bulk(prep, workers=default_workers() if workers is None else workers)
        assignments, key_rows = bulk.assignments, bulk.key_rows
    else:
        clusterer = Clusterer(
            stored_keys=archive.refine_lookup_keys,
            stored_docs=lambda ids: {r.id: _input(r).doc() for r in archive.refine_rows(ids)},
            stored_cluster=archive.refine_auto_clusters,
            taken_ids=lambda cid: archive.refine_cluster_taken(cid, pending),
        )
        assignments = clusterer.assign_all(prep.docs(), prep.key_lists())
        key_rows = [(k, a.item_id, a.at) for a in assignments for k in a.keys]
    report.phases["cluster"] = time.perf_counter() - tp
    tp = time.perf_counter()
    with archive.transaction():
        archive.put_refine_results(
            [(a.item_id, hashes[a.item_id], a.cluster_id, a.at, a.matched, a.reason) for a in assignments],
            key_rows,
        )
        if tagged_ids:
            archive.replace_tags(tagged_ids, tags)
        _write_final_clusters(archive, state, ov, resolved, ov_changed, assignments, report)
        archive.put_refine_state(
            {"cluster_version": CLUSTER_VERSION, "rule_version": rules.version, "overrides": ov_digest,
             "overrides_spec": json.dumps({"merge": ov.merge, "split": ov.split, "tags": ov.tags})}
        )  # fmt: skip
    report.clustered, report.tagged = len(assignments), len(tagged_ids)
    report.phases["write"] = time.perf_counter() - tp
    report.seconds = time.perf_counter() - t0
    log.info(
        "refine: %d clustered, %d tagged (full cluster %s, full tag %s) in %.2fs",
        report.clustered, report.tagged, report.full_cluster, report.full_tag, report.seconds,
    )  # fmt: skip
    return report


def _old_overrides(state: Mapping[str, str]) -> Overrides:
    try:
        data = json.loads(state.get("overrides_spec") or "{}")
        return Overrides(data.get("merge", []), data.get("split", []), data.get("tags", {}))
    except (ValueError, AttributeError):
        return Overrides()


def _write_final_clusters(
    archive: Archive,
    state: Mapping[str, str],
    ov: Overrides,
    resolved: Mapping[str, list[int]],
    ov_changed: bool,
    assignments: list[Any],
    report: RefineReport,
) -> None:
    if ov_changed:
        auto = archive.refine_auto_clusters()
        listed = {i for u in ov.urls for i in resolved.get(u, ())}
        info = {r.id: r for r in archive.refine_rows(listed)}
        cluster_map, forced = apply_cluster_overrides(
            auto,
            lambda i: (info[i].first_seen, i),
            lambda i: info[i].source_id,
            ov,
            resolved,
        )
        current = archive.current_clusters()
        final = {i: final_cluster(i, c, cluster_map, forced) for i, c in auto.items()}
        archive.put_clusters({i: c for i, c in final.items() if current.get(i) != c})
        if cluster_map:
            archive.put_cluster_aliases(cluster_map)
        archive.put_refine_state(
            {
                "cluster_map": json.dumps(cluster_map),
                "forced": json.dumps({str(k): v for k, v in forced.items()}),
            }
        )
        report.overrides_applied = True
        return
    cluster_map = json.loads(state.get("cluster_map") or "{}")
    forced = {int(k): v for k, v in json.loads(state.get("forced") or "{}").items()}
    archive.put_clusters(
        {a.item_id: final_cluster(a.item_id, a.cluster_id, cluster_map, forced) for a in assignments}
    )
