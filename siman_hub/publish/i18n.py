"""UI languages: gettext catalogs compiled from ``siman_hub/locale`` (Babel), Indonesian first.

The portal is built once in the hub's language (``site.language``) and once more as a mirror in the other
language under ``<lang>/`` (``/en/`` for an Indonesian hub), so a static site can offer a language switch
without JavaScript or a server. Catalogs use English msgids; ``locale/babel.cfg`` says how to re-extract them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("id", "en")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The compiled catalog for ``lang``; English msgids pass through when a catalog is missing."""
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def mirror_language(primary: str) -> str | None:
    """The second UI language built beside the primary one, or None if the hub's language is unknown."""
    others = [lang for lang in LANGUAGES if lang != primary]
    return others[0] if primary in LANGUAGES and others else None


def prefix(lang: str, primary: str) -> str:
    """URL prefix of a language's pages: the primary language lives at the root."""
    return "" if lang == primary else f"{lang}/"


def catalog_files() -> list[Path]:
    """Compiled catalogs, part of every page's inputs (a new translation re-renders pages)."""
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.mo"))
