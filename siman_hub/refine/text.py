"""Text normalization shared by tagging and clustering: lower-case, unstemmed, punctuation folded to spaces."""

from __future__ import annotations

import re
import unicodedata

from ..sources.sanitize import plain_text

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case words separated by single spaces, with a space at both ends for whole-word ``in`` tests."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " " + " ".join(_NON_WORD.sub(" ", text).split()) + " "


def fold_keep_case(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return " " + " ".join(_NON_WORD.sub(" ", text).split()) + " "


def item_text(title: str, summary: str, content: str) -> str:
    return " \n ".join([title, plain_text(summary), plain_text(content)])
