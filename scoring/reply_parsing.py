"""Judge replies to scores, by the reference evaluator's rules (DESIGN.md section 7).

Each parser returns (score, dims): dims are what was read (yes/no as 1/0, or 0-2 digits), so a
stored judgement shows how its score was reached.
"""

from __future__ import annotations

import re

_YES_NO = re.compile(r"\b(yes|no)\b")
_FRACTION = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_BARE_DECIMAL = re.compile(r"(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)")
_DIGIT_0_2 = re.compile(r"\b([0-2])\b")


def _yes_no(reply: str) -> list[int]:
    return [1 if m == "yes" else 0 for m in _YES_NO.findall(reply.lower())]


def _fraction(reply: str) -> float | None:
    m = _FRACTION.search(reply)
    if m is None or float(m.group(2)) == 0:
        return None
    return float(m.group(1)) / float(m.group(2))


def parse_diagnosis(reply: str) -> tuple[float, list[int]]:
    """First three yes/no: exact (d1), category (d2), specific (d3)."""
    dims = _yes_no(reply)[:3]
    if len(dims) == 3:
        d1, d2, d3 = dims
        return ((3 + d2 + d3) / 5 if d1 else (d2 + d3) / 10), dims
    fraction = _fraction(reply)
    return (min(fraction, 1.0) if fraction is not None else 0.0), dims


def parse_yes_ratio(reply: str) -> tuple[float, list[int]]:
    """Treatment (6 dimensions) and cross-modal (5): yes / (yes + no) over every yes/no found."""
    dims = _yes_no(reply)
    if len(dims) >= 2:
        return sum(dims) / len(dims), dims
    if len(dims) == 1:
        return float(dims[0]), dims
    fraction = _fraction(reply)
    if fraction is not None:
        return fraction, dims
    percent = _PERCENT.search(reply)
    if percent is not None:
        return float(percent.group(1)) / 100, dims
    if _BARE_DECIMAL.fullmatch(reply.strip()):
        return float(reply.strip()), dims
    return 0.0, dims


def parse_examination(reply: str) -> tuple[float, list[int]]:
    """Eight 0-2 dimensions: the first eight whole-word digits 0-2 summed over 16; else yes/no ratio
    when at least six are found; else x / y; else 0."""
    digits = [int(d) for d in _DIGIT_0_2.findall(reply)]
    if len(digits) >= 8:
        return sum(digits[:8]) / 16, digits[:8]
    dims = _yes_no(reply)
    if len(dims) >= 6:
        return sum(dims) / len(dims), dims
    fraction = _fraction(reply)
    return (fraction if fraction is not None else 0.0), dims


PARSERS = {
    "diagnosis": parse_diagnosis,
    "treatment": parse_yes_ratio,
    "crossmodal": parse_yes_ratio,
    "examination": parse_examination,
}
