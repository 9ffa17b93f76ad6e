"""Refine: cluster the same story across sources and tag items by national priority program.

``refine_archive`` is incremental (only new or changed items are clustered and tagged; everything when the
rules or the clustering algorithm change). The decisions themselves are pure functions in ``similarity``,
``clustering``, ``tagging``, ``overrides`` and ``canonical``.
"""

from __future__ import annotations

from .run import RefineError, RefineReport, refine_archive

__all__ = ["RefineError", "RefineReport", "refine_archive"]
