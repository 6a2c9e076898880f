"""MRareBench (the authors' successor benchmark), T1: its input conditions and a row's gold."""

from __future__ import annotations

from dataclasses import dataclass

# the reference's dataset names, one per input condition, and what the model was shown
CONDITIONS = {
    "MRareBench_Diagnosis": "baseline (findings redacted, images)",
    "MRareBench_Diagnosis_FD": "findings disclosed, images",
    "MRareBench_Diagnosis_TO": "text only",
}


@dataclass(frozen=True)
class DifferentialGold:
    index: str
    answer: str
    aliases: object  # the raw answer_aliases cell
    orpha_code: int | None
    case: str = ""  # the case the row comes from (case_id or pmcid column), for clustered intervals


@dataclass(frozen=True)
class DifferentialPrediction:
    """One prediction row: its item index, the reply text as the reference sees it, and its gold."""

    index: str
    reply: str
    gold: DifferentialGold
