"""Model predictions into the graph: VLMEvalKit inference outputs and JSONL.

VLMEvalKit writes `<model>_<dataset>.xlsx` (or .tsv / .json; .csv is accepted too) with `index` and
`prediction` columns, where the dataset is one of `MMRarebench_Diagnosis`, `_Treatment`,
`_Crossmodal`, `_Examination`. Model names contain dots and underscores (`Qwen2.5-VL-7B-Instruct`,
`llava_v1.5_7b`), so the dataset is read from the end of the name. A folder is searched for such
files; other files in it (scores, judge outputs) are passed over. JSONL lines are
{"item": "diagnosis:12", "prediction": "..."} (or an index with a given track).

A blank prediction cell is kept as the text `nan`, which is what the reference evaluator reads and
scores (pandas reads the cell as missing and `str()` makes it "nan"); each one is counted. A run is
one model, one dataset (the input condition, or the track) and one file: its id is the three, so
re-importing the same file changes nothing, and the same bytes under two datasets are two runs.

Rows the reference scores but that answer no item of ours (an index the release does not have, or a
repeated index) are kept on the run (`extraRows`) with a warning naming the row: `report --reference`
scores them as the reference does, and item-level reports leave them out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from mmrare.core.bulk import in_bulk
from mmrare.core.display_names import clean_name, lookalike_key
from mmrare.core.items import item_id as make_item_id
from mmrare.core.items import track_of
from mmrare.core.pandas_cells import BLANK_TEXT, is_blank, reference_text
from mmrare.core.tracks import DATASET_TRACKS, TRACK_BY_NAME
from mmrare.graph.model import NodeRef, compound_key
from mmrare.graph.store import GraphStore, RelRow
from mmrare.importers.problems import ProblemLog

SUFFIXES = (".xlsx", ".tsv", ".json", ".csv", ".jsonl")
VLMEVALKIT_NAME = re.compile(
    r"^(?P<model>.+)_(?P<dataset>" + "|".join(DATASET_TRACKS) + r")\.(?P<ext>xlsx|tsv|json|csv)$", re.IGNORECASE
)
# Bounds on what one prediction file may hold once unpacked (the benchmark has under 2,000 items).
MAX_XLSX_INFLATED = 200 * 2**20
MAX_ROWS = 100_000
MAX_COLUMNS = 200
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    family: str | None = None
    domain: str | None = None  # "general" or "medical"
    params: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_name(self.name))  # one spelling: NFKC, trimmed
        for label, value in (("model name", self.name), ("family", self.family), ("params", self.params)):
            if value is not None:
                check_display_text(value, label)
        if not self.name.strip():
            raise ValueError("a model name cannot be empty")
        if self.domain not in (None, "general", "medical"):
            raise ValueError(f"domain must be general or medical, not {self.domain!r}")


MAX_NAME = 200


def check_display_text(text: str, label: str) -> None:
    """Names shown in tables and exports: no control characters (NUL, newlines) and no bidi
    overrides that make a name read differently from what it is."""
    if len(text) > MAX_NAME:
        raise ValueError(f"the {label} is over {MAX_NAME} characters")
    bad = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf")), None)
    if bad is not None:
        raise ValueError(f"the {label} holds the control or formatting character U+{ord(bad):04X}")


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    model: str
    predictions: int
    tracks: tuple[str, ...]
    created: bool
    blank: int = 0  # blank prediction cells, kept as "nan"
    file: str = ""
    dataset: str | None = None  # the VLMEvalKit dataset the file name gives
    extra_rows: int = 0  # rows kept apart: an unknown or repeated index (scored only by report --reference)
    warnings: tuple[str, ...] = ()
    model_changed: bool = False  # the upload changed its model's description (family, domain, size)


@dataclass(frozen=True)
class PredictionSource:
    """One prediction file's bytes and name: read from disk, or from an upload, where the name only
    says the format, model and track and never becomes a path."""

    name: str  # the file name (suffix, model and track come from it)
    data: bytes
    shown: str = ""  # how problems name the file (its path on disk); the name when empty

    @classmethod
    def from_path(cls, path: Path) -> PredictionSource:
        return cls(path.name, path.read_bytes(), str(path))

    @property
    def label(self) -> str:
        return self.shown or self.name

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def name_dataset(path: Path | str) -> tuple[str | None, str | None]:
    """(model, dataset) from a VLMEvalKit file name, read from the end, the dataset spelled as the
    reference spells it; (None, None) otherwise."""
    m = VLMEVALKIT_NAME.match(Path(path).name)
    if not m:
        return None, None
    return m.group("model"), next(d for d in DATASET_TRACKS if d.lower() == m.group("dataset").lower())


def name_parts(path: Path | str) -> tuple[str | None, str | None]:
    """(model, track) from a VLMEvalKit file name; (None, None) otherwise."""
    model, dataset = name_dataset(path)
    return model, None if dataset is None else DATASET_TRACKS[dataset]


def prediction_files(paths: list[Path]) -> list[Path]:
    """Files given, and VLMEvalKit-named prediction files found under folders given (the same file
    reached twice, e.g. through a link, counts once)."""
    out: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and name_parts(p)[0] is not None)
            if not found:
                raise FileNotFoundError(
                    f"{path}: no <model>_<dataset>.xlsx|tsv|json|csv file in this folder (datasets: "
                    f"{', '.join(DATASET_TRACKS)})"
                )
            for p in found:
                out.setdefault(p.resolve(), p)
        else:
            out.setdefault(path.resolve(), path)
    return list(out.values())


def read_rows(source: PredictionSource) -> Iterator[tuple[int, dict[str, object]]]:
    suffix = source.suffix
    if suffix == ".xlsx":
        yield from _xlsx_rows(source.data)
        return
    if suffix not in SUFFIXES:
        raise ValueError(f"{source.label}: predictions must be {', '.join(SUFFIXES)}")
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 0, {"__error__": f"not UTF-8 text (byte {exc.start})"}
        return
    if suffix in (".tsv", ".csv"):
        yield from _delimited_rows(text, "\t" if suffix == ".tsv" else ",")
    elif suffix == ".json":  # VLMEvalKit's json: a list of records (NaN for a blank cell)
        try:
            records = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield 0, {"__error__": f"not valid JSON: {getattr(exc, 'msg', 'nested too deeply')}"}
            return
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            yield 0, {"__error__": "a VLMEvalKit .json file is a list of records (objects)"}
            return
        yield from enumerate(records, start=1)
    else:
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    record = {"__error__": f"not valid JSON: {getattr(exc, 'msg', 'nested too deeply')}"}
                if not isinstance(record, dict):
                    record = {"__error__": "each line must be a JSON object"}
                yield n, record


_SWALLOWED_ROW = re.compile(r"\n[^\n]*\t")


def _delimited_rows(text: str, delimiter: str) -> Iterator[tuple[int, dict[str, object]]]:
    """Rows of a TSV or CSV (blank lines skipped, as pandas skips them): a row of another field count
    than the header, or a quote left open (it would swallow every row after it), is an error naming
    its row, never rows silently lost."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    n = 0
    while True:
        line = reader.line_num + 1  # where the next record starts
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"the row starting on line {line}" if header else "the header"
            yield n + 1, {"__error__": f"{where} cannot be read: {exc} (a stray quote?)"}
            return
        if not values:
            continue
        if header is None:
            header = values
            continue
        n += 1
        if len(values) != len(header):
            yield n, {"__error__": f"{len(values)} fields where the header has {len(header)} (a stray tab or quote?)"}
            continue
        if delimiter == "\t" and any(_SWALLOWED_ROW.search(v) for v in values):
            # a quote opened in one row and closed rows later: the rows between became one cell
            yield n, {"__error__": f"a quoted cell runs over lines that hold tabs, from line {line} (a stray quote?)"}
            continue
        yield n, dict(zip(header, values, strict=True))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, dict[str, object]]]:
    from xml.etree.ElementTree import ParseError
    from zipfile import BadZipFile, ZipFile

    from openpyxl import load_workbook

    # what a broken or hostile workbook raises while it is opened or read: entity expansion (the
    # "billion laughs") stops expat with a ParseError, defusedxml with a ValueError
    unreadable = (BadZipFile, KeyError, OSError, ValueError, ParseError, TypeError, IndexError)

    try:
        # an xlsx is a zip: its sizes are checked before anything is inflated (zip bombs)
        with ZipFile(io.BytesIO(data)) as zf:
            inflated = sum(info.file_size for info in zf.infolist())
        if inflated > MAX_XLSX_INFLATED:
            yield 0, {"__error__": f"the workbook inflates to {inflated:,} bytes, over {MAX_XLSX_INFLATED:,}"}
            return
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as exc:
        yield 0, {"__error__": f"not an xlsx workbook ({exc.__class__.__name__})"}
        return
    n = 0
    try:
        rows = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)  # sheet 1, as VLMEvalKit writes
        header = [str(h) if h is not None else "" for h in next(rows, [])]
        for n, values in enumerate(rows, start=1):
            yield n, dict(zip(header, values, strict=False))
    except unreadable as exc:
        yield n + 1, {"__error__": f"the worksheet cannot be read ({exc.__class__.__name__})"}
    finally:
        book.close()


