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

from mmrare.core.mrarebench import (
    CONDITIONS,
    EVIDENCE_CONDITIONS,
    DifferentialGold,
    DifferentialPrediction,
    EvidenceGold,
    EvidencePrediction,
    evidence_points,
    image_numbers,
)
from mmrare.core.orphanet import parse_codes
from mmrare.core.pandas_cells import column_texts, is_blank, reference_text
from mmrare.core.tracks import read_list_cell
from mmrare.importers.predictions import PredictionSource, name_dataset, read_rows
from mmrare.importers.problems import ProblemLog


def split_file_name(path: Path) -> tuple[str, str]:
    """(model, dataset) from a VLMEvalKit output name; the dataset spelled as the reference spells it."""
    model, dataset = name_dataset(path)
    if model is None or (dataset not in CONDITIONS and dataset not in EVIDENCE_CONDITIONS):
        raise ValueError(
            f"{path}: expected <model>_<dataset>.xlsx|tsv|json|csv, the dataset an MRareBench condition (T1: "
            f"{', '.join(CONDITIONS)}; T2: {', '.join(EVIDENCE_CONDITIONS)})"
        )
    return model, dataset


def _release_rows(path: Path, required: str, notes: ProblemLog | None) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(row number, index, row) of each release row the reference keeps, in order: the index column
    typed as pandas types it (the row number from 0 without one), and rows whose image cell pandas
    reads as missing dropped, as the reference's loader drops them (counted in `notes`)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        columns = reader.fieldnames or []
        if required not in columns:
            raise ValueError(f"{path}: no {required} column (found: {', '.join(columns) or 'nothing'})")
        rows = list(reader)
    indexes = column_texts([r["index"] for r in rows]) if "index" in columns else [str(n) for n in range(len(rows))]
    dropped = []
    for n, (index, row) in enumerate(zip(indexes, rows, strict=True)):
        if "image" in columns and is_blank(row["image"]):
            dropped.append(n + 1)
            continue
        yield n + 1, index, row
    if dropped and notes is not None:
        shown = ", ".join(map(str, dropped[:10])) + (" ..." if len(dropped) > 10 else "")
        notes.warn(
            str(path),
            f"{len(dropped)} row(s)",
            "image",
            f"empty image cell: dropped as the reference's loader drops them (rows {shown})",
        )


def read_release(path: Path, notes: ProblemLog | None = None) -> dict[str, DifferentialGold]:
    """The release's rows by index, as the reference keeps them (`_release_rows`)."""
    out: dict[str, DifferentialGold] = {}
    for n, index, row in _release_rows(path, "answer", notes):
        codes = _orpha_codes(path, n, row, notes)
        # blank cells as pandas reads them: an answer becomes the text "nan", aliases none
        answer, aliases = reference_text(row["answer"]), row.get("answer_aliases")
        case = (row.get("case_id") or row.get("pmcid") or "").strip() or index
        out.setdefault(index, DifferentialGold(index, answer, "" if is_blank(aliases) else aliases, codes, case))
    return out


def _orpha_codes(path: Path, n: int, row: dict[str, str], notes: ProblemLog | None) -> tuple[int, ...]:
    """The row's ORPHA_code (T1) or orpha_code (T2) cell as codes (core.orphanet.parse_codes). The
    reference never reads this cell, so what is not a code is a warning, never a refusal."""
    column = "ORPHA_code" if "ORPHA_code" in row else "orpha_code"
    codes, bad = parse_codes(row.get(column))
    if bad and notes is not None:
        notes.warn(str(path), f"row {n}", column, f"not ORPHA codes: {', '.join(map(repr, bad))} (aligned by name)")
    return tuple(codes)


