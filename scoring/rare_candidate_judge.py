"""MRareBench T1's optional rare-candidate judge: is each candidate of a differential a specific rare
disease? It measures a model's tendency to propose rare diseases, not whether it is right.

The judge is asked once per distinct candidate (after the token-F1 normalisation) and answers with a
JSON object: candidate, label (rare, nonrare, generic or unknown), is_rare_disease,
is_specific_disease, orpha_code_if_known. The prompt is our own wording; the reading of a reply
follows the reference evaluator (VLMEvalKit `vlmeval/dataset/mrarebench.py`):

- the reply's JSON object: the whole text, else the span from the first "{" to the last "}";
  none is a parse failure and reads as label unknown;
- the label is lowercased, stripped and loses its hyphens ("non-rare" is "nonrare"); any other
  value is unknown;
- is_rare_disease is read as a boolean (true/false, yes/no, y/n, 1/0, numbers); unreadable means
  "label is rare"; it is false whatever it says when the label is nonrare, generic or unknown;
- is_specific_disease likewise defaults to "label is rare or nonrare", and is false for generic;
- a candidate with no judgement (a failed call, an empty name) is unknown and a parse failure.

Per row, its first ten candidates: how many are rare, that count over ten (a shorter list is still
divided by ten), how many unknown and how many generic. The keys are the means of those over rows
(`rare_candidate_count@10_mean`, `rare_candidate_ratio@10`, `rare_candidate_unknown_count@10_mean`,
`rare_candidate_generic_count@10_mean`), the share of the used candidate judgements that failed to
parse (`rare_candidate_judge_parse_fail_rate`) and the number of distinct candidates
(`rare_candidate_unique_total`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from mmrare.scoring.openai_judge import OpenAISettings, chat, judge_client
from mmrare.scoring.ranked_differential import TOP_K
from mmrare.scoring.token_f1 import normalise

LABELS = ("rare", "nonrare", "generic", "unknown")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_NO_CODE = frozenset({"", "none", "null", "unknown"})


@dataclass(frozen=True)
class RareLabel:
    candidate: str
    label: str
    is_rare: bool
    is_specific: bool
    orpha_code: str | None
    parse_failed: bool
    reply: str = ""


def rare_candidate_prompt(candidate: str) -> str:
    return (
        "You classify one entry of a differential diagnosis list by itself, without any patient.\n\n"
        f"Entry: {candidate}\n\n"
        "Say whether the entry names one specific disease, and whether that disease is rare. Broad terms "
        "(for example 'genetic disorder', 'tumour', 'infection', 'autoimmune disease', or 'syndrome' alone) "
        "are generic, not specific diseases. Do not consider whether the entry fits any case.\n\n"
        "Answer with one JSON object and nothing else, with these keys:\n"
        '{"candidate": the entry, "label": one of "rare", "nonrare", "generic", "unknown", '
        '"is_rare_disease": true or false, "is_specific_disease": true or false, '
        '"orpha_code_if_known": "ORPHA:<code>" or null}\n'
        'Use "unknown" when you cannot tell.'
    )


def _boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _json_object(text: str) -> dict | None:
    text = str(text).strip()
    for attempt in (text, *(m.group(0) for m in [_OBJECT.search(text)] if m)):
        try:
            parsed = json.loads(attempt)
        except (ValueError, RecursionError):
            continue
        return parsed if isinstance(parsed, dict) else None
    return None


def canonical_label(record: dict, candidate: str, reply: str = "", parse_failed: bool = False) -> RareLabel:
    """A judgement as the reference canonicalises it (see the module's rules)."""
    label = str(record.get("label", "unknown")).strip().lower().replace("-", "")
    if label not in LABELS:
        label = "unknown"
    is_rare = _boolean(record.get("is_rare_disease"))
    if is_rare is None:
        is_rare = label == "rare"
    if label in ("nonrare", "generic", "unknown"):
        is_rare = False
    is_specific = _boolean(record.get("is_specific_disease"))
    if is_specific is None:
        is_specific = label in ("rare", "nonrare")
    if label == "generic":
        is_specific = False
    code = record.get("orpha_code_if_known")
    if isinstance(code, str) and code.strip().lower() in _NO_CODE:
        code = None
    name = str(record.get("candidate") or candidate or "").strip()
    return RareLabel(name, label, is_rare, is_specific, None if code is None else str(code), parse_failed, reply)


def read_rare_reply(reply: str, candidate: str) -> RareLabel:
    record = _json_object(reply)
    if record is None:
        return canonical_label({"label": "unknown"}, candidate, reply, parse_failed=True)
    return canonical_label(record, candidate, reply)


def distinct_candidates(lists: Sequence[Sequence[str]]) -> dict[str, str]:
    """Normalised name -> the first spelling seen, over every list's first ten entries."""
    out: dict[str, str] = {}
    for ranked in lists:
        for candidate in ranked[:TOP_K]:
            key = normalise(candidate)
            if key and key not in out:
                out[key] = str(candidate).strip()
    return out


def rare_candidate_metrics(lists: Sequence[Sequence[str]], labels: dict[str, RareLabel]) -> dict[str, float]:
    """The reference's summary keys, from each list and the judgements by normalised name."""
    counts, unknown, generic, failed = [], [], [], []
    for ranked in lists:
        flags = []
        row_unknown = row_generic = 0
        for candidate in ranked[:TOP_K]:
            found = labels.get(normalise(candidate))
            if found is None:
                found = canonical_label({"label": "unknown"}, candidate, "no judgement", parse_failed=True)
            flags.append(1 if found.is_rare else 0)
            row_unknown += found.label == "unknown"
            row_generic += found.label == "generic"
            failed.append(1 if found.parse_failed else 0)
        counts.append(sum(flags))
        unknown.append(row_unknown)
        generic.append(row_generic)
    ratios = [count / TOP_K for count in counts]

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else 0.0

    return {
        "rare_candidate_count@10_mean": mean(counts),
        "rare_candidate_ratio@10": mean(ratios),
        "rare_candidate_unknown_count@10_mean": mean(unknown),
        "rare_candidate_generic_count@10_mean": mean(generic),
        "rare_candidate_judge_parse_fail_rate": mean(failed),
        "rare_candidate_unique_total": len(distinct_candidates(lists)),
    }


def judge_rare_candidates(lists: Sequence[Sequence[str]], settings: OpenAISettings) -> dict[str, RareLabel]:
    """One judge call per distinct candidate; a failed call is unknown and a parse failure."""
    distinct = distinct_candidates(lists)

    def one(candidate: str) -> RareLabel:
        reply, error = chat(client, settings, rare_candidate_prompt(candidate))
        if reply is None:
            return canonical_label({"label": "unknown"}, candidate, f"JUDGE_ERROR: {error}", parse_failed=True)
        return read_rare_reply(reply, candidate)

    with judge_client(settings) as client, ThreadPoolExecutor(settings.concurrency) as pool:
        return dict(zip(distinct, pool.map(one, distinct.values()), strict=True))