def model_for(name: str, label: str, given: ModelInfo | None) -> ModelInfo:
    """The model given, or the one the VLMEvalKit file name says; a clear error when neither."""
    if given is not None:
        return given
    from_name = name_parts(name)[0]
    if from_name is None:
        raise ValueError(
            f"{label}: cannot tell the model from the file name (<model>_MMRarebench_<Track>.xlsx); give it (--model)"
        )
    return ModelInfo(from_name)


@dataclass(frozen=True)
class CheckedRun:
    """One prediction file read and checked, ready to write."""

    source: PredictionSource
    model: ModelInfo
    predictions: dict[str, str]  # item id -> text
    blank: int
    sha256: str
    dataset: str | None = None  # the VLMEvalKit dataset the file name gives (MRareBench: the input condition)
    extra_rows: tuple[dict[str, object], ...] = ()  # rows of an unknown or repeated index, in file order
    rows: dict[str, int] = field(default_factory=dict)  # item id -> its row in the file (from 1)
    track: str | None = None  # the track given or named by the file, if any
    # what a benchmark's own reader knows beyond the text: per item, more Prediction properties (a ranked
    # list, the study's judgement); and more Run properties (its input condition, the release answered)
    prediction_props: dict[str, dict[str, object]] = field(default_factory=dict)
    run_props: dict[str, object] = field(default_factory=dict)

    @property
    def answers(self) -> str:
        """What the file answers: its dataset (the input condition), else its track(s)."""
        if self.dataset or self.track:
            return self.dataset or str(self.track)
        tracks = {track_of(i) for i in self.predictions} | {track_of(str(r["itemId"])) for r in self.extra_rows}
        return "+".join(sorted(tracks))

    @property
    def run_id(self) -> str:
        # one model, one dataset, one file: identical bytes answering two datasets are two runs
        return compound_key(self.model.name, self.answers, self.sha256[:16])


