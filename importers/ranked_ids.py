"""A user's own model on phenopacket-store: a ranked list of disease ids per case, one row a candidate,
columns `case`, `rank`, `id` (TSV or CSV; `case` is the packet id or the study's prompt label, `id` a
MONDO, OMIM or ORPHA id). One file is one run of the named model; it is scored by our Orphanet-grounded
rule only (scoring/grounded_ids.py): there is no study's judgement of its ids.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

from mmrare.core.phenopackets import BENCHMARK, TRACK, case_stem
from mmrare.graph.store import GraphStore
from mmrare.importers.pheval_results import grounding_for, label_index
from mmrare.importers.predictions import (
    CheckedRun,
    ModelInfo,
    PredictionSource,
    RunSummary,
    check_model_names,
    write_runs,
)
from mmrare.importers.problems import ProblemLog
from mmrare.scoring.grounded_ids import MAX_MEMBERS, grounded_outcome, grounded_table
from mmrare.scoring.study_table import Candidate

COLUMNS = ("case", "rank", "id")
ID = re.compile(r"^(MONDO|OMIM|ORPHA|Orphanet):\d+$", re.IGNORECASE)


def _has_header(path: Path, columns: tuple[str, ...]) -> bool:
    """A .tsv or .csv whose header is exactly these columns (in any order, any case)."""
    if path.suffix.lower() not in (".tsv", ".csv") or not path.is_file():
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    return sorted(c.strip().lower() for c in re.split(r"[\t,]", first.strip())) == sorted(columns)


def is_ranked_ids(path: Path) -> bool:
    """A ranked id list: the header is case, rank, id."""
    return _has_header(path, COLUMNS)


def read_ranked_ids(path: Path, problems: ProblemLog) -> dict[str, list[Candidate]]:
    """Per case (as written), its candidates in rank order; problems name the row and column."""
    text = path.read_text(encoding="utf-8-sig")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    cases: dict[str, list[Candidate]] = {}
    seen: set[tuple[str, int]] = set()
    for n, row in enumerate(csv.DictReader(io.StringIO(text), delimiter=delimiter), start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        case, raw_rank, term = row.get("case", ""), row.get("rank", ""), row.get("id", "")
        if not case:
            problems.add(str(path), f"row {n}", "case", "empty")
            continue
        if not raw_rank.isdigit() or int(raw_rank) < 1:
            problems.add(str(path), f"row {n}", "rank", f"{raw_rank!r} is not a rank (1, 2, ...)")
            continue
        if not ID.match(term):
            problems.add(str(path), f"row {n}", "id", f"{term!r} is not a MONDO, OMIM or ORPHA id")
            continue
        if (case, int(raw_rank)) in seen:
            problems.add(str(path), f"row {n}", "rank", f"{case} has two candidates at rank {raw_rank}")
            continue
        seen.add((case, int(raw_rank)))
        cases.setdefault(case, []).append(Candidate(term, None, int(raw_rank), False))
    return {case: sorted(found, key=lambda c: c.rank) for case, found in cases.items()}


def import_ranked_ids(
    path: Path,
    store: GraphStore,
    model: str,
    release: str | None = None,
    condition: str | None = None,
    skip_invalid: bool = False,
    max_members: int = MAX_MEMBERS,
) -> RunSummary:
    """One file as one run: checked whole (nothing written on a problem unless skip_invalid)."""
    problems = ProblemLog()
    release, stems = label_index(store, release)
    cases = read_ranked_ids(path, problems)
    matched: dict[str, list[Candidate]] = {}
    for case, candidates in cases.items():
        item_id = stems.get(case_stem(case))
        if not item_id:
            problems.add(str(path), case, "case", f"no packet of release {release} has this id")
            continue
        matched[item_id] = candidates
    if not skip_invalid:
        problems.raise_if_any()
    return write_ranked_run(
        store, model, matched, path.name, hashlib.sha256(path.read_bytes()).hexdigest(), release, condition, max_members
    )


def is_free_text_lists(path: Path) -> bool:
    """A model's free-text differential per case: the header is case, prediction."""
    return _has_header(path, ("case", "prediction"))


