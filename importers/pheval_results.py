"""The pheval.llm study's answers as runs: the repository's layout `<model>/<language>/
full_df_results.tsv[.gz]`, one run per model and language, the language kept as the run's input
condition. Columns: label, term, score, rank, correct_term, is_correct, reciprocal_rank (SOURCES.md).

A `label` names its case: the phenopacket id with every non-alphanumeric character replaced by '_',
then `_<lang>-prompt.txt`. The language is the folder's: the study's files of every language label
their cases with the English prompt's name. Labels are mapped back to the items of one imported release of
phenopacket-store; a label that matches no item is kept on the run (it counts in the study's table,
as the authors count every case of the file) and reported.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmrare.core.bulk import in_bulk
from mmrare.core.phenopacket_releases import release_named
from mmrare.core.phenopackets import BENCHMARK, LANGUAGES, TRACK, prompt_stem, split_prompt_label
from mmrare.core.progress import Progress, no_progress
from mmrare.graph.model import NodeRef, compound_key
from mmrare.graph.store import GraphStore, Where
from mmrare.importers.predictions import (
    CheckedRun,
    ModelInfo,
    PredictionSource,
    RunSummary,
    check_model_names,
    write_runs,
)
from mmrare.importers.problems import ProblemLog
from mmrare.importers.processes import map_in_processes
from mmrare.scoring.grounded_ids import (
    MAX_MEMBERS,
    GroundedOutcome,
    OrphanetView,
    grounded_outcome,
    grounded_table,
    orphanet_view,
)
from mmrare.scoring.study_table import Candidate, outcome_of_ranked, ranked, study_table

RESULT_FILE = re.compile(r"^full_df_results\.tsv(\.gz)?$")
COLUMNS = ("label", "term", "score", "rank", "correct_term", "is_correct", "reciprocal_rank")
TRUE, FALSE = ("True", "true", "TRUE", "1"), ("False", "false", "FALSE", "0")


def result_files(paths: list[Path]) -> list[Path]:
    """The study-layout result files among the paths (a file itself, or searched for in a folder)."""
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("full_df_results.tsv*") if RESULT_FILE.match(p.name))
        elif RESULT_FILE.match(path.name):
            found.append(path)
    return found


def is_study_layout(paths: list[Path]) -> bool:
    return bool(result_files(paths))


@dataclass(frozen=True)
class ResultRow:
    row: int
    label: str
    candidate: Candidate


@dataclass
class StudyRun:
    path: Path
    model: str
    language: str
    sha256: str
    cases: dict[str, list[ResultRow]] = field(default_factory=dict)  # label -> rows, file order
    study_cases: int | None = None  # the study's case set (ppkts_*set.txt beside the language folders)


def read_result_file(path: Path, model: str | None, problems: ProblemLog) -> StudyRun | None:
    """One results file: its rows grouped by label; problems name the file, row and column."""
    data = path.read_bytes()
    text = (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8-sig")
    name, language = file_run(path, model)
    if language not in LANGUAGES:
        problems.add(
            str(path), "path", "language", f"{language!r} is not one of the study's languages ({', '.join(LANGUAGES)})"
        )
        return None
    run = StudyRun(
        path, name, language, hashlib.sha256(data).hexdigest(), study_cases=study_case_count(path.parent.parent)
    )
    lines = csv.reader(io.StringIO(text), delimiter="\t")
    header = next(lines, [])
    missing = [c for c in ("label", "term", "rank", "is_correct") if c not in header]
    if missing:
        problems.add(str(path), "header", ", ".join(missing), "missing column(s); expected " + ", ".join(COLUMNS))
        return None
    at = {name: header.index(name) for name in COLUMNS if name in header}
    width = max(at.values()) + 1
    for n, cells in enumerate(lines, start=2):
        where = f"row {n}"
        if len(cells) < width:
            problems.add(str(path), where, "row", f"{len(cells)} cells; the header has {len(header)}")
            continue
        label, term = cells[at["label"]].strip(), cells[at["term"]].strip()
        if label not in run.cases and split_prompt_label(label) is None:
            problems.add(str(path), where, "label", f"{label!r} is not a prompt label (<id>_<lang>-prompt.txt)")
            continue
        correct = cells[at["is_correct"]].strip()
        if correct not in TRUE + FALSE:
            problems.add(str(path), where, "is_correct", f"{correct!r} is neither True nor False")
            continue
        try:
            rank = int(float(cells[at["rank"]]))
            score_cell = cells[at["score"]].strip() if "score" in at else ""
            score = float(score_cell) if score_cell else None
        except ValueError as exc:
            problems.add(str(path), where, "rank/score", str(exc))
            continue
        run.cases.setdefault(label, []).append(ResultRow(n, label, Candidate(term, score, rank, correct in TRUE)))
    return run


def file_run(path: Path, model: str | None) -> tuple[str, str]:
    """(model, language) of a result file of the layout `<model>/<language>/full_df_results.tsv[.gz]`."""
    return model or path.parent.parent.name, path.parent.name


def study_case_count(folder: Path) -> int | None:
    """The number of cases in the study's case list (`ppkts_<n>set.txt`, one prompt name a line) in
    the model's folder; None when there is not exactly one such list."""
    lists = sorted(folder.glob("ppkts_*set.txt"))
    if len(lists) != 1:
        return None
    return len({line.strip() for line in lists[0].read_text(encoding="utf-8").splitlines() if line.strip()})