def check_predictions(
    source: PredictionSource,
    store: GraphStore,
    problems: ProblemLog,
    model: ModelInfo | None = None,
    track: str | None = None,
) -> CheckedRun:
    """Read one file; every problem goes to `problems`."""
    model = model_for(source.name, source.label, model)
    track = track or name_parts(source.name)[1]
    before = len(problems.problems)
    predictions: dict[str, str] = {}
    first_row: dict[str, str] = {}
    position: dict[str, int] = {}  # item id -> its row in the file
    own_answer: dict[str, dict[str, object]] = {}  # item id -> its row (the answer columns, if any)
    extra: list[dict[str, object]] = []
    blank = 0
    for n, row in read_rows(source):
        where = f"line {n}" if source.suffix == ".jsonl" else f"row {n}"
        if n > MAX_ROWS:
            problems.add(source.label, where, "(file)", f"more than {MAX_ROWS:,} rows (one file holds one track)")
            break
        if "__error__" in row:
            if n == 0:
                problems.add(source.label, "file", "(file)", str(row["__error__"]))
            else:
                problems.add(source.label, where, "JSON", str(row["__error__"]))
            continue
        item_id = _item_id(row, track)
        if item_id is None:
            column = "item" if source.suffix == ".jsonl" else "index"
            problems.add(
                source.label,
                where,
                column,
                f"cannot tell the item from {row.get(column, row.get('index'))!r}"
                + ("" if track else " (no track in the file name; give --track)"),
            )
            continue
        if track_of(item_id) not in TRACK_BY_NAME:  # no benchmark has such an item: not a row to keep apart
            column = "item" if source.suffix == ".jsonl" else "index"
            problems.add(source.label, where, column, f"no track {track_of(item_id)!r} in {item_id!r}")
            continue
        if "prediction" not in row:
            problems.add(source.label, where, "prediction", "no prediction column or key")
            continue
        value = row["prediction"]
        blank += is_blank(value)
        text = BLANK_TEXT if is_blank(value) else str(value)
        if item_id in first_row:
            problems.warn(source.label, where, "index", f"{item_id} repeats {first_row[item_id]}: {KEPT_APART}")
            extra.append(_extra_row(n, item_id, text, row))
            continue
        first_row[item_id], position[item_id], predictions[item_id] = where, n, text
        own_answer[item_id] = row
    known = set(store.get_many("Item", list(first_row)))
    for item_id, where in first_row.items():
        if item_id not in known:
            column = "item" if source.suffix == ".jsonl" else "index"
            problems.warn(source.label, where, column, f"no item {item_id} in the graph: {KEPT_APART}")
            extra.append(_extra_row(position[item_id], item_id, predictions.pop(item_id), own_answer[item_id]))
    dataset = name_dataset(source.name)[1]
    if dataset is not None and DATASET_TRACKS[dataset] != track:
        dataset = None  # the track was given and is not the name's: the name says nothing of the condition
    extra.sort(key=lambda r: int(r["row"]))  # type: ignore[call-overload]
    if not predictions and len(problems.problems) == before:
        first = f" (the first: {extra[0]['itemId']})" if extra else ""
        problems.add(source.label, "file", "(rows)", f"no row answers an item in the graph{first}")
    sha = hashlib.sha256(source.data).hexdigest()
    return CheckedRun(source, model, predictions, blank, sha, dataset, tuple(extra), position, track)


