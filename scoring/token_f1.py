"""Token-level F1 and exact match, by the reference evaluator's rules (docs/scoring.md).

Normalisation: lowercase; drop every character of string.punctuation; replace the whole words
a, an, the by a space; collapse whitespace; split. Overlap is a multiset intersection; no overlap
gives 0 (so an empty prediction or an empty gold scores 0); F1 = 2PR / (P + R); the best over the
answer and every alias counts.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable

_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalise(text: str) -> str:
    text = text.lower().translate(_PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = tokens(prediction), tokens(gold)
    overlap = sum((Counter(pred) & Counter(ref)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(pred), overlap / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_token_f1(prediction: str, golds: Iterable[str]) -> float:
    """The maximum over the answer and every alias (0 when there is no gold at all)."""
    return max((token_f1(prediction, g) for g in golds), default=0.0)


def exact_match(prediction: str, golds: Iterable[str]) -> float:
    """1.0 when the normalised prediction equals the normalised answer or an alias."""
    pred = normalise(prediction)
    return 1.0 if any(pred == normalise(g) for g in golds) else 0.0