def label_index(store: GraphStore, release: str | None) -> tuple[str, dict[str, str]]:
    """(release, prompt stem -> item id) of one imported phenopacket-store release: the one named, or
    the only one."""
    release = release_named(store, release)
    items = store.select("Item", [Where("track", "eq", TRACK), Where("release", "eq", release)])
    stems: dict[str, str] = {}
    for node in items:
        stem = prompt_stem(node.props["packetId"])
        stems[stem] = "" if stem in stems else str(node.ref.key)  # "" marks two packets of one stem
    return release, stems


@dataclass(frozen=True)
class Grounding:
    """What grounded scoring needs at import: the graph's Orphanet view, each item's gold ORPHAcode,
    and the group-size limit of the lenient rule."""

    view: OrphanetView
    golds: dict[str, int]  # item id -> its ANSWER_IS code
    max_members: int = MAX_MEMBERS


def check_study_run(
    run: StudyRun, stems: dict[str, str], release: str, problems: ProblemLog, grounding: Grounding | None = None
) -> CheckedRun:
    """A study run as the service's run: one prediction per matched case (its ranked candidates as
    text, the study's outcome and item metrics as properties, and ours: the Orphanet-grounded ranks)."""
    predictions: dict[str, str] = {}
    extras: dict[str, dict[str, object]] = {}
    rows: dict[str, int] = {}
    unmatched: dict[str, dict[str, object]] = {}
    ranks = {label: ranked([r.candidate for r in rows]) for label, rows in run.cases.items()}  # the authors'
    outcomes = {label: outcome_of_ranked(candidates) for label, candidates in ranks.items()}
    grounded: list[GroundedOutcome] = []
    for label, result_rows in run.cases.items():
        stem, _ = split_prompt_label(label) or (label, "")
        outcome = outcomes[label]
        candidates = ranks[label]
        facts: dict[str, object] = {
            "candidates": [c.term for c in candidates],
            "candidateRanks": [c.rank for c in candidates],
            "studyCorrect": [c.correct for c in candidates],
            "studyOutcome": outcome.outcome,
            "rr": outcome.best_rr,
            **{f"hit{k}": outcome.hit(k) for k in (1, 3, 10)},
            "promptLabel": label,
        }
        item_id = stems.get(stem)
        if item_id and grounding is not None:
            g = grounded_outcome(
                grounding.view,
                grounding.golds.get(item_id),
                [c.term for c in candidates],
                [c.rank for c in candidates],
                [c.correct for c in candidates],
                grounding.max_members,
            )
            grounded.append(g)
            facts.update(g.metrics())
            facts["groundingNote"] = g.disagreement
        if not item_id:
            why = "matches two packets" if item_id == "" else f"matches no packet of release {release}"
            problems.warn(
                str(run.path),
                f"row {result_rows[0].row}",
                "label",
                f"{label!r} {why}; counted in the study's table only",
            )
            unmatched[label] = {"studyOutcome": outcome.outcome, "rr": outcome.best_rr}
            continue
        predictions[item_id] = "\n".join(f"{r.candidate.rank}. {r.candidate.term}" for r in result_rows)
        extras[item_id] = facts
        rows[item_id] = result_rows[0].row
    # the study's table is counted once, here, and kept on the run (its predictions never change)
    table = study_table(list(outcomes.values()), run.study_cases)
    dataset = f"{BENCHMARK}:{run.language}"
    source = PredictionSource(f"{run.model}/{run.language}/{run.path.name}", b"")
    return CheckedRun(
        source,
        ModelInfo(run.model),
        predictions,
        0,
        run.sha256,
        dataset=dataset,
        rows=rows,
        track=TRACK,
        prediction_props=extras,
        run_props={
            "condition": run.language,
            "benchmark": BENCHMARK,
            "release": release,
            "unmatchedLabels": json.dumps(unmatched, sort_keys=True),
            "studyTable": json.dumps(table, sort_keys=True),
            **({"groundedTable": json.dumps(grounded_table(grounded), sort_keys=True)} if grounded else {}),
            **({"groundedMaxGroup": grounding.max_members} if grounding is not None else {}),
            **({"studyCases": run.study_cases} if run.study_cases is not None else {}),
        },
    )


