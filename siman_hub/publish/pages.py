"""The page plan: every HTML page of the portal as (path, template, context, input signature).

Pure: no rendering and no I/O. The signature names everything a page shows, so the builder can skip a page
whose signature is unchanged since the last build (incremental builds) without rendering it first.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import regions as regionmod
from ..content import Content, Document
from . import paths
from .model import SiteModel, Story

if TYPE_CHECKING:
    from .dashsite import DashSite

HIGHLIGHTS_PER_PROGRAM = 3
TOP_AGENCIES = 5


@dataclass(slots=True)
class Pager:
    """Where a list page sits. ``page`` is the number in ``page/<n>/`` (counted from the oldest chunk), or None
    on the list's first page; ``prev`` is the newer neighbour, ``next`` the older one."""

    page: int | None
    prev: str | None
    next: str | None
    first: str = ""

    @property
    def is_first(self) -> bool:
        return self.page is None

    @property
    def pages(self) -> int:
        """More than one page exists (templates show the pager only then)."""
        return 2 if (self.prev is not None or self.next is not None) else 1

    def sig(self) -> str:
        return f"{self.page}|{self.prev}|{self.next}"


@dataclass(slots=True)
class PageJob:
    path: str
    template: str
    sig: str
    ctx: dict[str, Any] = field(default_factory=dict)
    searchable: bool = False
    mirrored: bool = True  # also built in the second UI language


def story_sig(story: Story) -> str:
    """What a story looks like on any page: changes when an item, its cluster or its tags change."""
    parts = [story.id, str(story.canonical.id), story.updated.isoformat()]
    parts += [f"{m.id}:{m.source_id}:{m.changed_at.isoformat()}" for m in story.members]
    for pid in sorted(story.tags):
        for t in story.tags[pid]:
            parts.append(f"{pid}:{t.item_id}:{t.rule}:{','.join(t.matched)}:{t.rule_version}")
    return "|".join(parts)


class Signatures:
    """Story signatures, hashed once per build (kept on the story: ``Story.sig``) and reused by every list the story
    appears in, by the plan of each language and by the API."""

    def story(self, s: Story) -> str:
        h = s.sig
        if not h:
            h = s.sig = hashlib.blake2b(story_sig(s).encode(), digest_size=12).hexdigest()
        return h

    def stories(self, stories: list[Story]) -> str:
        return ",".join(self.story(s) for s in stories)


def paginate(
    stories: list[Story], per_page: int, path_for: Callable[[int | None], str]
) -> Iterator[tuple[str, list[Story], Pager]]:
    """Stable pagination: ``page/<n>/`` holds the n-th chunk of ``per_page`` stories counted from the OLDEST,
    so its content does not move when new stories arrive. The first page shows the newest stories down to the
    start of the newest complete chunk (``per_page`` to ``2 * per_page - 1`` stories), which is therefore not
    published again as a numbered page. ``stories`` is newest first, and so is every page."""
    n = len(stories)
    complete = n // per_page
    numbered = max(
        0, complete - 1
    )  # chunks 1..numbered get their own page; the newest one is on the first page
    head = n - numbered * per_page  # the first page: remainder + newest complete chunk
    older = path_for(numbered) if numbered else None
    yield path_for(None), stories[:head], Pager(None, None, older, path_for(None))
    for k in range(numbered, 0, -1):
        end = n - (k - 1) * per_page  # chunk k covers oldest-first positions (k-1)*per_page .. k*per_page
        chunk = stories[end - per_page : end]
        newer = path_for(k + 1) if k < numbered else path_for(None)
        yield path_for(k), chunk, Pager(k, newer, path_for(k - 1) if k > 1 else None, path_for(None))


def archive_path(year: int, month: int, page: int | None = None) -> str:
    return f"arsip/{year:04d}/{month:02d}/" + ("" if page is None else f"page/{page}/")


def _doc_sig(doc: Document) -> str:
    return hashlib.blake2b(
        f"{doc.slug}|{doc.title}|{doc.date}|{doc.programs}|{doc.summary}|{doc.image}|{doc.pinned}|{doc.html}".encode(),
        digest_size=12,
    ).hexdigest()


