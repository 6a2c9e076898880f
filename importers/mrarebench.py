"""Reading MRareBench files as the reference reads them: the releases (T1 `diagnosis_opened.tsv`, T2
`evidence_verification_opened_FULL609.tsv`), and prediction files named
`<model>_MRareBench_Diagnosis[_FD|_TO]` or `<model>_MRareBench_EvidenceVerif[_TO|_NoDx]` (.xlsx, .tsv,
.json or .csv).

A prediction or answer cell pandas would read as missing becomes the text "nan" (blank aliases are
none). A T1 prediction row takes its gold from the release row of the same index, or from its own
answer columns when the release has no such row; a T2 row without a release row is counted and
scored with nothing (as the reference does).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from core.mrarebench import (
    CONDITIONS,
    EVIDENCE_CONDITIONS,
    DifferentialGold,
    DifferentialPrediction,
    EvidenceGold,
    EvidencePrediction,
    evidence_points,
    image_numbers,
)
from core.tracks import is_blank, read_list_cell, reference_text
from importers.predictions import PredictionSource, name_dataset, read_rows


def split_file_name(path: Path) -> tuple[str, str]:
    """(model, dataset) from a VLMEvalKit output name; the dataset spelled as the reference spells it."""
    model, dataset = name_dataset(path)
    if model is None or (dataset not in CONDITIONS and dataset not in EVIDENCE_CONDITIONS):
        raise ValueError(
            f"{path}: expected <model>_<dataset>.xlsx|tsv|json|csv, the dataset an MRareBench condition (T1: "
            f"{', '.join(CONDITIONS)}; T2: {', '.join(EVIDENCE_CONDITIONS)})"
        )
    return model, dataset


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
            code = _orpha_code(path, n, row)
            # blank cells as pandas reads them: an answer becomes the text "nan", aliases none
            answer, aliases = reference_text(row["answer"]), row.get("answer_aliases")
            case = (row.get("case_id") or row.get("pmcid") or "").strip() or index
            out.setdefault(index, DifferentialGold(index, answer, "" if is_blank(aliases) else aliases, code, case))
        return out


def _orpha_code(path: Path, n: int, row: dict[str, str]) -> int | None:
    """The row's ORPHA_code (T1) or orpha_code (T2) cell: a number, 'ORPHA:n' or 'Orphanet_n'."""
    column = "ORPHA_code" if "ORPHA_code" in row else "orpha_code"
    text = (row.get(column) or "").strip().removeprefix("ORPHA:").removeprefix("Orphanet_")
    if text and not text.isdigit():
        raise ValueError(f"{path}, row {n + 2}, field {column}: {text!r} is not an ORPHAcode")
    return int(text) if text else None


def _prediction_rows(path: Path) -> Iterator[tuple[str, str, dict[str, object]]]:
    """(index, prediction, record) of each row of a prediction file, in order, as the reference reads
    them; a row the reader cannot take names its row."""
    for n, record in read_rows(PredictionSource.from_path(path)):
        if "__error__" in record:
            raise ValueError(f"{path}, row {n}: {record['__error__']}")
        if "prediction" not in record:
            raise ValueError(f"{path}, row {n}, field prediction: missing (the reference requires the column)")
        yield reference_text(record.get("index")), reference_text(record["prediction"]), record


def read_predictions(path: Path, release: dict[str, DifferentialGold]) -> list[DifferentialPrediction]:
    """The file's rows, in order, each with its gold."""
    out = []
    for index, reply, record in _prediction_rows(path):
        own_aliases = "" if is_blank(record.get("answer_aliases")) else record.get("answer_aliases")
        gold = release.get(index) or DifferentialGold(index, reference_text(record.get("answer")), own_aliases, None)
        out.append(DifferentialPrediction(index, reply, gold))
    return out


def read_evidence_release(path: Path) -> dict[str, EvidenceGold]:
    """The T2 release's rows by index (the row number from 0 when there is no index column), read as
    the reference reads them: the rationale is gold_rationale when the file has that column (a blank
    cell is the text "nan"), else gold_answer_open; the images are the image cell's entries, else
    image_path's; a points cell that is not a list of points gives none."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        columns = reader.fieldnames or []
        if "acceptable_evidence_points" not in columns:
            raise ValueError(f"{path}: no acceptable_evidence_points column (found: {', '.join(columns) or 'nothing'})")
        rationale_column = next((c for c in ("gold_rationale", "gold_answer_open") if c in columns), None)
        out: dict[str, EvidenceGold] = {}
        for n, row in enumerate(reader):
            index = row["index"] if "index" in row else str(n)
            images = [x for x in read_list_cell(row.get("image")).values if x]
            images = images or [x for x in read_list_cell(row.get("image_path")).values if x]
            gold = EvidenceGold(
                index,
                reference_text(row["final_diagnosis"]) if "final_diagnosis" in row else "",
                reference_text(row[rationale_column]) if rationale_column else "",
                evidence_points(read_list_cell(row["acceptable_evidence_points"]).values),
                len(images),
                image_numbers(row.get("decisive_image_ids")),
                image_numbers(row.get("supporting_image_ids")),
                "" if is_blank(row.get("task_type")) else str(row["task_type"]),
                (row.get("case_id") or row.get("pmcid") or "").strip() or index,
                _orpha_code(path, n, row),
            )
            out.setdefault(index, gold)
        return out


def read_evidence_predictions(path: Path, release: dict[str, EvidenceGold]) -> list[EvidencePrediction]:
    """The file's rows, in order, each with its release row (None when the release has none)."""
    return [EvidencePrediction(index, reply, release.get(index)) for index, reply, _ in _prediction_rows(path)]
