"""Program tagging: a pure function of (item, rules), every tag carrying the rule and words that produced it.

Matching is on lower-cased, unstemmed text with word boundaries (a stemmer maps perumahan→rumah and wrecks
keyword tags; see the bench for the measured comparison); abbreviations match case-sensitively so "MBG" is
the program and "mbg" in a URL slug is not.

Speed: every term of every program is indexed by its first word, so an item is checked only against the
programs one of whose trigger words it contains (one C-level set intersection per item), not against all
~200 terms; that is what keeps ``siman-hub retag`` over 100k items within seconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from ..config import Config, Program
from ..models import Tag
from .text import clean_body, to_spaces, words

RULES_FORMAT = "2"  # bump when matching semantics change, so stored tags are recomputed
_PHRASE, _ABBREV, _COOCCUR = 0, 1, 2
_COMMON_WORDS = (
    "program kementerian pemerintah pembangunan nasional kesehatan pendidikan sekolah rumah desa kelurahan "
    "badan masyarakat pelayanan kawasan energi pangan air industri gratis baru daerah kabupaten provinsi kota "
    "bantuan layanan ketahanan pengelola tahun dan di ke dari untuk"
)
_COMMON = frozenset(_COMMON_WORDS.split())


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written in feeds.yaml (shown to editors)
    words: tuple[str, ...]
    lower_words: tuple[str, ...]
    padded: str  # " w1 w2 " for whole-word substring tests
    cased: bool
    gate: str = ""  # ``trigger``, precomputed: a word the folded text must contain for the term to match

    @property
    def trigger(self) -> str:
        """The word that must be present for the term to match: the rarest, approximated as the longest word
        that is not one of the everyday words of government news (which would wake the term on every item)."""
        return max(self.lower_words, key=lambda w: (w not in _COMMON, len(w))) if self.lower_words else ""


@dataclass(frozen=True, slots=True)
class CompiledProgram:
    program: Program
    phrases: tuple[Term, ...]
    abbreviations: tuple[Term, ...]
    cooccur: tuple[tuple[Term, ...], ...]
    exclude: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    programs: tuple[CompiledProgram, ...]
    source_defaults: dict[str, tuple[str, ...]]
    version: str
    triggers: dict[str, tuple[tuple[int, int, Any], ...]]  # word -> (program index, kind, term or group)
    trigger_words: frozenset[str] = frozenset()
    gate_words: frozenset[str] = frozenset()  # the gate word of every term (triggers, co-terms, exclusions)


def _term(text: str, cased: bool) -> Term:
    ws = tuple(words(text if cased else text.lower()))
    t = Term(text, ws, tuple(w.lower() for w in ws), " " + " ".join(ws) + " ", cased)
    return replace(t, gate=t.trigger)


def compile_rules(config: Config) -> Rules:
    compiled = tuple(
        CompiledProgram(
            program=p,
            phrases=tuple(_term(x, False) for x in p.phrases),
            abbreviations=tuple(_term(x, True) for x in p.abbreviations),
            cooccur=tuple(tuple(_term(x, False) for x in group) for group in p.cooccur),
            exclude=tuple(_term(x, False) for x in p.exclude),
        )
        for p in config.programs
    )
    triggers: dict[str, list[tuple[int, int, Any]]] = {}
    for i, cp in enumerate(compiled):
        for t in cp.phrases:
            if t.words:
                triggers.setdefault(t.trigger, []).append((i, _PHRASE, t))
        for t in cp.abbreviations:
            if t.words:
                triggers.setdefault(t.trigger, []).append((i, _ABBREV, t))
        for g in cp.cooccur:
            if g and all(t.words for t in g):
                triggers.setdefault(max((t.trigger for t in g), key=len), []).append((i, _COOCCUR, g))
    defaults = {s.id: s.programs for s in config.sources if s.programs}
    blob = json.dumps(
        [RULES_FORMAT]
        + [[p.id, p.phrases, p.abbreviations, p.cooccur, p.exclude, str(p.valid_from), str(p.valid_until)]
           for p in config.programs] + [sorted(defaults.items())],
        sort_keys=True,
    )  # fmt: skip
    return Rules(
        compiled,
        defaults,
        hashlib.sha256(blob.encode()).hexdigest()[:12],
        {w: tuple(v) for w, v in triggers.items()},
        frozenset(triggers),
        frozenset(
            t.gate
            for cp in compiled
            for t in (*cp.phrases, *cp.abbreviations, *(t for g in cp.cooccur for t in g), *cp.exclude)
        ),
    )


def _in_range(p: Program, when: datetime | None) -> bool:
    if when is None:
        return True
    d: date = when.date()
    return not ((p.valid_from and d < p.valid_from) or (p.valid_until and d > p.valid_until))


class TagText:
    """An item's text prepared once for every program: cased and folded forms, space-padded for whole-word
    substring tests, and the folded word list (which clustering reuses).

    The cased form is built only when a case-sensitive term (an abbreviation) is checked: most items never
    need it, and building it is a second split and join of the whole text.
    """

    __slots__ = ("_cased", "_source", "folded", "folded_list")

    def __init__(self, folded_list: list[str], source: str = "", cased: str | None = None):
        self.folded_list = folded_list
        self.folded = " " + " ".join(folded_list) + " "
        self._source = source  # the text with every separator turned into a space (see ``to_spaces``)
        self._cased = cased

    @property
    def cased(self) -> str:
        if self._cased is None:
            self._cased = " " + " ".join(self._source.split()) + " "
        return self._cased

    @classmethod
    def of(cls, text: str) -> TagText:
        spaced_text = to_spaces(text)
        # ASCII only after ``to_spaces``: lower() neither adds nor removes separators
        return cls(spaced_text.lower().split(), spaced_text)

    @classmethod
    def of_words(cls, cased_words: list[str]) -> TagText:
        cased = " " + " ".join(cased_words) + " "
        return cls(cased.lower().split(), cased=cased)

    def has(self, t: Term) -> bool:
        return t.padded in (self.cased if t.cased else self.folded)

    def has_gated(self, t: Term, present: frozenset[str]) -> bool:
        """``has``, answered from the word set when the term's gate word is absent (most checks)."""
        return t.gate in present and t.padded in (self.cased if t.cased else self.folded)


