"""The site model: archive rows grouped into stories (one per cluster) and the lists every page and feed shows.

Pure: built from items, tags and config, so pages and feeds agree on what a story is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import cast

from ..config import Config, Source
from ..config import regions as regionmod
from ..models import Item, Tag


@dataclass(slots=True)
class Story:
    """One cluster: the canonical item plus every other publisher of the same story."""

    id: str
    canonical: Item
    members: list[Item]
    tags: dict[str, list[Tag]] = field(default_factory=dict)
    #: The hash of ``pages.story_sig``, set on first use (``pages.Signatures``): computed once per build for the
    #: page plan of every language and the API, kept on the story instead of in a dict beside a million of them.
    sig: str = ""

    @property
    def date(self) -> datetime:
        return self.canonical.sort_date

    @property
    def first_seen(self) -> datetime:
        return min(m.first_seen for m in self.members)

    @property
    def updated(self) -> datetime:
        """Last time anything in the story changed: stable across rebuilds, moves only when content does."""
        return max(m.changed_at for m in self.members)

    @property
    def others(self) -> list[Item]:
        return [m for m in self.members if m.id != self.canonical.id]

    @property
    def source_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.members:
            seen.setdefault(m.source_id, None)
        return list(seen)

    @property
    def program_ids(self) -> list[str]:
        return sorted(self.tags)


@dataclass(slots=True)
class SiteModel:
    config: Config
    stories: list[Story]
    by_program: dict[str, list[Story]]
    by_agency: dict[str, list[Story]]
    by_region: dict[str, list[Story]]
    sources: dict[str, Source]
    #: Reads items with their text by id (the archive's ``iter_items(ids=...)``). The model is built from light
    #: rows without text, so a build holds only the text of the pages and entries it is rendering; None when the
    #: model's items already carry their text (pure renders in tests).
    fetch_text: Callable[[list[int]], Iterable[Item]] | None = None

    def with_text(self, stories: Sequence[Story], *, members: bool = False) -> list[Story]:
        """Copies of ``stories`` whose canonical item (and every member with ``members``) carries its text,
        read in one batch."""
        if self.fetch_text is None:
            return list(stories)
        ids = [m.id for s in stories for m in s.members] if members else [s.canonical.id for s in stories]
        full = {it.id: it for it in self.fetch_text(ids)}
        return [
            Story(
                s.id,
                full.get(s.canonical.id, s.canonical),
                [full.get(m.id, m) for m in s.members],
                s.tags,
                s.sig,
            )
            for s in stories
        ]


#: The tags of every untagged story: one shared read-only mapping rather than an empty dict per story.
_NO_TAGS = cast(dict[str, list[Tag]], MappingProxyType({}))


def _canonical(members: list[Item], sources: dict[str, Source]) -> Item:
    """The story's representative; the decision lives in refine (``choose_canonical``)."""
    from ..refine.canonical import choose_canonical

    return choose_canonical(members, lambda sid: sources[sid].priority if sid in sources else 0)


def build_model(
    config: Config,
    items: Iterable[Item],
    tags: dict[int, list[Tag]],
    fetch_text: Callable[[list[int]], Iterable[Item]] | None = None,
) -> SiteModel:
    sources = {s.id: s for s in config.sources}
    clusters: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        clusters[it.cluster_id or f"item-{it.id}"].append(it)
    stories = []
    for cid, members in clusters.items():
        members.sort(key=lambda m: (m.sort_date, m.id))
        story_tags: dict[str, list[Tag]] | None = None
        for m in members:
            for t in tags.get(m.id, ()):
                if story_tags is None:
                    story_tags = {}
                story_tags.setdefault(t.program_id, []).append(t)
        stories.append(
            Story(cid, _canonical(members, sources), members, _NO_TAGS if story_tags is None else story_tags)
        )
    stories.sort(key=lambda s: (s.date, s.id), reverse=True)
    by_program: dict[str, list[Story]] = {p.id: [] for p in config.programs}
    by_agency: dict[str, list[Story]] = {s.id: [] for s in config.sources}
    by_region: dict[str, list[Story]] = defaultdict(list)
    for s in config.sources:
        if s.region:
            by_region.setdefault(s.region, [])
            by_region.setdefault(s.region[:2], [])
    for story in stories:
        for pid in story.tags:
            by_program.setdefault(pid, []).append(story)
        regions_seen: set[str] = set()
        for sid in story.source_ids:
            by_agency.setdefault(sid, []).append(story)
            src = sources.get(sid)
            if src and src.region:
                for code in {src.region, src.region[:2]}:
                    if code not in regions_seen and regionmod.lookup(code):
                        regions_seen.add(code)
                        by_region[code].append(story)
    return SiteModel(config, stories, by_program, by_agency, dict(by_region), sources, fetch_text)
