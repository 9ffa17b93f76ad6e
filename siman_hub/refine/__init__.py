"""Refine: cluster the same story across sources and tag items by national priority program."""

from __future__ import annotations

from ..archive import Archive
from ..config import Config
from .clustering import ClusterInput, cluster
from .tagging import compile_rules, tag_text
from .text import item_text


def refine_archive(config: Config, archive: Archive) -> None:
    """Re-cluster and re-tag the whole archive and store the results."""
    rules = compile_rules(config)
    inputs, tags, ids = [], [], []
    for it in archive.iter_items():
        ids.append(it.id)
        inputs.append(
            ClusterInput(it.id, it.source_id, it.canonical_url, it.title, it.first_seen, it.sort_date)
        )
        tags.extend(
            tag_text(it.id, it.source_id, item_text(it.title, it.summary, it.content), it.published, rules)
        )
    archive.put_clusters(cluster(inputs))
    archive.replace_tags(ids, tags)


__all__ = ["refine_archive"]
