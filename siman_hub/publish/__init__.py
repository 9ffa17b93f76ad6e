"""Publish: the archive and content/ rendered into the portal and feeds, swapped into place atomically."""

from __future__ import annotations

import logging
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from ..archive import Archive
from ..config import Config
from ..config import regions as regionmod
from ..content import load_content
from . import paths
from .feeds import render_feeds
from .model import SiteModel, Story, build_model
from .render import make_env, theme_dirs
from .writer import Staging

log = logging.getLogger(__name__)


@dataclass(slots=True)
class BuildStats:
    pages: int = 0
    feeds: int = 0


@dataclass(slots=True)
class Pager:
    page: int
    pages: int
    prev: str | None
    next: str | None


def _paginate(stories: list[Story], per_page: int, path_for: Any) -> list[tuple[str, list[Story], Pager]]:
    pages = max(1, math.ceil(len(stories) / per_page))
    out = []
    for n in range(1, pages + 1):
        chunk = stories[(n - 1) * per_page : n * per_page]
        pager = Pager(n, pages, path_for(n - 1) if n > 1 else None, path_for(n + 1) if n < pages else None)
        out.append((path_for(n), chunk, pager))
    return out


def _root_for(url_path: str) -> str:
    """Relative prefix back to the site root, so the portal works from any host or sub-path."""
    depth = url_path.count("/")
    return "../" * depth if depth else "./"


def build_site(config: Config, archive: Archive, out: Path) -> BuildStats:
    content = load_content(config)
    items = list(archive.iter_items())
    tags = archive.tags()
    model = build_model(config, items, tags)
    env = make_env(config)
    stats = BuildStats()
    staging = Staging(out)
    try:
        files: dict[str, bytes] = {}
        _render_pages(config, model, content, env, files)
        render_feeds(model, files.__setitem__)
        files["robots.txt"] = (
            f"User-agent: *\nAllow: /\nSitemap: {config.site.base_url}sitemap.xml\n".encode()
        )
        files["sitemap.xml"] = _sitemap(config, [p for p in files if p.endswith("index.html")])
        for rel, data in files.items():
            staging.write(rel, data)
        for theme in reversed(theme_dirs(config)):
            static = theme / "static"
            if static.is_dir():
                shutil.copytree(static, staging.dir / "static", dirs_exist_ok=True)
        stats.pages = sum(1 for p in files if p.endswith(".html"))
        stats.feeds = sum(1 for p in files if p.startswith("feeds/"))
        staging.publish()
    except BaseException:
        staging.abandon()
        raise
    return stats


def _render_pages(config: Config, model: SiteModel, content: Any, env: Any, files: dict[str, bytes]) -> None:
    site = config.site
    program_names = {p.id: p.name for p in config.programs}
    nav_pages = [{"path": paths.page(d.slug), "title": d.title} for d in content.pages if not d.draft]
    common = {
        "site": site,
        "lang": site.language,
        "nav_pages": nav_pages,
        "program_name": lambda pid: program_names.get(pid, pid),
        "source_name": lambda sid: model.sources[sid].name if sid in model.sources else sid,
    }

    def render(
        template: str, url_path: str, alternates: list[dict[str, str]] | None = None, **ctx: Any
    ) -> None:
        html = env.get_template(template).render(
            **common, **ctx, url_path=url_path, root=_root_for(url_path), alternates=alternates or []
        )
        files[paths.file_for(url_path)] = html.encode("utf-8")

    def feeds_alt(kind: str | None, key: str | None, title: str) -> list[dict[str, str]]:
        return [
            {
                "type": "application/atom+xml",
                "title": f"{title} (Atom)",
                "path": paths.feed(kind, key, "atom"),
            },
            {"type": "application/rss+xml", "title": f"{title} (RSS)", "path": paths.feed(kind, key, "rss")},
            {
                "type": "application/feed+json",
                "title": f"{title} (JSON)",
                "path": paths.feed(kind, key, "json"),
            },
        ]

    per = site.per_page
    for path, chunk, pager in _paginate(model.stories, per, paths.index):
        render("list.html", path, feeds_alt(None, None, site.title), heading=site.title, intro="", stories=chunk,
               pager=pager)  # fmt: skip
    for p in config.programs:
        doc = content.programs.get(p.id)
        intro = doc.html if doc else f"<p>{escape(p.description)}</p>"
        for path, chunk, pager in _paginate(
            model.by_program.get(p.id, []), per, lambda n, p=p: paths.program(p.id, n)
        ):
            render("list.html", path, feeds_alt("program", p.id, p.name), heading=p.name, intro=intro,
                   stories=chunk, pager=pager)  # fmt: skip
    for s in config.sources:
        for path, chunk, pager in _paginate(
            model.by_agency.get(s.id, []), per, lambda n, s=s: paths.agency(s.id, n)
        ):
            render("list.html", path, feeds_alt("agency", s.id, s.name), heading=s.name, intro="", stories=chunk,
                   pager=pager)  # fmt: skip
    for code, stories in model.by_region.items():
        region = regionmod.lookup(code)
        name = region.name if region else code
        for path, chunk, pager in _paginate(stories, per, lambda n, c=code: paths.region(c, n)):
            render("list.html", path, feeds_alt("region", code, name), heading=f"{name} ({code})", intro="",
                   stories=chunk, pager=pager)  # fmt: skip
    for story in model.stories:
        render("story.html", paths.story(story.id), story=story)
    for doc in content.pages:
        if not doc.draft:
            render("page.html", paths.page(doc.slug), doc=doc)
    for doc in content.posts:
        if not doc.draft:
            render("page.html", paths.post(doc.slug), doc=doc)
    rows = []
    counts: dict[str, int] = {}
    for story in model.stories:
        for m in story.members:
            counts[m.source_id] = counts.get(m.source_id, 0) + 1
    for s in config.sources:
        rows.append({"source": s, "state": None, "items": counts.get(s.id, 0),
                     "status": "aktif" if s.enabled else "nonaktif"})  # fmt: skip
    render("sources.html", "sources/", rows=rows)


def _sitemap(config: Config, html_files: list[str]) -> bytes:
    urls = []
    for f in sorted(html_files):
        path = f[: -len("index.html")]
        urls.append(f"<url><loc>{escape(config.site.base_url + path)}</loc></url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    ).encode("utf-8")