def import_free_text_lists(
    path: Path,
    store: GraphStore,
    model: str,
    release: str | None = None,
    skip_invalid: bool = False,
    max_members: int = MAX_MEMBERS,
) -> RunSummary:
    """A free-text top-10 per case, read as MRareBench T1 reads a reply (numbered lines, else lines or
    semicolons; scoring/ranked_differential.py), each name aligned to Orphanet by name; a name that does
    not align stays text (unmapped). Scored by the grounded rule."""
    from mmrare.scoring.grounded_match import OntologyMatcher
    from mmrare.scoring.ranked_differential import parse_ranked_list

    problems = ProblemLog()
    release, stems = label_index(store, release)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    text = path.read_text(encoding="utf-8-sig")
    replies: dict[str, str] = {}
    for n, row in enumerate(csv.DictReader(io.StringIO(text), delimiter=delimiter), start=2):
        row = {k.strip().lower(): (v or "") for k, v in row.items() if k}
        case = row.get("case", "").strip()
        item_id = stems.get(case_stem(case))
        if not item_id:
            problems.add(str(path), f"row {n}", "case", f"{case!r}: no packet of release {release} has this id")
            continue
        if item_id in replies:
            problems.add(str(path), f"row {n}", "case", f"{case!r} answered twice")
            continue
        replies[item_id] = row.get("prediction", "")
    if not skip_invalid:
        problems.raise_if_any()
    matcher = OntologyMatcher(store)
    matched: dict[str, list[Candidate]] = {}
    for item_id, reply in replies.items():
        names = parse_ranked_list(reply)
        codes = [matcher.align(name)[0] for name in names]
        matched[item_id] = [
            Candidate(f"ORPHA:{code}" if code is not None else name, None, rank, False)
            for rank, (name, code) in enumerate(zip(names, codes, strict=True), start=1)
        ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return write_ranked_run(store, model, matched, path.name, digest, release, None, max_members, replies)


def write_ranked_run(
    store: GraphStore,
    model: str,
    matched: dict[str, list[Candidate]],
    source_name: str,
    sha256: str,
    release: str,
    condition: str | None = None,
    max_members: int = MAX_MEMBERS,
    texts: dict[str, str] | None = None,
) -> RunSummary:
    """Ranked disease ids per item as one run, scored by the grounded rule and written at once (the
    prediction's text: the model's own reply where given, else the ranked ids)."""
    terms = {c.term for found in matched.values() for c in found}
    grounding = grounding_for(store, list(matched), terms, max_members)
    predictions, extras, rows, outcomes = {}, {}, {}, []
    for n, (item_id, candidates) in enumerate(sorted(matched.items()), start=1):
        g = grounded_outcome(
            grounding.view,
            grounding.golds.get(item_id),
            [c.term for c in candidates],
            [c.rank for c in candidates],
            [False] * len(candidates),  # no study judged these ids
            max_members,
        )
        outcomes.append(g)
        own = (texts or {}).get(item_id)
        predictions[item_id] = own if own is not None else "\n".join(f"{c.rank}. {c.term}" for c in candidates)
        rows[item_id] = n
        extras[item_id] = {
            "candidates": [c.term for c in candidates],
            "candidateRanks": [c.rank for c in candidates],
            **g.metrics(),
        }
    run_props: dict[str, object] = {"benchmark": BENCHMARK, "release": release, "groundedMaxGroup": max_members}
    # no study judged these ids, so there is nothing to disagree with: ours alone
    table = {k: v for k, v in grounded_table(outcomes).items() if not k.startswith("disagree")}
    run_props["groundedTable"] = json.dumps(table, sort_keys=True)
    if condition:
        run_props["condition"] = condition
    checked = CheckedRun(
        PredictionSource(source_name, b""),
        ModelInfo(model),
        predictions,
        0,
        sha256,
        dataset=f"{BENCHMARK}:{condition}" if condition else BENCHMARK,
        rows=rows,
        track=TRACK,
        prediction_props=extras,
        run_props=run_props,
    )
    check_model_names(store, [model], None)
    (summary,) = write_runs(store, [checked])
    return summary
