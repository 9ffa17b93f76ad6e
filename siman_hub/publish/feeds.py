"""Re-exported feeds: Atom 1.0 and RSS 2.0 through feedgen, JSON Feed 1.1 through a small writer.

One entry per story (cluster). Entry ids are the story's permanent URL, so they are stable across rebuilds and
independent of output order; ``updated`` is the last change of the story's items, never the build time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from feedgen.feed import FeedGenerator

from ..config import regions as regionmod
from . import paths
from .model import SiteModel, Story
from .opml import opml

_EPOCH = datetime(2000, 1, 1).astimezone()


def _abs(model: SiteModel, path: str) -> str:
    return model.config.site.base_url + path


def _program_names(model: SiteModel) -> dict[str, str]:
    return {p.id: p.name for p in model.config.programs}


def _summary(story: Story) -> str:
    return story.canonical.summary or story.canonical.content


def _feed_updated(stories: Sequence[Story]) -> datetime:
    return max((s.updated for s in stories), default=_EPOCH)


def _generator(
    model: SiteModel, title: str, self_path: str, alt_path: str, stories: Sequence[Story]
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(_abs(model, self_path))
    fg.title(title)
    fg.subtitle(model.config.site.description or title)
    fg.link(href=_abs(model, alt_path), rel="alternate")
    fg.link(href=_abs(model, self_path), rel="self")
    if model.config.site.websub_hub:
        fg.link(href=model.config.site.websub_hub, rel="hub")
    fg.language(model.config.site.language)
    fg.updated(_feed_updated(stories))
    fg.generator("siman-hub")
    names = _program_names(model)
    for story in reversed(stories):  # feedgen prepends
        c = story.canonical
        fe = fg.add_entry()
        link = _abs(model, paths.story(story.id))
        fe.id(link)
        fe.guid(link, permalink=True)
        fe.title(c.title)
        fe.link(href=c.url or link, rel="alternate")
        fe.published(c.sort_date)
        fe.updated(story.updated)
        src = model.sources.get(c.source_id)
        fe.author(name=src.name if src else c.source_id)
        body = _summary(story)
        others = story.others
        if others:
            credits = "".join(
                f'<li><a href="{o.url or ""}">{model.sources[o.source_id].name if o.source_id in model.sources else o.source_id}</a></li>'
                for o in others
            )
            body += f"<p>Juga diterbitkan oleh:</p><ul>{credits}</ul>"
        if body:
            fe.description(body)
        for pid in story.program_ids:
            fe.category(term=pid, label=names.get(pid, pid), scheme=_abs(model, "program/"))
        if c.image:
            fe.enclosure(c.image, "0", "image/jpeg")
    return fg


def write_feeds(model: SiteModel, title: str, kind: str | None, key: str | None, alt_path: str,
                stories: Sequence[Story], out: dict[str, bytes]) -> None:  # fmt: skip
    """Atom, RSS and JSON for one list of stories into ``out`` (path → bytes)."""
    stories = list(stories[: model.config.site.feed_size])
    atom_path = paths.feed(kind, key, "atom")
    fg = _generator(model, title, atom_path, alt_path, stories)
    out[atom_path] = fg.atom_str(pretty=True)
    rss_path = paths.feed(kind, key, "rss")
    out[rss_path] = fg.rss_str(pretty=True)
    json_path = paths.feed(kind, key, "json")
    out[json_path] = json_feed(model, title, json_path, alt_path, stories)


def json_feed(model: SiteModel, title: str, self_path: str, alt_path: str, stories: Sequence[Story]) -> bytes:
    names = _program_names(model)
    items = []
    for story in stories:
        c = story.canonical
        src = model.sources.get(c.source_id)
        item: dict[str, object] = {
            "id": _abs(model, paths.story(story.id)),
            "url": c.url or _abs(model, paths.story(story.id)),
            "title": c.title,
            "content_html": _summary(story) or c.title,
            "date_published": c.sort_date.isoformat(),
            "date_modified": story.updated.isoformat(),
            "authors": [
                {"name": src.name if src else c.source_id, "url": (src.homepage if src else None) or ""}
            ],
            "tags": [names.get(p, p) for p in story.program_ids],
            "_siman_hub": {
                "source": c.source_id,
                "programs": story.program_ids,
                "also_published_by": [{"source": o.source_id, "url": o.url} for o in story.others],
            },
        }
        if c.image:
            item["image"] = c.image
        items.append(item)
    doc: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": _abs(model, alt_path),
        "feed_url": _abs(model, self_path),
        "language": model.config.site.language,
        "items": items,
    }
    if model.config.site.description:
        doc["description"] = model.config.site.description
    if model.config.site.websub_hub:
        doc["hubs"] = [{"type": "WebSub", "url": model.config.site.websub_hub}]
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def render_feeds(model: SiteModel, emit: Callable[[str, bytes], None]) -> None:
    """Every feed document of the output contract, plus sources.opml, handed to ``emit(path, bytes)``."""
    files: dict[str, bytes] = {}
    config = model.config
    write_feeds(model, config.site.title, None, None, "", model.stories, files)
    for p in config.programs:
        write_feeds(model, f"{p.name} — {config.site.title}", "program", p.id, paths.program(p.id),
                    model.by_program.get(p.id, []), files)  # fmt: skip
    for s in config.sources:
        write_feeds(model, f"{s.name} — {config.site.title}", "agency", s.id, paths.agency(s.id),
                    model.by_agency.get(s.id, []), files)  # fmt: skip
    for code, stories in model.by_region.items():
        region = regionmod.lookup(code)
        write_feeds(model, f"{region.name if region else code} — {config.site.title}", "region", code,
                    paths.region(code), stories, files)  # fmt: skip
    files["sources.opml"] = opml(config)
    for path, data in files.items():
        emit(path, data)
