"""Model predictions into the graph: VLMEvalKit inference outputs and JSONL.

VLMEvalKit writes `<model>_MMRarebench_<Track>.xlsx` (or .tsv / .csv) with `index` and
`prediction` columns; the model and track come from the file name unless given. JSONL lines are
{"item": "diagnosis:12", "prediction": "..."} (or an index with a given track). A run's id is the
model and the file's sha256, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.model import NodeRef, compound_key
from graph.store import GraphStore, RelRow
from importers.problems import ProblemLog

TRACK_WORDS = {
    "diagnosis": "diagnosis",
    "treatment": "treatment",
    "crossmodal": "crossmodal",
    "cross-modal": "crossmodal",
    "examination": "examination",
}
VLMEVALKIT_NAME = re.compile(r"^(?P<model>.+)_MMRarebench_(?P<track>[A-Za-z-]+)$", re.IGNORECASE)
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    family: str | None = None
    domain: str | None = None  # "general" or "medical"
    params: str | None = None


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    model: str
    predictions: int
    tracks: tuple[str, ...]
    created: bool


def name_parts(path: Path) -> tuple[str | None, str | None]:
    m = VLMEVALKIT_NAME.match(path.name.split(".")[0])
    if not m:
        return None, None
    return m.group("model"), TRACK_WORDS.get(m.group("track").lower())


def _rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(rows, [])]
        for n, values in enumerate(rows, start=1):
            yield n, dict(zip(header, values, strict=False))
        book.close()
    elif suffix in (".tsv", ".csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ",")
            yield from enumerate(reader, start=1)
    elif suffix == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        yield n, json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield n, {"__error__": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    else:
        raise ValueError(f"{path}: predictions must be .xlsx, .tsv, .csv or .jsonl")


def import_predictions(
    path: Path, store: GraphStore, model: ModelInfo | None = None, track: str | None = None, skip_invalid: bool = False
) -> RunSummary:
    name_model, name_track = name_parts(path)
    track = track or name_track
    model = model or (ModelInfo(name_model) if name_model else None)
    if model is None:
        raise ValueError(f"{path}: cannot tell the model from the file name; give it (--model)")
    problems = ProblemLog()
    predictions: dict[str, str] = {}
    lines = list(_rows(path))
    wanted = []
    for n, row in lines:
        where = f"row {n}" if path.suffix.lower() != ".jsonl" else f"line {n}"
        if "__error__" in row:
            problems.add(str(path), where, "JSON", str(row["__error__"]))
            continue
        item_id = _item_id(row, track)
        if item_id is None:
            column = "item" if path.suffix.lower() == ".jsonl" else "index"
            problems.add(
                str(path),
                where,
                column,
                f"cannot tell the item from {row.get(column)!r}"
                + ("" if track else " (no track in the file name; give --track)"),
            )
            continue
        text = row.get("prediction")
        if text is None:
            problems.add(str(path), where, "prediction", "missing prediction")
            continue
        wanted.append((where, item_id))
        predictions[item_id] = str(text)
    known = set(store.get_many("Item", [i for _, i in wanted]))
    for where, item_id in wanted:
        if item_id not in known:
            problems.add(
                str(path), where, "index" if path.suffix.lower() != ".jsonl" else "item", f"unknown item {item_id}"
            )
            predictions.pop(item_id, None)
    if not skip_invalid:
        problems.raise_if_any()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    run_id = compound_key(model.name, sha[:16])
    existing = store.get(NodeRef("Run", run_id))
    run = {
        "runId": run_id,
        "model": model.name,
        "sourceSha256": sha,
        "sourceFile": path.name,
        "tracks": sorted({i.split(":")[0] for i in predictions}),
    }
    if existing is None:
        run["createdAt"] = datetime.now(UTC).isoformat(timespec="seconds")
    model_row = {"name": model.name, "family": model.family, "domain": model.domain, "params": model.params}
    with store.transaction() as tx:
        tx.upsert_nodes("Model", [{k: v for k, v in model_row.items() if v is not None}])
        tx.upsert_nodes("Run", [run])
        tx.upsert_rels("OF_MODEL", [RelRow(NodeRef("Run", run_id), NodeRef("Model", model.name))])
        rows = [
            {"predictionId": compound_key(run_id, i), "runId": run_id, "itemId": i, "text": t}
            for i, t in sorted(predictions.items())
        ]
        tx.upsert_nodes("Prediction", rows)
        tx.upsert_rels(
            "IN_RUN", [RelRow(NodeRef("Prediction", r["predictionId"]), NodeRef("Run", run_id)) for r in rows]
        )
        tx.upsert_rels(
            "ANSWERS", [RelRow(NodeRef("Prediction", r["predictionId"]), NodeRef("Item", r["itemId"])) for r in rows]
        )
    return RunSummary(run_id, model.name, len(predictions), tuple(run["tracks"]), existing is None)


def _item_id(row: dict[str, object], track: str | None) -> str | None:
    raw = row.get("item", row.get("index"))
    if isinstance(raw, str) and ":" in raw:
        return raw.strip()
    try:
        number = float(str(raw).strip())  # spreadsheets may hand back 12.0 for 12
    except (TypeError, ValueError):
        return None
    if not number.is_integer():
        return None
    index = int(number)
    return f"{track}:{index}" if track else None