def grounding_for(store: GraphStore, item_ids: list[str], terms: set[str] | None, max_members: int) -> Grounding:
    """The Orphanet view for these candidate ids (None: any id the graph maps), and the gold code of
    each item."""
    golds = {
        str(n.start.key): int(n.node.key) for n in store.neighbours([NodeRef("Item", i) for i in item_ids], "ANSWER_IS")
    }
    return Grounding(orphanet_view(store, set(golds.values()), terms), golds, max_members)


@in_bulk
def import_study_results(
    paths: list[Path],
    store: GraphStore,
    model: str | None = None,
    release: str | None = None,
    skip_invalid: bool = False,
    max_members: int = MAX_MEMBERS,
    progress: Progress = no_progress,
) -> list[RunSummary]:
    """Every result file of the layout, all checked before any is written; then a transaction a run.
    The files are read and judged in worker processes, one file a job."""
    files = result_files(paths)
    if not files:
        raise ValueError("no full_df_results.tsv[.gz] under " + ", ".join(map(str, paths)))
    problems = ProblemLog()
    release, stems = label_index(store, release)
    seen: dict[str, Path] = {}
    for path in files:
        name, language = file_run(path, model)
        key = compound_key(name, language)
        if key in seen and language in LANGUAGES:
            problems.add(str(path), "path", "language", f"{name} in {language} is also in {seen[key]}")
        seen.setdefault(key, path)
    # every code the graph maps an id to: the files are read in the workers, after the view is made
    grounding = grounding_for(store, [i for i in stems.values() if i], None, max_members)
    # the workers see the files and the grounding as this process holds them (forked): a job is an index
    _CHECKING.update(files=files, model=model, stems=stems, release=release, grounding=grounding)
    try:
        # counted in files: the CLI draws a stage named "reading ..." in bytes
        judged = map_in_processes(_read_and_check_nth, range(len(files)), progress, "judging result files")
    finally:
        _CHECKING.clear()
    for _, _, found, warned in judged:
        problems.problems.extend(found)
        problems.warnings.extend(warned)
    checked = [c for _, c, _, _ in judged if c is not None]
    paths_read = [path for path, c, _, _ in judged if c is not None]
    if not skip_invalid:
        problems.raise_if_any()
    check_model_names(store, [c.model.name for c in checked], None)
    # every file is checked before any is written; each run is then its own transaction (ten runs of
    # 5,000 ranked lists in one would pass Neo4j's default transaction memory)
    summaries = []
    with store.bulk():  # durable as a whole when the block ends
        for n, c in enumerate(checked):
            progress("writing runs", n, len(checked))
            summaries += write_runs(store, [c])
    progress("writing runs", len(checked), len(checked))
    by_file = defaultdict(list)
    for w in problems.warnings:
        by_file[w.file].append(str(w))
    return [_with_warnings(s, by_file.get(str(p), [])) for s, p in zip(summaries, paths_read, strict=True)]


# what _read_and_check_nth's workers read and judge: set by import_study_results before they fork
_CHECKING: dict[str, Any] = {}


def _read_and_check_nth(n: int) -> tuple[Path, CheckedRun | None, list, list]:
    """The n-th file of _CHECKING read and judged in a worker: (its path, its run or None where it could
    not be read, the problems and warnings found). Only the judged run travels back."""
    problems = ProblemLog()
    c = _CHECKING
    path = c["files"][n]
    run = read_result_file(path, c["model"], problems)
    checked = check_study_run(run, c["stems"], c["release"], problems, c["grounding"]) if run is not None else None
    return path, checked, problems.problems, problems.warnings


def _with_warnings(summary: RunSummary, warnings: list[str]) -> RunSummary:
    from dataclasses import replace

    return replace(summary, warnings=tuple(warnings))
