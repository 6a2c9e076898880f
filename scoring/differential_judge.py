"""MRareBench T1's optional judge: five dimensions of a ranked differential, read from the judge's reply
by the reference evaluator's rules and averaged as it averages them (docs/mrarebench.md).

The prompt is our own wording of the same five questions, in the same order: presence of the answer
(yes/no), the answer first (yes/no), how close the best candidate's disease type is (0-3), whether
the candidates are specific diseases (yes/no), and whether the list is clinically coherent (yes/no).

Reading a reply: its non-blank lines, stripped; the first five (missing ones blank). A yes/no line
counts 1 when its first whole word "yes" or "no" is "yes", else 0. The 0-3 line loses a leading
"3." or "3)" numbering, then its first digit 0-3 counts, else 0. A call that fails counts five zeros.
Per item, the mean of the five with the 0-3 dimension divided by 3; `judge_avg_score` is the mean
of those; `judge_dim_<name>` the mean of each raw dimension (the 0-3 one left on its scale).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from mmrare.scoring.openai_judge import OpenAISettings, chat, judge_client

DIMENSIONS = ("presence", "top1", "typematch", "specificity", "coherence")
_YES_NO = re.compile(r"\b(yes|no)\b")
_LEADING_NUMBER = re.compile(r"^\s*\d+\s*[.)]\s*")
_ZERO_TO_THREE = re.compile(r"[0-3]")


def differential_prompt(ranked: Sequence[str], gold: Sequence[str]) -> str:
    answer = gold[0] if gold else ""
    aliases = "; ".join(gold[1:]) if len(gold) > 1 else "(none)"
    listed = "\n".join(f"{k}. {c}" for k, c in enumerate(ranked, start=1)) or "(empty)"
    return (
        "Grade a ranked differential diagnosis against the confirmed diagnosis. Be strict: answer YES only "
        "when the criterion is fully and plainly met.\n\n"
        f"Confirmed diagnosis: {answer}\nOther accepted names: {aliases}\n\n"
        f"Differential, most likely first:\n{listed}\n\n"
        "Answer five questions, one line each, in this order:\n"
        "1. Is the confirmed diagnosis, or an accepted name of it, anywhere in the list? YES or NO\n"
        "2. Is the first entry the confirmed diagnosis or an accepted name of it? YES or NO\n"
        "3. How close is the closest entry's disease type to the confirmed diagnosis? 3: the same disease, "
        "an accepted name or a named subtype of it; 2: a sibling subtype of the same disease or its "
        "immediate parent; 1: the same family or mechanism only; 0: unrelated. A number 0-3\n"
        "4. Does every entry name a specific disease rather than a broad category (such as 'tumour' or "
        "'infection')? YES or NO\n"
        "5. Is the list clinically plausible for such a case, with likelier diseases ranked higher? YES or NO\n\n"
        "Reply with exactly five lines and nothing else: YES/NO, YES/NO, 0-3, YES/NO, YES/NO."
    )


def parse_dimensions(reply: str) -> list[int]:
    """[presence, top1, typematch, specificity, coherence] from a reply (see the module's rules)."""
    lines = [line.strip() for line in str(reply).strip().splitlines() if line.strip()][:5]
    lines += [""] * (5 - len(lines))

    def yes_no(text: str) -> int:
        found = _YES_NO.search(text.lower())
        return 1 if found and found.group(1) == "yes" else 0

    def zero_to_three(text: str) -> int:
        found = _ZERO_TO_THREE.search(_LEADING_NUMBER.sub("", text, count=1))
        return int(found.group(0)) if found else 0

    return [yes_no(lines[0]), yes_no(lines[1]), zero_to_three(lines[2]), yes_no(lines[3]), yes_no(lines[4])]


@dataclass(frozen=True)
class JudgedRow:
    dimensions: tuple[int, ...]
    reply: str  # the judge's text, or the error


def judge_metrics(rows: Sequence[JudgedRow]) -> dict[str, float]:
    """judge_avg_score and judge_dim_<name>, with numpy's means over the same arrays as the reference."""
    if not rows:
        return {}
    dims = np.array([r.dimensions for r in rows], dtype=float)
    scaled = dims.copy()
    scaled[:, 2] = scaled[:, 2] / 3.0
    per_item = scaled.mean(axis=1)
    values = {"judge_avg_score": float(per_item.mean())}
    for j, name in enumerate(DIMENSIONS):
        values[f"judge_dim_{name}"] = float(dims[:, j].mean())
    return values


def judge_differentials(
    lists: Sequence[tuple[Sequence[str], Sequence[str]]], settings: OpenAISettings
) -> list[JudgedRow]:
    """One judge call per (ranked list, gold names), in order; a failed call counts five zeros."""

    def one(pair: tuple[Sequence[str], Sequence[str]]) -> JudgedRow:
        reply, error = chat(client, settings, differential_prompt(*pair))
        if reply is None:
            return JudgedRow((0, 0, 0, 0, 0), f"JUDGE_ERROR: {error}")
        return JudgedRow(tuple(parse_dimensions(reply)), reply)

    with judge_client(settings) as client, ThreadPoolExecutor(settings.concurrency) as pool:
        return list(pool.map(one, lists))
