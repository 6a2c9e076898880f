"""MRareBench T2's judge: a per-item YES/NO rubric over the item's own evidence points.

The prompt is our own wording of the reference's questions, in its order, so that replies read the
same way: one line per required point (is it stated?), one per optional point (is it stated?), then
one per required point again (is it contradicted?), 2 x required + optional lines in all. A reply is
read by `parse_rubric` (scoring/evidence_verification.py); a call that fails answers NO throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from mmrare.core.mrarebench import EvidencePrediction
from mmrare.scoring.evidence_verification import RubricVerdict, parse_rubric
from mmrare.scoring.openai_judge import OpenAISettings, chat, judge_client


def _numbered(points: Sequence[str]) -> str:
    return "\n".join(f"{k}. {p}" for k, p in enumerate(points, start=1)) or "(none)"


def rubric_prompt(reply: str, diagnosis: str, rationale: str, required: Sequence[str], optional: Sequence[str]) -> str:
    n_req, n_opt = len(required), len(optional)
    return (
        "You check a model's description of what medical images show against a list of evidence points. "
        "Be strict: say YES only when a point is plainly and correctly stated, never for a vague match or "
        "for repeating the diagnosis or the question.\n\n"
        f"Diagnosis the model was given (not what you grade): {diagnosis}\n\n"
        f"What the images show, per the reference:\n{rationale}\n\n"
        f"Description to grade:\n{reply}\n\n"
        f"Required points ({n_req}):\n{_numbered(required)}\n\n"
        f"Optional points ({n_opt}):\n{_numbered(optional)}\n\n"
        "Answer with YES or NO, one per line, in this order:\n"
        f"- {n_req} line(s), one per required point in order: does the description state it?\n"
        f"- {n_opt} line(s), one per optional point in order: does the description state it?\n"
        f"- {n_req} line(s), one per required point in order: does the description clearly contradict it "
        "(say it is absent, or claim the opposite finding)? NO unless the contradiction is clear.\n\n"
        f"Reply with exactly {2 * n_req + n_opt} lines of YES or NO and nothing else."
    )


def judge_evidence(predictions: Sequence[EvidencePrediction], settings: OpenAISettings) -> list[RubricVerdict]:
    """One judge call per row with a release row, in order."""

    def one(p: EvidencePrediction) -> RubricVerdict:
        gold = p.gold
        if gold is None:
            return RubricVerdict((), "JUDGE_SKIP: no release row")
        n = 2 * len(gold.required) + len(gold.optional)
        prompt = rubric_prompt(p.reply, gold.diagnosis, gold.rationale, gold.required, gold.optional)
        reply, error = chat(client, settings, prompt)
        if reply is None:
            return RubricVerdict(tuple([0] * n), f"JUDGE_ERROR: {error}")
        return RubricVerdict(tuple(parse_rubric(reply, n)), reply)

    with judge_client(settings) as client, ThreadPoolExecutor(settings.concurrency) as pool:
        return list(pool.map(one, predictions))
