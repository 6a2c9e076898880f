"""Judge replies to scores, by the reference evaluator's rules (docs/scoring.md).

Each parser returns (score, dims): dims are what was read (yes/no as 1/0, or 0-2 digits), so a
stored judgement shows how its score was reached. The fallback chain of each track is followed
step by step; the regular expressions are the reference's, so Unicode digits and word boundaries
behave as they do there.
"""

from __future__ import annotations

import re

_YES_NO = re.compile(r"\b(yes|no)\b")
# The denominator is an integer: "3/4.5" reads as 3/4.
_FRACTION = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
# Searched anywhere: "Score: 0.75" gives 0.75, "1.5" gives 1 (the "1" before the dot), ".5" nothing.
_ZERO_ONE = re.compile(r"\b(0(?:\.\d+)?|1(?:\.0+)?)\b")
_DIGIT_0_2 = re.compile(r"\b([012])\b")


class ZeroDenominator(ValueError):
    """An x/0 reply: the reference's division fails, so the item scores 0 with no further fallback."""


def _yes_no(text: str) -> list[int]:
    return [1 if m == "yes" else 0 for m in _YES_NO.findall(text.lower())]


def fraction(text: str) -> float | None:
    """The first x/y, clamped to 1 (every track); None when there is none."""
    m = _FRACTION.search(text)
    if m is None:
        return None
    denominator = float(m.group(2))
    if denominator == 0:
        raise ZeroDenominator(m.group(0))
    return min(float(m.group(1)) / denominator, 1.0)


def _zero_denominator_safe(parser):
    """A zero denominator scores 0 and stops the chain, as the reference's failed call does."""

    def parse(reply: str) -> tuple[float, list[int]]:
        try:
            return parser(str(reply).strip())
        except ZeroDenominator:
            return 0.0, []

    parse.__name__ = parser.__name__
    parse.__doc__ = parser.__doc__
    return parse


@_zero_denominator_safe
def parse_diagnosis(reply: str) -> tuple[float, list[int]]:
    """The first three yes/no: exact (d1), category (d2), specific (d3). A first yes gives
    (3 + d2 + d3) / 5, a first no (d2 + d3) / 10. Fewer than three: x/y, else 0."""
    dims = _yes_no(reply)[:3]
    if len(dims) == 3:
        d1, d2, d3 = dims
        return ((3 + d2 + d3) / 5 if d1 else (d2 + d3) / 10), dims
    value = fraction(reply)
    return (value if value is not None else 0.0), dims


@_zero_denominator_safe
def parse_yes_ratio(reply: str) -> tuple[float, list[int]]:
    """Treatment (6 dimensions) and cross-modal (5): yes / (yes + no) over every yes/no found; one
    alone gives 1 or 0; else x/y, else N%, else the first 0/1 decimal anywhere, else 0."""
    dims = _yes_no(reply)
    if len(dims) >= 2:
        return sum(dims) / len(dims), dims
    if len(dims) == 1:
        return float(dims[0]), dims
    value = fraction(reply)
    if value is not None:
        return value, dims
    percent = _PERCENT.search(reply)
    if percent is not None:
        return min(float(percent.group(1)) / 100, 1.0), dims
    decimal = _ZERO_ONE.search(reply.lower())
    if decimal is not None:
        return float(decimal.group(1)), dims
    return 0.0, dims


@_zero_denominator_safe
def parse_examination(reply: str) -> tuple[float, list[int]]:
    """Eight 0-2 dimensions: the first eight whole-word digits 0-2 summed over 16; else the yes/no
    ratio when at least six are found; else x/y; else 0."""
    digits = [int(d) for d in _DIGIT_0_2.findall(reply)]
    if len(digits) >= 8:
        return sum(digits[:8]) / 16, digits[:8]
    dims = _yes_no(reply)
    if len(dims) >= 6:
        return sum(dims) / len(dims), dims
    value = fraction(reply)
    return (value if value is not None else 0.0), dims


PARSERS = {
    "diagnosis": parse_diagnosis,
    "treatment": parse_yes_ratio,
    "crossmodal": parse_yes_ratio,
    "examination": parse_examination,
}