def tag_prepared(
    item_id: int, source_id: str, text: TagText, when: datetime | None, rules: Rules
) -> list[Tag]:
    # only terms whose trigger word occurs are checked: a few per item instead of every term of every program
    hits: dict[int, list[list[str]]] = {}  # program index -> [phrases, abbreviations, first co-occurrence]
    present = rules.gate_words.intersection(text.folded_list)
    # sorted: which co-occurrence group is reported must not depend on the process's string hash seed
    for w in sorted(rules.trigger_words.intersection(present)):
        for i, kind, ref in rules.triggers[w]:
            if kind == _COOCCUR:
                if not all(text.has_gated(t, present) for t in ref):
                    continue
                found = [t.text for t in ref]
            elif text.has(ref):
                found = [ref.text]
            else:
                continue
            slot = hits.setdefault(i, [[], [], []])[kind]
            if kind != _COOCCUR or not slot:
                slot.extend(found)
    defaults = rules.source_defaults.get(source_id, ())
    if defaults:
        for i, cp in enumerate(rules.programs):
            if cp.program.id in defaults:
                hits.setdefault(i, [[], [], []])
    tags = []
    for i in sorted(hits):
        cp = rules.programs[i]
        p = cp.program
        if not _in_range(p, when):
            continue
        if any(text.has_gated(t, present) for t in cp.exclude):
            continue
        phrases, abbrevs, cooccur = hits[i]
        matched, rule = phrases + abbrevs, ("phrase" if phrases else "abbreviation")
        if not matched and cooccur:
            matched, rule = cooccur, "cooccur"
        if not matched and p.id in defaults:
            matched, rule = [source_id], "source-default"
        if matched:
            tags.append(Tag(item_id, p.id, rule, sorted(set(matched)), rules.version))
    return tags


def tag_item(
    item_id: int,
    source_id: str,
    title: str,
    summary: str,
    content: str,
    when: datetime | None,
    rules: Rules,
    body: str | None = None,
) -> list[Tag]:
    """Tags of one item. "Baca juga:" links and reporter lines are removed first: a link to another story
    about MBG does not make this story about MBG."""
    if body is None:
        body = clean_body(summary, content)
    return tag_prepared(item_id, source_id, TagText.of(title + "\n" + body), when, rules)


def tag_text(item_id: int, source_id: str, text: str, when: datetime | None, rules: Rules) -> list[Tag]:
    """Tags of already-plain text (kept for callers that have no HTML fields)."""
    return tag_prepared(item_id, source_id, TagText.of(text), when, rules)