# what happens to a row that answers no item of ours, or repeats one
KEPT_APART = (
    "kept on the run and scored by report --reference as the reference scores it (its own answer column where "
    "its index is unknown); left out of item-level reports"
)


def _extra_row(n: int, item_id: str, text: str, row: dict[str, object]) -> dict[str, object]:
    """A row kept apart, with what the reference would read of it: its own answer columns, where the
    file has them (the reference falls back on them for an index its release lacks)."""
    extra: dict[str, object] = {"row": n, "itemId": item_id, "text": text}
    if "answer" in row:
        extra["answer"] = reference_text(row["answer"])
    if not is_blank(row.get("answer_aliases")):
        extra["aliases"] = str(row["answer_aliases"])
    return extra


def write_runs(
    store: GraphStore, checked: list[CheckedRun], owner: str | None = None, may_describe_models: bool = True
) -> list[RunSummary]:
    """Every checked file as one run each, in one transaction (all or nothing); a new run gets its
    owner in the same transaction, so no run is ever left without one. A model's description
    (family, domain, size) is set by its first uploader; others change it only when
    `may_describe_models` (maintainers, and the CLI, which has the store itself)."""
    summaries = []
    existing = store.get_many("Run", [c.run_id for c in checked])
    models = store.get_many("Model", list({c.model.name for c in checked}))
    now = datetime.now(UTC).isoformat(timespec="microseconds")  # orders re-runs: the newest is reported
    with store.transaction() as tx:
        for c in checked:
            run_id = c.run_id
            tracks = sorted({track_of(i) for i in c.predictions})
            run = {
                **c.run_props,
                "runId": run_id,
                "model": c.model.name,
                "sourceSha256": c.sha256,
                "tracks": tracks,
                "blankPredictions": c.blank,
            }
            if c.dataset is not None:
                run["dataset"] = c.dataset
            if c.extra_rows:
                run["extraRows"] = json.dumps(list(c.extra_rows), ensure_ascii=False)
            if run_id not in existing:  # a run's file and time are its first upload's
                run["createdAt"] = now
                run["sourceFile"] = c.source.name
                if owner:
                    run["owner"] = owner
            model_row = {"name": c.model.name, "family": c.model.family, "domain": c.model.domain}
            model_row["params"] = c.model.params
            known = models.get(c.model.name)
            if known is None:
                model_row["owner"] = owner
            elif not may_describe_models and known.get("owner") != owner:
                model_row = {"name": c.model.name}  # someone else's (or a maintainer's) model: its description stays
            # a description changed changes what reports say of the model's other runs
            model_changed = known is not None and any(known.get(k) != v for k, v in model_row.items() if v is not None)
            tx.upsert_nodes("Model", [{k: v for k, v in model_row.items() if v is not None}])
            tx.upsert_nodes("Run", [run])
            tx.upsert_rels("OF_MODEL", [RelRow(NodeRef("Run", run_id), NodeRef("Model", c.model.name))])
            # `row` keeps the file's order: the reference sums scores in that order, to the last digit
            # `row`, the place in the file, orders these and the rows kept apart together
            rows = [
                {
                    **c.prediction_props.get(i, {}),
                    "predictionId": compound_key(run_id, i),
                    "runId": run_id,
                    "itemId": i,
                    "text": t,
                    "row": c.rows[i],
                }
                for i, t in c.predictions.items()
            ]
            tx.upsert_nodes("Prediction", rows)
            refs = [NodeRef("Prediction", str(r["predictionId"])) for r in rows]
            tx.upsert_rels("IN_RUN", [RelRow(ref, NodeRef("Run", run_id)) for ref in refs])
            tx.upsert_rels(
                "ANSWERS", [RelRow(ref, NodeRef("Item", str(r["itemId"]))) for ref, r in zip(refs, rows, strict=True)]
            )
            summaries.append(
                RunSummary(
                    run_id,
                    c.model.name,
                    len(rows),
                    tuple(tracks),
                    run_id not in existing,
                    c.blank,
                    c.source.label,
                    c.dataset,
                    len(c.extra_rows),
                    model_changed=model_changed,
                )
            )
    return summaries


