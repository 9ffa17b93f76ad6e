"""Editors' Markdown under content/: pages, posts, program descriptions, and overrides.yaml.

Front matter is YAML between ``---`` lines. Errors name the file and line, and a broken file stops the build
before anything is published (a half-checked site is worse than yesterday's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import markdown
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from .config import Config, ConfigIssue
from .sources.sanitize import clean_html

FRONT_KEYS = {"title", "date", "programs", "summary", "image", "draft", "pinned", "slug"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(slots=True)
class Document:
    kind: str  # "page" | "post" | "program"
    slug: str
    title: str
    html: str
    path: Path
    date: datetime | None = None
    programs: list[str] = field(default_factory=list)
    summary: str = ""
    image: str | None = None
    draft: bool = False
    pinned: bool = False


@dataclass(slots=True)
class Content:
    pages: list[Document] = field(default_factory=list)
    posts: list[Document] = field(default_factory=list)
    programs: dict[str, Document] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)


class ContentError(Exception):
    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


def _split(text: str) -> tuple[str, str, int]:
    """(front matter, body, line where body starts)."""
    if not text.startswith("---"):
        return "", text, 1
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    raise ValueError("front matter starts with --- but has no closing ---")


def _as_datetime(value: Any, tz: str) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))).astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)
    dt = datetime.fromisoformat(str(value))
    return (dt if dt.tzinfo else dt.replace(tzinfo=ZoneInfo(tz))).astimezone(UTC)


def load_document(path: Path, kind: str, config: Config, issues: list[ConfigIssue]) -> Document | None:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        front, body, _ = _split(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        issues.append(ConfigIssue(file, 1, "(file)", str(exc)))
        return None
    meta: dict[str, Any] = {}
    if front.strip():
        try:
            loaded = YAML(typ="rt").load(front)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            issues.append(
                ConfigIssue(file, (mark.line + 2) if mark else 1, "(front matter)", str(exc.problem))
            )
            return None
        if not isinstance(loaded, dict):
            issues.append(ConfigIssue(file, 2, "(front matter)", "front matter must be a mapping"))
            return None
        meta = loaded

    def line(key: str) -> int:
        try:
            return meta.lc.key(key)[0] + 2  # type: ignore[attr-defined]
        except Exception:
            return 1

    for key in meta:
        if key not in FRONT_KEYS:
            issues.append(ConfigIssue(file, line(key), str(key), f"unknown front matter key {key!r}"))
    slug = str(meta.get("slug") or path.stem)
    if not _SLUG.match(slug):
        issues.append(
            ConfigIssue(file, line("slug"), "slug", f"slug must be lower-case a-z, 0-9 and '-': {slug!r}")
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        issues.append(ConfigIssue(file, line("title"), "title", "title is required"))
        title = slug
    when = None
    if meta.get("date") is not None:
        try:
            when = _as_datetime(meta["date"], config.site.timezone)
        except ValueError:
            issues.append(ConfigIssue(file, line("date"), "date", f"not an ISO date: {meta['date']!r}"))
    elif kind == "post":
        issues.append(ConfigIssue(file, 1, "date", "posts need a date"))
    programs = [str(p) for p in meta.get("programs") or []]
    known = {p.id for p in config.programs}
    for p in programs:
        if p not in known:
            issues.append(ConfigIssue(file, line("programs"), "programs", f"unknown program id {p!r}"))
    for key in ("draft", "pinned"):
        if key in meta and not isinstance(meta[key], bool):
            issues.append(ConfigIssue(file, line(key), key, "must be true or false"))
    html = clean_html(markdown.markdown(body, extensions=["extra", "sane_lists"]))
    return Document(
        kind=kind, slug=slug, title=str(title), html=html, path=path, date=when, programs=programs,
        summary=str(meta.get("summary") or ""), image=meta.get("image"), draft=meta.get("draft") is True,
        pinned=meta.get("pinned") is True,
    )  # fmt: skip


def load_content(config: Config) -> Content:
    """Every document under content/; raises ContentError listing all problems."""
    root = config.content_dir
    issues: list[ConfigIssue] = []
    content = Content()
    if not root.is_dir():
        return content
    for kind, sub in (("page", "pages"), ("post", "posts"), ("program", "programs")):
        for path in sorted((root / sub).glob("*.md")):
            doc = load_document(path, kind, config, issues)
            if doc is None:
                continue
            if kind == "page":
                content.pages.append(doc)
            elif kind == "post":
                content.posts.append(doc)
            else:
                if doc.slug not in {p.id for p in config.programs}:
                    issues.append(ConfigIssue(str(path), 1, "(file)", f"no program with id {doc.slug!r}"))
                content.programs[doc.slug] = doc
    overrides = root / "overrides.yaml"
    if overrides.is_file():
        try:
            data = YAML(typ="safe").load(overrides.read_text(encoding="utf-8")) or {}
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            issues.append(
                ConfigIssue(str(overrides), mark.line + 1 if mark else 1, "(yaml)", str(exc.problem))
            )
            data = {}
        if not isinstance(data, dict):
            issues.append(ConfigIssue(str(overrides), 1, "(top)", "expected a mapping (merge, split, tags)"))
            data = {}
        for key in data:
            if key not in ("merge", "split", "tags"):
                issues.append(ConfigIssue(str(overrides), 1, str(key), f"unknown key {key!r}"))
        content.overrides = data
    content.posts.sort(key=lambda d: d.date or datetime.min.replace(tzinfo=UTC), reverse=True)
    if issues:
        raise ContentError(issues)
    return content
