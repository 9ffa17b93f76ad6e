"""Jinja2 environment: the hub's theme directory overrides ``themes/default`` file by file (like Hugo/Pelican)."""

from __future__ import annotations

import gettext
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..config import Config


def default_theme_dir() -> Path:
    """``themes/default`` of the siman-hub checkout (or SIMAN_HUB_DEFAULT_THEME)."""
    env = os.environ.get("SIMAN_HUB_DEFAULT_THEME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "themes" / "default"


def theme_dirs(config: Config) -> list[Path]:
    return [d for d in (config.theme_dir, default_theme_dir()) if d.is_dir()]


def make_env(config: Config) -> Environment:
    loaders = [FileSystemLoader(str(d / "templates")) for d in theme_dirs(config)]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    tzname = config.site.timezone
    tz_by_source = {s.id: s.timezone for s in config.sources}

    def localdate(value: datetime, source_id: str | None = None) -> str:
        tz = tz_by_source.get(source_id or "", tzname)
        local = value.astimezone(ZoneInfo(tz))
        abbr = {
            "Asia/Jakarta": "WIB",
            "Asia/Pontianak": "WIB",
            "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT",
        }
        return local.strftime("%d-%m-%Y %H:%M ") + abbr.get(tz, local.strftime("%Z"))

    env.filters["localdate"] = localdate
    return env
