"""A fast dictionary matcher: Orphanet names and synonyms, HPO names and synonyms, gene symbols.

Text is cut into word tokens (hyphens separate words, so "Ehlers Danlos" finds "Ehlers-Danlos");
each phrase is a tuple of tokens. Matching tries, at every token, the longest phrase first (a hash
lookup per length), and matches never overlap. Disease and phenotype names match on the canonical
words of `core.names` (case, accents, possessives, British spellings, Greek letters, Roman
numerals), the same normalisation alignment uses, except one-word names that are short (under four
characters) or written in capitals (acronyms such as "MFS" or "PLAN"), which match as written; gene
symbols always match as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mmrare.core.matching import names_and_synonyms
from mmrare.core.names import canonical_word, fold
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore

TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
MAX_TOKENS = 12
# HPO roots and organising terms that read as ordinary words.
SKIPPED_PHENOTYPES = {"HP:0000001", "HP:0000118", "HP:0000005", "HP:0012823", "HP:0040279", "HP:0031797"}


@dataclass(frozen=True)
class Mention:
    ref: NodeRef
    start: int
    end: int
    text: str


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def folded(words: tuple[str, ...]) -> tuple[str, ...]:
    """The canonical form of a phrase's words, word by word (so spans stay where they were)."""
    return tuple(canonical_word(fold(w), fold(words[k - 1]) if k else None) for k, w in enumerate(words))


@dataclass
class EntityMatcher:
    folded: dict[tuple[str, ...], set[NodeRef]] = field(default_factory=dict)
    exact: dict[tuple[str, ...], set[NodeRef]] = field(default_factory=dict)
    longest: int = 1

    def add(self, phrase: str, ref: NodeRef, case_sensitive: bool = False) -> None:
        words = tuple(t for t, _, _ in tokens(phrase))
        if not words or len(words) > MAX_TOKENS:
            return
        if not case_sensitive and len(words) == 1 and (len(words[0]) < 4 or words[0].isupper()):
            case_sensitive = True  # acronyms: "MFS" and "PLAN" are names, "all" and "plan" are words
        if case_sensitive:
            self.exact.setdefault(words, set()).add(ref)
        else:
            self.folded.setdefault(folded(words), set()).add(ref)
        self.longest = max(self.longest, len(words))

    def find(self, text: str) -> list[Mention]:
        toks = tokens(text)
        # Each word's canonical form, once: opening a phrase (nothing before it) and inside one (after
        # the word before it). A window's folded phrase is then its first word's opening form and the
        # others' inner forms, exactly what `folded` gives, without folding every window again.
        words_folded = [fold(t) for t, _, _ in toks]
        opening = [canonical_word(w) for w in words_folded]
        inner = [canonical_word(w, words_folded[k - 1]) if k else opening[0] for k, w in enumerate(words_folded)]
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.longest, len(toks) - i), 0, -1):
                window = toks[i : i + n]
                words = tuple(t for t, _, _ in window)
                phrase = (opening[i], *inner[i + 1 : i + n])
                refs = self.exact.get(words, set()) | self.folded.get(phrase, set())
                if refs:
                    start, end = window[0][1], window[-1][2]
                    out += [Mention(ref, start, end, text[start:end]) for ref in sorted(refs)]
                    i += n
                    break
            else:
                i += 1
        return out

    @classmethod
    def from_store(cls, store: GraphStore) -> EntityMatcher:
        matcher = cls()
        for label in ("Disease", "Phenotype"):
            for ref, name in names_and_synonyms(store, label):
                if ref.key not in SKIPPED_PHENOTYPES:
                    matcher.add(name, ref)
        for node in store.select("Gene"):
            if len(str(node.ref.key)) >= 2:
                matcher.add(str(node.ref.key), node.ref, case_sensitive=True)
        return matcher

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, NodeRef, bool]]) -> EntityMatcher:
        matcher = cls()
        for phrase, ref, case_sensitive in pairs:
            matcher.add(phrase, ref, case_sensitive)
        return matcher
