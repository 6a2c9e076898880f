"""Aligning diagnosis answers to Orphanet: by ORPHA code when it is given and known, else by name.

Methods on ANSWER_IS: `code` (confidence 1), `name-exact` (normalised answer or alias equals an
Orphanet name or synonym; 1), `name-fuzzy` (best similarity at or above the threshold; the ratio),
and `case` for items of other tracks, which inherit the disease of their case.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from graph.store import GraphStore
from importers.orphanet.facts import parse_orpha_code

CODE_SEPARATORS = re.compile(r"[;,|]")
FUZZY_THRESHOLD = 0.90
_PUNCT = str.maketrans({c: " " for c in string.punctuation})


def normalise_name(text: str) -> str:
    return " ".join(text.lower().translate(_PUNCT).split())


def parse_codes(text: str | None) -> tuple[list[int], list[str]]:
    """'ORPHA:558; 586', '558|586', 'Orphanet_558' -> codes, and the parts that are not codes."""
    codes, bad = [], []
    for part in CODE_SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        code = parse_orpha_code(part)
        if code is None:
            bad.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, bad


@dataclass(frozen=True)
class Alignment:
    codes: tuple[int, ...]
    method: str  # code, name-exact, name-fuzzy, unresolved
    confidence: float
    matched: str = ""  # the answer or alias text that matched, for name methods


@dataclass
class NameIndex:
    names: dict[str, set[int]] = field(default_factory=dict)
    by_word: dict[str, set[str]] = field(default_factory=dict)  # word -> normalised names holding it

    @classmethod
    def from_store(cls, store: GraphStore) -> NameIndex:
        index = cls()
        for node in store.select("Disease"):
            for name in [node.props.get("name"), *node.props.get("synonyms", [])]:
                if name:
                    index.add(name, int(node.ref.key))
        return index

    def add(self, name: str, code: int) -> None:
        norm = normalise_name(name)
        if not norm:
            return
        self.names.setdefault(norm, set()).add(code)
        for word in norm.split():
            if len(word) >= 4:
                self.by_word.setdefault(word, set()).add(norm)

    def exact(self, text: str) -> set[int]:
        return self.names.get(normalise_name(text), set())

    def fuzzy(self, text: str, threshold: float = FUZZY_THRESHOLD) -> tuple[set[int], float]:
        norm = normalise_name(text)
        candidates = set().union(*(self.by_word.get(w, set()) for w in norm.split() if len(w) >= 4))
        best, best_names = 0.0, []
        for name in sorted(candidates):
            ratio = SequenceMatcher(None, norm, name).ratio()
            if ratio > best:
                best, best_names = ratio, [name]
            elif ratio == best:
                best_names.append(name)
        if best < threshold:
            return set(), best
        return set().union(*(self.names[n] for n in best_names)), best


def align_by_name(texts: list[str], index: NameIndex, threshold: float = FUZZY_THRESHOLD) -> Alignment:
    """The answer first, then each alias: an exact match wins over any fuzzy one."""
    for text in texts:
        codes = index.exact(text)
        if codes:
            return Alignment(tuple(sorted(codes)), "name-exact", 1.0, text)
    best = Alignment((), "unresolved", 0.0)
    for text in texts:
        codes, ratio = index.fuzzy(text, threshold)
        if codes and ratio > best.confidence:
            best = Alignment(tuple(sorted(codes)), "name-fuzzy", round(ratio, 4), text)
    return best
