"""Aligning diagnosis answers to Orphanet: by ORPHA code when it is given and known, else by name.

Methods on ANSWER_IS, with what their confidence means (calibrated by `python -m bench.alignment`):
- `code` (1.0): the release's ORPHA_code, known to the graph;
- `name-exact` (1.0): the answer or an alias, lowercased with punctuation dropped, is an Orphanet
  name or synonym of exactly one disease;
- `name-normalised` (0.97): equal after the domain normalisation of `core.names` (numerals, spelling,
  possessives, Greek letters, word order, parenthesised abbreviations);
- `name-fuzzy` (below 0.9 unless the string is almost identical and far ahead of any other disease):
  rapidfuzz's token-sort ratio over the normalised names, only between names whose discriminating
  tokens (numbers, subtype letters, chromosome bands, gene symbols) are identical;
- `case` for items of other tracks, which inherit the disease of their case.
At most one disease per item and method: several diseases on the best name (a shared synonym), or a
fuzzy best within FUZZY_MARGIN of the runner-up, make the item `ambiguous`, reported with its
candidates and not linked.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from mmrare.core.names import canonical_tokens, discriminators, is_discriminator, sorted_key, without_parentheses
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore

FUZZY_THRESHOLD = 0.90
FUZZY_MARGIN = 0.03  # the best fuzzy disease must lead the next one by this much, or it is a tie
NORMALISED_CONFIDENCE = 0.97
_PUNCT = str.maketrans({c: " " for c in string.punctuation})


def normalise_name(text: str) -> str:
    """The literal comparison: lowercase, punctuation as spaces, white space collapsed."""
    return " ".join(text.lower().translate(_PUNCT).split())


@dataclass(frozen=True)
class Alignment:
    codes: tuple[int, ...]  # at most one, except for code and case alignments
    method: str  # code, name-exact, name-normalised, name-fuzzy, ambiguous, unresolved, case
    confidence: float
    matched: str = ""  # the answer or alias text that matched, for name methods
    candidates: tuple[int, ...] = ()  # for ambiguous: the diseases it could not choose between


@dataclass(frozen=True)
class _Name:
    key: str  # sorted canonical tokens
    discriminators: frozenset[tuple[str, int]]


def names_and_synonyms(store: GraphStore, label: str) -> Iterator[tuple[NodeRef, str]]:
    """Every (node, name) pair of a label's nodes: the name, then each synonym."""
    for node in store.select(label):
        for name in [node.props.get("name"), *node.props.get("synonyms", [])]:
            if name:
                yield node.ref, name


@dataclass
class NameIndex:
    names: dict[str, set[int]] = field(default_factory=dict)  # literal normalised name -> codes
    canonical: dict[str, set[int]] = field(default_factory=dict)  # sorted canonical key -> codes
    by_word: dict[str, set[str]] = field(default_factory=dict)  # canonical word -> canonical keys holding it
    shapes: dict[str, _Name] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: GraphStore) -> NameIndex:
        index = cls()
        for ref, name in names_and_synonyms(store, "Disease"):
            index.add(name, int(ref.key))
        return index

    def add(self, name: str, code: int) -> None:
        norm = normalise_name(name)
        if not norm:
            return
        self.names.setdefault(norm, set()).add(code)
        bare, _ = without_parentheses(name)
        for variant in dict.fromkeys([name, bare]):
            tokens = canonical_tokens(variant)
            if not tokens:
                continue
            key = sorted_key(tokens)
            self.canonical.setdefault(key, set()).add(code)
            self.shapes[key] = _Name(key, frozenset(discriminators(tokens).items()))
            for word in tokens:
                if len(word) >= 3 and not is_discriminator(word):
                    self.by_word.setdefault(word, set()).add(key)

    def exact(self, text: str) -> set[int]:
        return self.names.get(normalise_name(text), set())

    def normalised(self, text: str) -> set[int]:
        found: set[int] = set()
        bare, _ = without_parentheses(text)
        for variant in dict.fromkeys([text, bare]):
            tokens = canonical_tokens(variant)
            if tokens:
                found |= self.canonical.get(sorted_key(tokens), set())
            if found:
                return found
        return found

    def fuzzy(self, text: str) -> list[tuple[float, int]]:
        """(similarity, code) per disease, best first, over names with the same discriminators."""
        tokens = canonical_tokens(without_parentheses(text)[0] or text)
        if not tokens:
            return []
        key, wanted = sorted_key(tokens), frozenset(discriminators(tokens).items())
        candidates = set().union(*(self.by_word.get(w, set()) for w in tokens if len(w) >= 3))
        best: dict[int, float] = {}
        for name in candidates:
            if self.shapes[name].discriminators != wanted:
                continue
            ratio = fuzz.ratio(key, name) / 100
            for code in self.canonical[name]:
                best[code] = max(best.get(code, 0.0), ratio)
        return sorted(((r, c) for c, r in best.items()), key=lambda rc: (-rc[0], rc[1]))


def _one(codes: set[int], method: str, confidence: float, text: str) -> Alignment:
    if len(codes) == 1:
        return Alignment(tuple(codes), method, confidence, text)
    return Alignment((), "ambiguous", 0.0, text, tuple(sorted(codes)))


def fuzzy_confidence(best: float, runner_up: float) -> float:
    """A fuzzy link's confidence: its similarity, held below 0.9 unless the names are almost the same
    (one edit in a long name) and no other disease comes close."""
    if best >= 0.96 and best - runner_up >= 0.08:
        return round(min(best, 0.95), 4)
    return round(min(best, 0.89), 4)


def align_by_name(texts: list[str], index: NameIndex, threshold: float = FUZZY_THRESHOLD) -> Alignment:
    """The answer first, then each alias; exact beats normalised beats fuzzy. A name shared by several
    diseases is settled by another alias that names exactly one of them, or stays ambiguous."""
    texts = [t for t in texts if t and t.strip()]
    for method, confidence, lookup in (
        ("name-exact", 1.0, index.exact),
        ("name-normalised", NORMALISED_CONFIDENCE, index.normalised),
    ):
        found = [(t, lookup(t)) for t in texts]
        hits = [(t, codes) for t, codes in found if codes]
        if not hits:
            continue
        text, codes = hits[0]
        if len(codes) > 1:  # another name may say which of them
            narrowed = [codes & other for _, other in hits[1:] if len(codes & other) == 1]
            if narrowed:
                return Alignment(tuple(narrowed[0]), method, confidence, text)
        return _one(codes, method, confidence, text)
    best = Alignment((), "unresolved", 0.0)
    for text in texts:
        ranked = index.fuzzy(text)
        if not ranked or ranked[0][0] < threshold:
            continue
        top, code = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if top - runner_up < FUZZY_MARGIN:
            tied = tuple(sorted(c for r, c in ranked if top - r < FUZZY_MARGIN))
            candidate = Alignment((), "ambiguous", 0.0, text, tied)
        else:
            candidate = Alignment((code,), "name-fuzzy", fuzzy_confidence(top, runner_up), text)
        if best.method == "unresolved" or candidate.confidence > best.confidence:
            best = candidate
    return best