@in_bulk
def import_prediction_files(
    paths: list[Path],
    store: GraphStore,
    model: ModelInfo | None = None,
    track: str | None = None,
    skip_invalid: bool = False,
) -> list[RunSummary]:
    """Files and folders of prediction files: all checked first, then written together, so a
    problem in any file writes nothing (unless skip_invalid)."""
    files = prediction_files(paths)
    for f in files:  # a nameless file fails before any file is read
        model_for(f.name, str(f), model)
    return import_prediction_sources([PredictionSource.from_path(f) for f in files], store, model, track, skip_invalid)


def import_prediction_sources(
    sources: list[PredictionSource],
    store: GraphStore,
    model: ModelInfo | None = None,
    track: str | None = None,
    skip_invalid: bool = False,
    owner: str | None = None,
    may_describe_models: bool = True,
) -> list[RunSummary]:
    """Prediction files given as bytes: all checked, then written together (nothing on a problem)."""
    problems = ProblemLog()
    checked = [check_predictions(s, store, problems, model, track) for s in sources]
    if not skip_invalid:
        problems.raise_if_any()
    check_model_names(store, [c.model.name for c in checked], None if may_describe_models else owner)
    summaries = write_runs(store, checked, owner, may_describe_models)
    return [replace(s, warnings=tuple(str(w) for w in problems.warnings if w.file == s.file)) for s in summaries]


def check_model_names(store: GraphStore, names: list[str], submitter: str | None) -> None:
    """A model name that reads the same as another model's (a Cyrillic letter, another dash) is
    refused; so is a submitter's run under a model that someone else brought (its reports would pool
    the submitter's answers). `submitter` is None for maintainers and the CLI."""
    existing = {str(name): facts for name, facts in store.properties("Model", ("owner",)).items()}  # not whole nodes
    by_look = {lookalike_key(name): name for name in existing}
    for name in dict.fromkeys(names):
        twin = by_look.get(lookalike_key(name))
        if twin is not None and twin != name:
            raise ValueError(f"the model name {name!r} reads the same as the model {twin!r}: use that name or another")
        known = existing.get(name)
        if submitter is not None and known is not None and known.get("owner") != submitter:
            raise ValueError(f"the model {name!r} belongs to another submitter: submit under a name of your own")


def import_predictions(
    path: Path, store: GraphStore, model: ModelInfo | None = None, track: str | None = None, skip_invalid: bool = False
) -> RunSummary:
    """One prediction file as one run."""
    (summary,) = import_prediction_files([path], store, model, track, skip_invalid)
    return summary


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
    return make_item_id(track, index) if track else None
