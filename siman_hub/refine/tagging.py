"""Program tagging: a pure function of (item, rules), every tag carrying the rule and words that produced it.

Matching is on lower-cased, unstemmed text with word boundaries (a stemmer maps perumahan→rumah and wrecks
keyword tags); abbreviations match case-sensitively so "MBG" is the program and "mbg" in a URL slug is not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from ..config import Config, Program
from ..models import Tag
from .text import fold, fold_keep_case


@dataclass(frozen=True, slots=True)
class CompiledProgram:
    program: Program
    phrases: tuple[str, ...]
    abbreviations: tuple[str, ...]
    cooccur: tuple[tuple[str, ...], ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    programs: tuple[CompiledProgram, ...]
    source_defaults: dict[str, tuple[str, ...]]
    version: str


def compile_rules(config: Config) -> Rules:
    compiled = tuple(
        CompiledProgram(
            program=p,
            phrases=tuple(fold(x) for x in p.phrases),
            abbreviations=tuple(fold_keep_case(x) for x in p.abbreviations),
            cooccur=tuple(tuple(fold(x) for x in group) for group in p.cooccur),
            exclude=tuple(fold(x) for x in p.exclude),
        )
        for p in config.programs
    )
    defaults = {s.id: s.programs for s in config.sources if s.programs}
    blob = json.dumps(
        [[p.id, p.phrases, p.abbreviations, p.cooccur, p.exclude, str(p.valid_from), str(p.valid_until)]
         for p in config.programs] + [sorted(defaults.items())],
        sort_keys=True,
    )  # fmt: skip
    return Rules(compiled, defaults, hashlib.sha256(blob.encode()).hexdigest()[:12])


def _in_range(p: Program, when: datetime | None) -> bool:
    if when is None:
        return True
    d: date = when.date()
    return not ((p.valid_from and d < p.valid_from) or (p.valid_until and d > p.valid_until))


def tag_text(item_id: int, source_id: str, text: str, when: datetime | None, rules: Rules) -> list[Tag]:
    folded, cased = fold(text), fold_keep_case(text)
    tags = []
    defaults = rules.source_defaults.get(source_id, ())
    for cp in rules.programs:
        p = cp.program
        if not _in_range(p, when):
            continue
        excluded = [x.strip() for x in cp.exclude if x in folded]
        if excluded:
            continue
        matched = [x.strip() for x in cp.phrases if x in folded]
        matched += [x.strip() for x in cp.abbreviations if x in cased]
        rule = "phrase"
        if not matched:
            for group in cp.cooccur:
                if all(x in folded for x in group):
                    matched = [x.strip() for x in group]
                    rule = "cooccur"
                    break
        if not matched and p.id in defaults:
            matched, rule = [source_id], "source-default"
        if matched:
            tags.append(Tag(item_id, p.id, rule, sorted(set(matched)), rules.version))
    return tags
