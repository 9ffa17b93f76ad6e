"""Jinja2 environment: the hub's theme directory overrides ``themes/default`` file by file (like Hugo/Pelican)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..config import Config
from . import dates, i18n


def default_theme_dir() -> Path:
    """``themes/default`` of the siman-hub checkout (or SIMAN_HUB_DEFAULT_THEME)."""
    env = os.environ.get("SIMAN_HUB_DEFAULT_THEME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "themes" / "default"


def theme_dirs(config: Config) -> list[Path]:
    """Theme layers, most specific first: the hub's own theme dir, then the default theme."""
    return [d for d in (config.theme_dir, default_theme_dir()) if d.is_dir()]


_HREFLESS_A = re.compile(r"<a\b(?![^>]*\bhref=)[^>]*>(.*?)</a>", re.S | re.I)


def body_html(html: str) -> Markup:
    """Sanitized feed HTML made valid for the page: anchors whose unsafe href was stripped become plain text
    (an ``<a>`` with ``rel`` but no ``href`` is invalid HTML)."""
    return Markup(_HREFLESS_A.sub(r"\1", html))


def make_env(config: Config, lang: str | None = None) -> Environment:
    """One environment per UI language: gettext catalog and date formats are bound at creation."""
    lang = lang or config.site.language
    loaders = [FileSystemLoader(str(d / "templates")) for d in theme_dirs(config)]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    site_tz = config.site.timezone
    tz_by_source = {s.id: s.timezone for s in config.sources}

    # a story's date appears on every list it is in: format each (date, zone) once per build and language
    @lru_cache(maxsize=65536)
    def _local(value: datetime, tz: str) -> str:
        return dates.format_local(value, tz, lang)

    def localdate(value: datetime, source_id: str | None = None) -> str:
        return _local(value, tz_by_source.get(source_id or "", site_tz))

    @lru_cache(maxsize=8192)
    def localday(value: datetime) -> str:
        return dates.format_day(value, site_tz, lang)

    env.filters["localdate"] = localdate
    env.filters["localday"] = localday
    env.filters["body_html"] = body_html
    env.filters["calday"] = lambda value: dates.format_calendar_day(value, lang)
    env.globals["format_month"] = lambda y, m: dates.format_month(y, m, lang)
    return env