def _by_month(model: SiteModel, tz: str) -> dict[tuple[int, int], list[Story]]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    months: dict[tuple[int, int], list[Story]] = {}
    for s in model.stories:
        local = s.date.astimezone(zone)
        months.setdefault((local.year, local.month), []).append(s)
    return months


def region_name(code: str) -> str:
    r = regionmod.lookup(code)
    return r.name if r else code


def plan(
    model: SiteModel,
    content: Content,
    sources_rows: list[dict[str, Any]],
    sources_sig: str,
    search_shards: list[str] | None = None,
    dashboard: DashSite | None = None,
) -> Iterator[PageJob]:
    """Every page of one language: the pages search indexes first (stories, editors' pages and posts), so the
    indexer can start while the lists are rendered. Contexts hold references, not copies."""
    search_shards = search_shards or []
    config = model.config
    site = config.site
    per = site.per_page
    sigs = Signatures()
    programs = {p.id: p for p in config.programs}
    posts = [d for d in content.posts if not d.draft]
    picks = [d for d in posts if d.pinned]

    # -- stories ------------------------------------------------------------------------------------------
    for story in model.stories:
        yield PageJob(paths.story(story.id), "story.html", "story|" + sigs.story(story),
                      {"story": story, "programs": programs}, searchable=True, mirrored=False)  # fmt: skip

    # -- editors' content (indexed for search, so rendered early: indexing starts right after) ---------------
    for doc in content.pages:
        if not doc.draft:
            yield PageJob(
                paths.page(doc.slug), "page.html", "page|" + _doc_sig(doc), {"doc": doc}, searchable=True
            )
    yield PageJob("posts/", "posts.html", "posts|" + ",".join(_doc_sig(d) for d in posts), {"posts": posts})
    for doc in posts:
        yield PageJob(
            paths.post(doc.slug), "post.html", "post|" + _doc_sig(doc), {"doc": doc}, searchable=True
        )

    # -- home and its pages ------------------------------------------------------------------------------
    highlights = [
        (p, model.by_program.get(p.id, [])[:HIGHLIGHTS_PER_PROGRAM])
        for p in config.programs
        if model.by_program.get(p.id)
    ]
    for path, chunk, pager in paginate(model.stories, per, paths.index):
        if pager.is_first:
            sig = (
                "home|"
                + sigs.stories(chunk)
                + "|"
                + ";".join(f"{p.id}:{sigs.stories(ss)}" for p, ss in highlights)
                + "|"
                + ",".join(_doc_sig(d) for d in picks)
                + f"|{pager.sig()}"
            )
            yield PageJob(path, "home.html", sig, {"stories": chunk, "pager": pager, "highlights": highlights,
                                                   "picks": picks, "feed": (None, None)})  # fmt: skip
        else:
            yield PageJob(path, "list.html", f"index|{sigs.stories(chunk)}|{pager.sig()}",
                          {"stories": chunk, "pager": pager, "heading": site.title, "feed": (None, None)})  # fmt: skip

    # -- programs -----------------------------------------------------------------------------------------
    counts = {pid: len(ss) for pid, ss in model.by_program.items()}
    yield PageJob("program/", "programs.html", f"programs|{sorted(counts.items())}|{[(p.id, p.name, p.description) for p in config.programs]}",
                  {"programs": config.programs, "counts": counts})  # fmt: skip
    for p in config.programs:
        stories = model.by_program.get(p.id, [])
        doc = content.programs.get(p.id)
        active = Counter(sid for s in stories for sid in s.source_ids).most_common(TOP_AGENCIES)
        base = f"program|{p.id}|{p.name}|{p.description}"
        first = f"|{_doc_sig(doc) if doc else ''}|{active}"  # shown on the first page only
        for path, chunk, pager in paginate(stories, per, lambda n, p=p: paths.program(p.id, n)):
            sig = f"{base}{first if pager.is_first else ''}|{sigs.stories(chunk)}|{pager.sig()}"
            yield PageJob(path, "program.html", sig,
                          {"program": p, "doc": doc, "stories": chunk, "pager": pager, "active": active,
                           "heading": p.name, "feed": ("program", p.id)})  # fmt: skip

    # -- agencies -----------------------------------------------------------------------------------------
    agency_counts = {sid: len(ss) for sid, ss in model.by_agency.items()}
    yield PageJob("agency/", "agencies.html", f"agencies|{sorted(agency_counts.items())}|{[(s.id, s.name, s.kind) for s in config.sources]}",
                  {"sources": config.sources, "counts": agency_counts})  # fmt: skip
    for s in config.sources:
        stories = model.by_agency.get(s.id, [])
        base = f"agency|{s.id}|{s.name}|{s.kind}|{s.region}|{s.homepage}"
        dash_sig, dash_ctx = dashboard.agency(s.id) if dashboard else ("", {"dash": None})
        for path, chunk, pager in paginate(stories, per, lambda n, s=s: paths.agency(s.id, n)):
            first = dash_sig if pager.is_first else ""  # the agency's figures: on its first page only
            yield PageJob(path, "agency.html", f"{base}|{first}|{sigs.stories(chunk)}|{pager.sig()}",
                          {"source": s, "stories": chunk, "pager": pager, "heading": s.name,
                           "region": regionmod.lookup(s.region) if s.region else None,
                           "feed": ("agency", s.id), **(dash_ctx if pager.is_first else {"dash": None})})  # fmt: skip

    # -- regions: province → kabupaten/kota -------------------------------------------------------------
    region_counts = {code: len(ss) for code, ss in model.by_region.items()}
    provinces = sorted(c for c in model.by_region if len(c) == 2)
    tree = [
        (regionmod.lookup(c), sorted(k for k in model.by_region if k.startswith(c + "."))) for c in provinces
    ]
    tree_ctx = [(prov, [regionmod.lookup(k) for k in kids]) for prov, kids in tree if prov]
    yield PageJob("region/", "regions.html", f"regions|{sorted(region_counts.items())}",
                  {"tree": tree_ctx, "counts": region_counts})  # fmt: skip
    for code, stories in model.by_region.items():
        region = regionmod.lookup(code)
        if region is None:
            continue
        parent = regionmod.lookup(code[:2]) if len(code) > 2 else None
        kids = (
            [regionmod.lookup(k) for k in sorted(model.by_region) if k.startswith(code + ".")]
            if len(code) == 2
            else []
        )
        base = f"region|{code}"
        first = f"|{[k.code for k in kids if k]}|{sorted(region_counts.items()) if kids else ''}"  # first page only
        for path, chunk, pager in paginate(stories, per, lambda n, c=code: paths.region(c, n)):
            sig = f"{base}{first if pager.is_first else ''}|{sigs.stories(chunk)}|{pager.sig()}"
            yield PageJob(path, "region.html", sig,
                          {"region": region, "parent": parent, "kids": [k for k in kids if k], "counts": region_counts,
                           "stories": chunk, "pager": pager, "heading": region.name,
                           "feed": ("region", code)})  # fmt: skip

    # -- date archives ------------------------------------------------------------------------------------
    months = _by_month(model, site.timezone)
    month_keys = sorted(months, reverse=True)
    yield PageJob("arsip/", "archive_index.html", f"arsip|{[(k, len(months[k])) for k in month_keys]}",
                  {"months": [(y, m, len(months[(y, m)])) for y, m in month_keys]})  # fmt: skip
    for y, m in month_keys:
        for path, chunk, pager in paginate(months[(y, m)], per, lambda n, y=y, m=m: archive_path(y, m, n)):
            yield PageJob(path, "archive_month.html", f"month|{y}|{m}|{sigs.stories(chunk)}|{pager.sig()}",
                          {"year": y, "month": m, "stories": chunk, "pager": pager, "feed": (None, None)})  # fmt: skip

    # -- sources health, search, editors' content ---------------------------------------------------------
    yield PageJob("sources/", "sources.html", "sources|" + sources_sig, {"rows": sources_rows})
    if dashboard is not None:
        yield from dashboard.jobs()
    yield PageJob("search/", "search.html", f"search|{search_shards}",
                  {"programs": config.programs, "shards": search_shards})  # fmt: skip
