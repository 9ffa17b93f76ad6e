"""Load and validate feeds.yaml, reporting every problem with file, line and field.

The YAML is read with ruamel's round-trip loader because it remembers the line of every key and list item;
that is what lets ``siman-hub check`` point an editor at ``feeds.yaml:212`` instead of "somewhere in sources".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from . import regions
from .look import agency_look_problems
from .model import Config, Program, SiteConfig, Source
from .schema import CONFIG


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ConfigError(Exception):
    """Raised with every issue found, so an editor fixes them all in one pass."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.field))
        super().__init__("\n".join(str(i) for i in self.issues))


def _line_of(root: Any, path: list[str | int]) -> int:
    """1-based line of the deepest node on ``path`` that ruamel kept a position for."""
    node, line = root, 1
    for key in path:
        try:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


def _field(path: list[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top)"


def is_http_url(value: str) -> bool:
    try:
        u = urlsplit(value)
    except ValueError:
        return False
    host = u.hostname or ""
    return u.scheme in ("http", "https") and " " not in value and ("." in host or host == "localhost")


def _check_url(value: str, root: Path, allow_file: bool) -> str | None:
    if allow_file and value.startswith("file:"):
        rest = value[5:]
        p = Path(rest[2:] if rest.startswith("//") else rest)
        if not p.is_absolute():
            p = root / p
        return None if p.is_file() else f"file not found: {p}"
    if is_http_url(value):
        return None
    u = urlsplit(value) if "://" in value else None
    if u is not None and u.scheme not in ("http", "https"):
        return f"unsupported URL scheme {u.scheme!r} in {value!r} (use http or https)"
    return f"not a valid http(s) URL: {value!r}"


def _tz_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class _Checker:
    def __init__(self, file: str, root_node: Any, base: Path):
        self.file, self.node, self.base = file, root_node, base
        self.issues: list[ConfigIssue] = []

    def add(self, path: list[str | int], message: str) -> None:
        self.issues.append(ConfigIssue(self.file, _line_of(self.node, path), _field(path), message))

    def structure(self) -> None:
        validator = jsonschema.Draft202012Validator(CONFIG)
        for err in validator.iter_errors(_plain(self.node)):
            path = list(err.absolute_path)
            msg = err.message
            if err.validator == "additionalProperties":
                extra = re.findall(r"'([^']+)'", msg)
                for key in extra or [""]:
                    self.add([*path, key] if key else path, f"unknown key {key!r}")
                continue
            if (
                err.validator == "type"
                and path
                and path[-1] == "region"
                and isinstance(err.instance, int | float)
            ):
                msg = f'region code must be a quoted string (write "{err.instance}"), YAML read a number'
            self.add(path, msg)

    def semantics(self) -> None:
        data = self.node
        site = data.get("site") or {}
        if isinstance(site, dict):
            if isinstance(site.get("base_url"), str) and not is_http_url(site["base_url"]):
                self.add(["site", "base_url"], f"not a valid http(s) URL: {site['base_url']!r}")
            if isinstance(site.get("websub_hub"), str) and not is_http_url(site["websub_hub"]):
                self.add(["site", "websub_hub"], f"not a valid http(s) URL: {site['websub_hub']!r}")
            if isinstance(site.get("timezone"), str) and not _tz_ok(site["timezone"]):
                self.add(["site", "timezone"], f"unknown time zone {site['timezone']!r}")
        program_ids: dict[str, int] = {}
        for i, prog in enumerate(data.get("programs") or []):
            if not isinstance(prog, dict):
                continue
            pid = prog.get("id")
            if isinstance(pid, str):
                if pid in program_ids:
                    self.add(
                        ["programs", i, "id"],
                        f"duplicate program id {pid!r} (first at item {program_ids[pid]})",
                    )
                program_ids.setdefault(pid, i)
            for key in ("valid_from", "valid_until"):
                if prog.get(key) is not None:
                    try:
                        _date(prog[key])
                    except ValueError:
                        self.add(["programs", i, key], f"not a date (YYYY-MM-DD): {prog[key]!r}")
            if not (prog.get("phrases") or prog.get("abbreviations") or prog.get("cooccur")):
                self.add(
                    ["programs", i],
                    "program has no phrases, abbreviations or cooccur rules: it can never tag",
                )
        source_ids: dict[str, int] = {}
        for i, src in enumerate(data.get("sources") or []):
            if not isinstance(src, dict):
                continue
            sid = src.get("id")
            if isinstance(sid, str):
                if sid in source_ids:
                    self.add(
                        ["sources", i, "id"], f"duplicate source id {sid!r} (first at item {source_ids[sid]})"
                    )
                source_ids.setdefault(sid, i)
            for j, url in enumerate(src.get("feeds") or []):
                if isinstance(url, str) and (problem := _check_url(url, self.base, allow_file=True)):
                    self.add(["sources", i, "feeds", j], problem)
            if isinstance(src.get("homepage"), str) and not is_http_url(src["homepage"]):
                self.add(["sources", i, "homepage"], f"not a valid http(s) URL: {src['homepage']!r}")
            for j, pid in enumerate(src.get("programs") or []):
                if isinstance(pid, str) and pid not in program_ids:
                    self.add(["sources", i, "programs", j], f"unknown program id {pid!r}")
            if isinstance(src.get("timezone"), str) and not _tz_ok(src["timezone"]):
                self.add(["sources", i, "timezone"], f"unknown time zone {src['timezone']!r}")
            for key, problem in agency_look_problems(src.get("logo"), src.get("colour"), self.base):
                self.add(["sources", i, key], problem)
            kind, code = src.get("kind"), src.get("region")
            if isinstance(code, str):
                region = regions.lookup(code)
                if region is None:
                    self.add(["sources", i, "region"], f"unknown Kemendagri region code {code!r}")
                elif kind in ("provinsi", "kabupaten", "kota") and not regions.kind_matches(kind, code):
                    self.add(
                        ["sources", i, "region"],
                        f"region {code!r} is {region.type} {region.name}, not a {kind}",
                    )
            elif code is None and kind in ("provinsi", "kabupaten", "kota"):
                self.add(["sources", i], f"a {kind} source needs a region code")


def _plain(node: Any) -> Any:
    """ruamel containers → plain dict/list so jsonschema sees ordinary JSON types."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    return node


def read_yaml(path: Path) -> Any:
    yaml = YAML(typ="rt")
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh)


def load_config(path: str | Path) -> Config:
    """Parse and validate; raises ConfigError listing every problem."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ConfigError([ConfigIssue(file, 0, "(file)", "config file not found")])
    try:
        data = read_yaml(path)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError([ConfigIssue(file, line, "(yaml)", f"{exc.problem or exc.context}")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigIssue(file, 0, "(file)", f"not UTF-8: {exc}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(
            [ConfigIssue(file, 1, "(top)", "expected a mapping with site, programs and sources")]
        )
    base = path.resolve().parent
    checker = _Checker(file, data, base)
    checker.structure()
    checker.semantics()
    if checker.issues:
        raise ConfigError(checker.issues)
    return _build(path, base, _plain(data), data)


def _build(path: Path, base: Path, data: dict[str, Any], node: Any) -> Config:
    s = data["site"]
    site = SiteConfig(
        title=s["title"],
        base_url=s["base_url"].rstrip("/") + "/",
        description=s.get("description", ""),
        language=s.get("language", "id"),
        timezone=s.get("timezone", "Asia/Jakarta"),
        output=Path(s.get("output", "public")),
        archive=s.get("archive", "data/archive.sqlite3"),
        content=Path(s.get("content", "content")),
        theme=Path(s.get("theme", "theme")),
        per_page=s.get("per_page", 20),
        feed_size=s.get("feed_size", 50),
        websub_hub=s.get("websub_hub"),
        stale_days=s.get("stale_days", 14),
        allow_private_addresses=s.get("allow_private_addresses", False),
    )
    programs = tuple(
        Program(
            id=p["id"],
            name=p["name"],
            description=p.get("description", ""),
            hashtag=p.get("hashtag", ""),
            phrases=tuple(p.get("phrases") or ()),
            abbreviations=tuple(p.get("abbreviations") or ()),
            cooccur=tuple(tuple(g) for g in p.get("cooccur") or ()),
            exclude=tuple(p.get("exclude") or ()),
            valid_from=_date(p.get("valid_from")),
            valid_until=_date(p.get("valid_until")),
        )
        for p in data.get("programs") or []
    )
    sources = []
    for i, src in enumerate(data.get("sources") or []):
        feeds = tuple(_resolve_feed(u, base) for u in src["feeds"])
        sources.append(
            Source(
                id=src["id"],
                name=src["name"],
                kind=src["kind"],
                feeds=feeds,
                region=src.get("region"),
                homepage=src.get("homepage"),
                enabled=src.get("enabled", True),
                verified=src.get("verified", False),
                note=src.get("note", ""),
                programs=tuple(src.get("programs") or ()),
                priority=src.get("priority", 0),
                timezone=src.get("timezone") or regions.timezone_for(src.get("region")) or site.timezone,
                identity=src.get("identity", "auto"),
                interval=src.get("interval", 30),
                user_agent=src.get("user_agent"),
                logo=(base / src["logo"]).resolve() if src.get("logo") else None,
                colour=src["colour"].lower() if src.get("colour") else None,
                line=_line_of(node, ["sources", i]),
            )
        )
    return Config(path=path, site=site, programs=programs, sources=tuple(sources), root=base)


def _resolve_feed(url: str, base: Path) -> str:
    """``file:relative.xml`` becomes an absolute file URL so fetchers never depend on the working directory."""
    if url.startswith("file:") and not url.startswith("file:///"):
        rest = url[5:]
        p = Path(rest[2:] if rest.startswith("//") else rest)
        if not p.is_absolute():
            p = (base / p).resolve()
        return p.as_uri()
    return url
