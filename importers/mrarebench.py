"""Reading MRareBench T1 files as the reference reads them: the release's `diagnosis_opened.tsv`, and
prediction files named `<model>_MRareBench_Diagnosis[_FD|_TO].xlsx|tsv|json|csv`.

A prediction or answer cell pandas would read as missing becomes the text "nan" (blank aliases are
none); each prediction row takes its gold from the release row of the same index, or from its own
answer columns when the release has no such row.
"""

from __future__ import annotations

import csv
from pathlib import Path

from core.mrarebench import CONDITIONS, DifferentialGold, DifferentialPrediction
from core.tracks import is_blank
from importers.predictions import PredictionSource, name_dataset, read_rows


def split_file_name(path: Path) -> tuple[str, str]:
    """(model, dataset) from a VLMEvalKit output name; the dataset spelled as the reference spells it."""
    model, dataset = name_dataset(path)
    if model is None or dataset not in CONDITIONS:
        raise ValueError(
            f"{path}: expected <model>_MRareBench_Diagnosis[_FD|_TO].xlsx|tsv|json|csv (the T1 conditions: "
            f"{', '.join(CONDITIONS)})"
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


def read_predictions(path: Path, release: dict[str, DifferentialGold]) -> list[DifferentialPrediction]:
    """The file's rows, in order, each with its gold; a row the reader cannot take names its row."""
    out = []
    for n, record in read_rows(PredictionSource.from_path(path)):
        if "__error__" in record:
            raise ValueError(f"{path}, row {n}: {record['__error__']}")
        if "prediction" not in record:
            raise ValueError(f"{path}, row {n}, field prediction: missing (the reference requires the column)")
        index = _text(record.get("index"))
        own_aliases = "" if is_blank(record.get("answer_aliases")) else record.get("answer_aliases")
        gold = release.get(index) or DifferentialGold(index, _text(record.get("answer")), own_aliases, None)
        out.append(DifferentialPrediction(index, _text(record["prediction"]), gold))
    return out
