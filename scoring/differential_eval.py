"""Scoring MRareBench T1 prediction files (`<model>_MRareBench_Diagnosis[_FD|_TO].<ext>`) against a
release's `diagnosis_opened.tsv`: the reference's deterministic keys, and beside them (when the graph
holds Orphanet) the ontology-grounded numbers and the rows where the two rules disagree.

Rows are read as the reference reads them: a prediction or answer cell pandas would read as missing
becomes the text "nan" (blank aliases are none); each prediction row takes its gold from the release
row of the same index, or from its own answer columns when the release has no such row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from importers.predictions import PredictionSource, is_blank, read_rows
from scoring.differential_judge import judge_differentials, judge_metrics
from scoring.grounded_match import GroundedCandidate, OntologyMatcher, first_rank, grounded_metrics
from scoring.openai_judge import OpenAISettings
from scoring.ranked_differential import RankedRow, gold_set, ranked_metrics, score_reply

CONDITIONS = {
    "MRareBench_Diagnosis": "baseline (findings redacted, images)",
    "MRareBench_Diagnosis_FD": "findings disclosed, images",
    "MRareBench_Diagnosis_TO": "text only",
}
FILE_NAME = re.compile(
    r"^(?P<model>.+)_(?P<dataset>MRareBench_Diagnosis(?:_FD|_TO)?)\.(?:xlsx|tsv|json|csv)$", re.IGNORECASE
)
_CANONICAL = {name.lower(): name for name in CONDITIONS}


@dataclass(frozen=True)
class DifferentialGold:
    index: str
    answer: str
    aliases: object  # the raw answer_aliases cell
    orpha_code: int | None
    case: str = ""  # the case the row comes from (case_id or pmcid column), for clustered intervals


@dataclass(frozen=True)
class Disagreement:
    index: str
    answer: str
    reference_rank: int | None
    reference_candidate: str | None
    grounded_rank: int | None
    reference_candidate_relation: str | None  # what the ontology says the string rule's hit is


@dataclass(frozen=True)
class DifferentialReport:
    model: str
    dataset: str
    reference: dict[str, float]
    grounded: dict[str, float] | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    rows: tuple[RankedRow, ...] = field(default=(), repr=False)  # per prediction row, in file order


def split_file_name(path: Path) -> tuple[str, str]:
    """(model, dataset) from a VLMEvalKit output name; the dataset spelled as the reference spells it."""
    match = FILE_NAME.match(path.name)
    if not match:
        raise ValueError(
            f"{path}: expected <model>_MRareBench_Diagnosis[_FD|_TO].xlsx|tsv|json|csv (the T1 conditions: "
            f"{', '.join(CONDITIONS)})"
        )
    return match["model"], _CANONICAL[match["dataset"].lower()]


def read_release(path: Path) -> dict[str, DifferentialGold]:
    """The release's rows by index (the row number from 0 when there is no index column, as the
    reference numbers them)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        if "answer" not in (reader.fieldnames or []):
            raise ValueError(f"{path}: no answer column (found: {', '.join(reader.fieldnames or []) or 'nothing'})")
        out: dict[str, DifferentialGold] = {}
        for n, row in enumerate(reader):
            index = row["index"] if "index" in row else str(n)
            code_text = (row.get("ORPHA_code") or row.get("orpha_code") or "").strip()
            code_text = code_text.removeprefix("ORPHA:").removeprefix("Orphanet_")
            if code_text and not code_text.isdigit():
                raise ValueError(f"{path}, row {n + 2}, field ORPHA_code: {code_text!r} is not an ORPHAcode")
            code = int(code_text) if code_text else None
            # blank cells as pandas reads them: an answer becomes the text "nan", aliases none
            answer, aliases = _text(row["answer"]), row.get("answer_aliases")
            case = (row.get("case_id") or row.get("pmcid") or "").strip() or index
            out.setdefault(index, DifferentialGold(index, answer, "" if is_blank(aliases) else aliases, code, case))
        return out


def _text(value: object) -> str:
    """A cell as the reference's str() of a pandas value sees it."""
    return "nan" if is_blank(value) else str(value)


def evaluate_file(
    path: Path,
    release: dict[str, DifferentialGold],
    matcher: OntologyMatcher | None = None,
    judge: OpenAISettings | None = None,
) -> DifferentialReport:
    """The reference's keys for one prediction file (with a judge: its five dimensions too), and the
    grounded numbers apart when a matcher is given."""
    model, dataset = split_file_name(path)
    rows: list[RankedRow] = []
    golds: list[DifferentialGold] = []
    for n, record in read_rows(PredictionSource.from_path(path)):
        if "__error__" in record:
            raise ValueError(f"{path}, row {n}: {record['__error__']}")
        if "prediction" not in record:
            raise ValueError(f"{path}, row {n}, field prediction: missing (the reference requires the column)")
        index = _text(record.get("index"))
        own_aliases = "" if is_blank(record.get("answer_aliases")) else record.get("answer_aliases")
        gold = release.get(index) or DifferentialGold(index, _text(record.get("answer")), own_aliases, None)
        golds.append(gold)
        rows.append(score_reply(index, _text(record["prediction"]), gold_set(gold.answer, gold.aliases)))
    reference = ranked_metrics([r.first_hit for r in rows], [r.parse_failed for r in rows])
    if judge is not None:
        judged = judge_differentials([(r.ranked, r.gold) for r in rows], judge)
        reference |= judge_metrics(judged)
    if matcher is None:
        return DifferentialReport(model, dataset, reference, rows=tuple(rows))
    grounded_rows = [matcher.ground(r.ranked, answer_codes(g, matcher)) for r, g in zip(rows, golds, strict=True)]
    return DifferentialReport(
        model,
        dataset,
        reference,
        grounded_metrics(grounded_rows),
        disagreements(rows, golds, grounded_rows),
        tuple(rows),
    )


def answer_codes(gold: DifferentialGold, matcher: OntologyMatcher) -> frozenset[int]:
    """The release's ORPHAcode, else the answer (then each alias) aligned by name."""
    if gold.orpha_code is not None:
        return frozenset({gold.orpha_code})
    for text in gold_set(gold.answer, gold.aliases):
        code, _ = matcher.align(text)
        if code is not None:
            return frozenset({code})
    return frozenset()


def disagreements(
    rows: Sequence[RankedRow], golds: Sequence[DifferentialGold], grounded: Sequence[Sequence[GroundedCandidate]]
) -> list[Disagreement]:
    """The rows whose first hit differs between the string rule and the answer's ORPHAcode."""
    out = []
    for row, gold, candidates in zip(rows, golds, grounded, strict=True):
        mine = first_rank(candidates, frozenset({"answer"}))
        if mine == row.first_hit:
            continue
        hit = row.first_hit
        out.append(
            Disagreement(
                row.item_index,
                gold.answer,
                hit,
                row.ranked[hit - 1] if hit else None,
                mine,
                candidates[hit - 1].relation if hit else None,
            )
        )
    return out