def _prediction_rows(path: Path, notes: ProblemLog | None) -> list[tuple[str, str, dict[str, object]]]:
    """(index, prediction, record) of each row of a prediction file, in order, as the reference reads
    them (index and prediction columns typed as pandas types them); a row the reader cannot take
    names its row."""
    records = []
    for n, record in read_rows(PredictionSource.from_path(path)):
        if "__error__" in record:
            raise ValueError(f"{path}, row {n}: {record['__error__']}")
        if "prediction" not in record:
            raise ValueError(f"{path}, row {n}, field prediction: missing (the reference requires the column)")
        records.append(record)
    indexes = column_texts([r.get("index") for r in records])
    replies = column_texts([r["prediction"] for r in records])
    return list(zip(indexes, replies, records, strict=True))


def read_predictions(
    path: Path, release: dict[str, DifferentialGold], notes: ProblemLog | None = None
) -> list[DifferentialPrediction]:
    """The file's rows, in order, each with its gold: its release row, else (as the reference does)
    the row's own answer columns; a repeated index is scored again, as the reference scores it."""
    rows = _prediction_rows(path, notes)
    _note_odd_rows(path, [index for index, _, _ in rows], release, notes, "scored with the row's own answer")
    out = []
    for index, reply, record in rows:
        own_aliases = "" if is_blank(record.get("answer_aliases")) else record.get("answer_aliases")
        gold = release.get(index) or DifferentialGold(index, reference_text(record.get("answer")), own_aliases, ())
        out.append(DifferentialPrediction(index, reply, gold))
    return out


def _note_odd_rows(path: Path, indexes: list[str], release: dict, notes: ProblemLog | None, unknown: str) -> None:
    """Warn of rows the reference scores but that answer no release row, or repeat an index."""
    if notes is None:
        return
    seen: dict[str, int] = {}
    for n, index in enumerate(indexes, start=1):
        if index not in release:
            notes.warn(str(path), f"row {n}", "index", f"{index!r} is not in the release: {unknown}")
        if index in seen:
            notes.warn(str(path), f"row {n}", "index", f"{index!r} repeats row {seen[index]}: scored again")
        seen.setdefault(index, n)


def read_evidence_release(path: Path, notes: ProblemLog | None = None) -> dict[str, EvidenceGold]:
    """The T2 release's rows by index, as the reference keeps them (`_release_rows`), read as it
    reads them: the rationale is gold_rationale when the file has that column (a blank cell is the
    text "nan"), else gold_answer_open; the images are the image cell's entries, else image_path's;
    a points cell that is not a list of points gives none (warned: the row scores no point)."""
    out: dict[str, EvidenceGold] = {}
    for n, index, row in _release_rows(path, "acceptable_evidence_points", notes):
        rationale_column = next((c for c in ("gold_rationale", "gold_answer_open") if c in row), None)
        images = [x for x in read_list_cell(row.get("image")).values if x]
        images = images or [x for x in read_list_cell(row.get("image_path")).values if x]
        points = evidence_points(read_list_cell(row["acceptable_evidence_points"]).values)
        if not points and notes is not None:
            notes.warn(str(path), f"row {n}", "acceptable_evidence_points", "no evidence point: scored with none")
        gold = EvidenceGold(
            index,
            reference_text(row["final_diagnosis"]) if "final_diagnosis" in row else "",
            reference_text(row[rationale_column]) if rationale_column else "",
            points,
            len(images),
            image_numbers(row.get("decisive_image_ids")),
            image_numbers(row.get("supporting_image_ids")),
            "" if is_blank(row.get("task_type")) else str(row["task_type"]),
            (row.get("case_id") or row.get("pmcid") or "").strip() or index,
            _orpha_codes(path, n, row, notes),
        )
        out.setdefault(index, gold)
    return out


def read_evidence_predictions(
    path: Path, release: dict[str, EvidenceGold], notes: ProblemLog | None = None
) -> list[EvidencePrediction]:
    """The file's rows, in order, each with its release row (None when the release has none)."""
    rows = _prediction_rows(path, notes)
    _note_odd_rows(path, [index for index, _, _ in rows], release, notes, "counted and scored with nothing")
    return [EvidencePrediction(index, reply, release.get(index)) for index, reply, _ in rows]
