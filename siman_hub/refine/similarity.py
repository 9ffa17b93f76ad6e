"""Is candidate B the same story as A? A pure, length-aware decision where a false merge is worse than a miss.

Containment (shared shingles over the *shorter* text's shingles), not Jaccard, is the measure: a republisher's
teaser is a prefix of the ministry's full text, so Jaccard punishes it for being short while containment sees
that every sentence it has is in the original. Because containment of a very short text is easy to reach by
accident (two releases sharing one boilerplate sentence about a program), the bar rises as the shorter text
shrinks, and below ``MIN_SHINGLES`` the body alone never decides: the titles must agree too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .signatures import Doc

WINDOW_SECONDS = 4 * 86400  # republishing regencies lag the ministry by hours to a few days
MIN_SHINGLES = 12  # below this the body is a teaser line or empty: titles must decide
MIN_TITLE_WORDS_ALONE = 5


@dataclass(frozen=True, slots=True)
class Match:
    score: float  # 0 = different stories; higher = more certain; >= 0.5 means same story
    reason: str


NO = Match(0.0, "")


def containment_bar(shorter: int) -> float:
    """Containment required for a body match, given the shorter body's shingle count."""
    if shorter >= 80:
        return 0.5
    if shorter >= 40:
        return 0.6
    return 0.7


def title_similarity(a: list[str], b: list[str]) -> float:
    """Jaccard of normalized title words: titles are short and both sides are whole, so Jaccard is right here."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def compare(a: Doc, b: Doc) -> Match:
    if abs(a.at - b.at) > WINDOW_SECONDS:
        return NO
    if a.url_key and a.url_key == b.url_key:
        return Match(1.0, "url")
    ta, tb = a.title_words, b.title_words
    tsim = title_similarity(ta, tb)
    sa = a.shingles
    sb = b.shingles if b._set is not None else b.body.tolist()
    inter = len(sa.intersection(sb))
    nb = len(sb) if isinstance(sb, frozenset) else len(set(sb))
    shorter = min(len(sa), nb)
    if shorter >= MIN_SHINGLES:
        cont = inter / shorter
        if cont >= containment_bar(shorter):
            return Match(round(min(1.0, 0.5 + cont / 2), 4), f"body containment {cont:.2f}")
        if cont >= 0.35 and tsim >= 0.6:
            return Match(round(0.5 + (cont + tsim) / 8, 4), f"body {cont:.2f} + title {tsim:.2f}")
        return NO
    # teaser lines or title-only items: the title decides, and any body there is must not contradict it
    if shorter > 0 and inter / shorter < 0.5:
        return NO
    words = min(len(ta), len(tb))
    if a.title == b.title and words >= MIN_TITLE_WORDS_ALONE:
        return Match(0.8, "same title")
    if tsim >= 0.85 and words >= MIN_TITLE_WORDS_ALONE + 1:
        return Match(0.6, f"title {tsim:.2f}")
    return NO
