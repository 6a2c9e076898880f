"""MRareBench T1: a ranked differential (the model's ten most likely diagnoses), scored without a judge
by the reference evaluator's rules (VLMEvalKit `vlmeval/dataset/mrarebench.py`, docs/mrarebench.md).

Parsing a reply: `<think>...</think>` blocks are dropped; lines numbered `1.` or `1)` give the list;
when a think block was present and at most one numbered line was found, inline numbering
("1. a 2. b") is split instead; with no numbered line at all, the text is split on new lines and
semicolons. Entries are de-duplicated case-insensitively, first kept, and cut at ten. An empty list
is a parse failure.

A candidate hits the gold set (the answer and its aliases) when, after the token-F1 normalisation,
it equals one, one contains the other as a substring, or their token-set F1 is at least 0.6.

Metrics per run: recall@1/3/5/10 and the hit rate over all rows, MRR (1/rank of the first hit, 0
without one), MR (the mean rank of the first hit over the rows that have one; 0 when none does),
the parse-failure rate, n_total and n_hit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mmrare.scoring.token_f1 import normalise

TOP_K = 10
RECALL_KS = (1, 3, 5, 10)
HIT_TOKEN_SET_F1 = 0.6

_THINK = re.compile(r"<think>.*?</think>", re.IGNORECASE | re.DOTALL)
_NUMBERED_LINE = re.compile(r"^\s*(\d+)[.)]\s*(.+?)\s*$")
_INLINE_NUMBER = re.compile(r"(?:^|\s)\d{1,2}[.)]\s+")
_LINE_OR_SEMICOLON = re.compile(r"[\n;]+")


def parse_ranked_list(reply: str, top_k: int = TOP_K) -> list[str]:
    """The diagnoses of a reply, most likely first (see the module's rules)."""
    had_think = "<think>" in reply.lower()
    text = _THINK.sub("", reply).strip()
    entries = [m.group(2).strip() for line in text.splitlines() if (m := _NUMBERED_LINE.match(line))]
    if had_think and len(entries) < 2:  # a one-line "1. a 2. b" list after the reasoning
        inline = [part.strip(" -*\t\n") for part in _INLINE_NUMBER.split(text) if part.strip()]
        if len(inline) > len(entries):
            entries = inline
    if not entries:
        entries = [part.strip(" -*\t") for part in _LINE_OR_SEMICOLON.split(text) if part.strip()]
    kept: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        if entry and entry.lower() not in seen:
            seen.add(entry.lower())
            kept.append(entry)
    return kept[:top_k]


def list_cell(value: object) -> list[str]:
    """A release's list cell (answer_aliases): a JSON list, another JSON value as one entry, or else
    the text split on semicolons."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if value is None or value == "":
        return []
    try:
        parsed = json.loads(str(value))
    except (json.JSONDecodeError, TypeError):
        return [part.strip() for part in str(value).split(";") if part.strip()]
    return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]


def gold_set(answer: str, aliases: object) -> list[str]:
    """The answer, then every non-blank alias, stripped."""
    gold = [answer.strip(), *(str(a).strip() for a in list_cell(aliases))]
    return [g for g in gold if g]


def token_set_f1(a: str, b: str) -> float:
    """F1 over the two sets of normalised tokens (a repeated word counts once)."""
    left, right = set(normalise(a).split()), set(normalise(b).split())
    common = len(left & right)
    if not common:
        return 0.0
    precision, recall = common / len(left), common / len(right)
    return 2 * precision * recall / (precision + recall)


def is_hit(candidate: str, gold: Sequence[str]) -> bool:
    mine = normalise(candidate)
    if not mine:
        return False
    for g in gold:
        theirs = normalise(g)
        if not theirs:
            continue
        if mine == theirs or mine in theirs or theirs in mine:
            return True
        if token_set_f1(candidate, g) >= HIT_TOKEN_SET_F1:
            return True
    return False


def first_hit_rank(ranked: Sequence[str], gold: Sequence[str]) -> int | None:
    """The 1-based rank of the first candidate that hits, or None."""
    return next((rank for rank, c in enumerate(ranked, start=1) if is_hit(c, gold)), None)


@dataclass(frozen=True)
class RankedRow:
    item_index: str
    ranked: tuple[str, ...]
    gold: tuple[str, ...]
    first_hit: int | None

    @property
    def parse_failed(self) -> bool:
        return not self.ranked


def score_reply(item_index: str, reply: str, gold: Sequence[str]) -> RankedRow:
    ranked = parse_ranked_list(reply)
    return RankedRow(item_index, tuple(ranked), tuple(gold), first_hit_rank(ranked, gold))


def ranked_metrics(ranks: Sequence[int | None], parse_failed: Sequence[bool]) -> dict[str, float]:
    """The reference's deterministic keys, from each row's first-hit rank (None: no hit). Means are
    numpy's over the same lists as the reference's (pairwise summation), so values match to the bit."""
    n = len(ranks)
    found = [r for r in ranks if r is not None]
    values: dict[str, float] = {
        "n_total": n,
        "n_hit": len(found),
        "hit_rate": float(np.mean([r is not None for r in ranks])) if n else 0.0,
        "parse_fail_rate": float(np.mean([1 if f else 0 for f in parse_failed])) if n else 0.0,
        "MRR": float(np.mean([1.0 / r if r is not None else 0.0 for r in ranks])),
        "MR": float(np.mean(found)) if found else 0.0,
    }
    for k in RECALL_KS:
        values[f"recall@{k}"] = float(np.mean([1.0 if r is not None and r <= k else 0.0 for r in ranks]))
    return values
