"""`mmrare mrarebench`: the authors' successor benchmark (MRareBench), scored from its files."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mmrare.cli.common import format_option, interval
from mmrare.core.mrarebench import CONDITIONS, EVIDENCE_CONDITIONS
from mmrare.graph.settings import open_store
from mmrare.importers.problems import ProblemLog
from mmrare.scoring.stats import RESAMPLES

if TYPE_CHECKING:
    from mmrare.core.mrarebench import EvidencePrediction
    from mmrare.graph.store import GraphStore
    from mmrare.scoring.evidence_verification import EvidenceReport
    from mmrare.scoring.openai_judge import OpenAISettings


@click.group("mrarebench")
def mrarebench() -> None:
    """MRareBench (the successor benchmark): T1 ranked differentials and T2 evidence verification, scored
    by the reference's rules."""


def prediction_source(command: Callable) -> Callable:
    """What both commands read: prediction files with their release, or the graph's runs."""
    command = click.option(
        "--run", "runs", multiple=True, help="Without files: a run id or model in the graph (repeatable; all)."
    )(command)
    command = click.option(
        "--release",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="With files: their release file (T1 diagnosis_opened.tsv, T2 evidence_verification_opened_FULL609.tsv).",
    )(command)
    return click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


def check_source(paths: tuple[Path, ...], release: Path | None, runs: tuple[str, ...]) -> bool:
    """Whether the files given are T2's (evidence verification); every name is checked before any
    work, and one command reads one track's files (each track has its own release file)."""
    from mmrare.importers.mrarebench import split_file_name

    if paths and runs:
        raise click.UsageError("give prediction files or --run, not both")
    if paths and release is None:
        raise click.UsageError("prediction files need their --release")
    try:
        datasets = {split_file_name(p)[1] for p in paths}
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    evidence = {d in EVIDENCE_CONDITIONS for d in datasets}
    if len(evidence) > 1:
        raise click.UsageError("give T1 and T2 files in separate commands: each track has its own --release")
    return evidence == {True}


@mrarebench.command("score")
@prediction_source
@click.option(
    "--grounded/--no-grounded",
    default=True,
    show_default=True,
    help="Also match candidates through Orphanet in the graph (reported apart).",
)
@click.option("--judge-base-url", help="The optional judges' OpenAI-compatible base URL.")
@click.option("--judge-model", help="The judge's model name: T1's five dimensions, T2's evidence rubric.")
@click.option("--rare-judge-model", help="The rare-candidate judge's model name (one call per distinct candidate).")
@click.option("--api-key-env", default="MMRARE_JUDGE_API_KEY", show_default=True, help="Variable holding its key.")
@click.option("--concurrency", default=4, show_default=True)
@format_option("table", "json")
def score(
    paths: tuple[Path, ...],
    release: Path | None,
    runs: tuple[str, ...],
    grounded: bool,
    judge_base_url: str | None,
    judge_model: str | None,
    rare_judge_model: str | None,
    api_key_env: str,
    concurrency: int,
    fmt: str,
) -> None:
    """Score prediction files with their release (<model>_MRareBench_Diagnosis[_FD|_TO], or T2's
    <model>_MRareBench_EvidenceVerif[_TO|_NoDx]), or without files the MRareBench runs in the graph:
    the reference's deterministic keys (T1: recall@k, MRR, MR, hit and parse-fail rates, with the
    ontology-grounded numbers beside them; T2: evidence recall, groundedness, image attribution), and
    with judges their keys."""
    import os

    from mmrare.importers.mrarebench import read_predictions, read_release, split_file_name
    from mmrare.scoring.differential_eval import evaluate
    from mmrare.scoring.grounded_match import OntologyMatcher
    from mmrare.scoring.openai_judge import OpenAISettings as Settings

    if bool(judge_base_url) != bool(judge_model or rare_judge_model):
        raise click.UsageError("a judge needs --judge-base-url and its model (--judge-model, --rare-judge-model)")

    def settings(model: str | None) -> Settings | None:
        if not (judge_base_url and model):
            return None
        return Settings(judge_base_url, model, os.environ.get(api_key_env, ""), concurrency=concurrency)

    judge, rare_judge = settings(judge_model), settings(rare_judge_model)
    evidence_files = check_source(paths, release, runs)
    files: list = []
    evidence: list[EvidenceReport] = []
    notes = ProblemLog()
    with open_store() as store:
        if evidence_files:
            evidence = _evidence_file_reports(paths, release, judge, notes)  # type: ignore[arg-type]
        elif paths:
            gold = read_release(release, notes)  # type: ignore[arg-type]
            files = [(*split_file_name(p), read_predictions(p, gold, notes)) for p in paths]
        else:
            from mmrare.scoring.condition_runs import differential_runs
            from mmrare.scoring.run_choice import resolve_runs

            files = [(r.model, r.dataset, r.predictions) for r in differential_runs(store, resolve_runs(store, runs))]
        matcher = None
        if grounded and files:
            if store.count_nodes("Disease"):
                matcher = OntologyMatcher(store)
            else:
                click.echo("(no Orphanet in the graph: grounded matching left out; mmrare import orphanet)", err=True)
        reports = [
            evaluate(model, dataset, predictions, matcher, judge, rare_judge) for model, dataset, predictions in files
        ]
        if not paths:
            evidence = _evidence_reports(store, runs, judge)
    show_notes(notes)
    if not reports and not evidence:
        raise click.UsageError("no MRareBench run in the graph (mmrare import predictions FILES)")
    if fmt == "json":
        found: list[Any] = [*reports, *evidence]
        click.echo(json.dumps([{k: v for k, v in asdict(r).items() if k != "rows"} for r in found], indent=1))
        return
    for e in evidence:
        click.echo(f"{e.model}  {e.dataset}  ({EVIDENCE_CONDITIONS[e.dataset]})")
        keys = list(e.reference.items())
        for start in range(0, len(keys), 4):
            click.echo("  " + "  ".join(f"{k} {_number(v)}" for k, v in keys[start : start + 4]))
        if e.empty_vocabulary:
            from mmrare.scoring.evidence_verification import EMPTY_VOCABULARY_NOTE

            click.echo(f"  {EMPTY_VOCABULARY_NOTE.format(n=e.empty_vocabulary)}")
        for title, groups in (("by task type", e.by_task_type), ("by evidence layer", e.by_layer)):
            if groups:
                click.echo(
                    f"  judge's required_recall {title}: "
                    + "  ".join(f"{name} {_number(g['required_recall'])} (n={g['n']})" for name, g in groups.items())
                )
    for r in reports:
        click.echo(f"{r.model}  {r.dataset}  ({CONDITIONS[r.dataset]})")
        click.echo("  reference: " + "  ".join(f"{k} {_number(v)}" for k, v in r.reference.items()))
        if r.grounded is not None:
            click.echo("  grounded (apart): " + "  ".join(f"{k} {_number(v)}" for k, v in r.grounded.items()))
            click.echo(f"  the two rules disagree on {len(r.disagreements)} row(s):")
            for d in r.disagreements:
                said = f"rank {d.reference_rank} ({d.reference_candidate!r}, {d.reference_candidate_relation})"
                click.echo(
                    f"    {d.index}  answer {d.answer!r}: string rule "
                    f"{said if d.reference_rank else 'no hit'}, ORPHAcode "
                    f"{f'rank {d.grounded_rank}' if d.grounded_rank else 'no hit'}"
                )


def show_notes(notes: ProblemLog, shown: int = 20) -> None:
    """What reading the files noticed (rows the reference drops, scores apart, or reads loosely), on
    stderr: the first few and a count."""
    for w in notes.warnings[:shown]:
        click.echo(f"warning: {w}", err=True)
    if len(notes.warnings) > shown:
        click.echo(f"warning: ... and {len(notes.warnings) - shown} more", err=True)


def _evidence_scored(
    model: str, dataset: str, predictions: list[EvidencePrediction], judge: OpenAISettings | None
) -> EvidenceReport:
    """One T2 file's rows scored, with the judge's rubric when a judge is given."""
    from mmrare.scoring.evidence_judge import judge_evidence
    from mmrare.scoring.evidence_verification import evaluate_evidence

    verdicts = judge_evidence(predictions, judge) if judge is not None else None
    return evaluate_evidence(model, dataset, predictions, verdicts)


def _evidence_reports(store: GraphStore, runs: tuple[str, ...], judge: OpenAISettings | None) -> list[EvidenceReport]:
    from mmrare.scoring.condition_runs import evidence_runs
    from mmrare.scoring.run_choice import resolve_runs

    return [
        _evidence_scored(r.model, r.dataset, r.predictions, judge)
        for r in evidence_runs(store, resolve_runs(store, runs))
    ]


def _evidence_file_reports(
    paths: tuple[Path, ...], release: Path, judge: OpenAISettings | None, notes: ProblemLog
) -> list[EvidenceReport]:
    from mmrare.importers.mrarebench import read_evidence_predictions, read_evidence_release, split_file_name

    gold = read_evidence_release(release, notes)
    return [_evidence_scored(*split_file_name(p), read_evidence_predictions(p, gold, notes), judge) for p in paths]


@mrarebench.command("compare")
@prediction_source
@click.option(
    "--metric",
    default="rr",
    show_default=True,
    help="Item metric: T1 rr, hit@1, hit@3, hit@5 or hit@10; T2 det_required_recall@0.5 (or @0.3, @0.35, @0.4, "
    "@0.6), det_hierarchical_required_recall, det_required_meanmaxsim or det_mean_sent_groundedness.",
)
@click.option("--by", "by", type=click.Choice(["head", "prevalence", "none"]), default="head", show_default=True)
@click.option("--under", help="Only items whose answer is this Orphanet class or below it (ORPHA:98006).")
@click.option("--resamples", default=RESAMPLES, show_default=True, help="Bootstrap resamples (one default everywhere).")
@format_option("table", "json")
def compare(
    paths: tuple[Path, ...],
    release: Path | None,
    runs: tuple[str, ...],
    metric: str,
    by: str,
    under: str | None,
    resamples: int,
    fmt: str,
) -> None:
    """Paired condition comparisons per model, per item, with case-clustered 95% intervals, overall and
    per Orphanet head or prevalence class: T1 FD - baseline (textual leakage) and baseline - TO (the
    value of the images); T2 gold - NoDx (what the given diagnosis adds) and gold - TO (the value of
    the images), by a T2 --metric. From T1 prediction files and their release, or, given no file,
    from the MRareBench runs in the graph (`mmrare import benchmark --benchmark MRareBench`, then
    predictions)."""
    from mmrare.cli.common import known_class, orpha_code
    from mmrare.scoring.conditions import check_metric, condition_contrasts, item_strata, ranked_values, under_class

    try:
        check_metric(metric)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--metric") from exc

    evidence_files = check_source(paths, release, runs)
    if not paths:
        from mmrare.scoring.condition_runs import graph_contrasts
        from mmrare.scoring.run_choice import resolve_runs

        with open_store() as store:
            code = known_class(store, orpha_code(under, "--under"), "--under") if under else None
            found = graph_contrasts(store, resolve_runs(store, runs), metric, by, code, resamples)
        print_contrasts(found, metric, fmt)
        return
    from mmrare.importers.mrarebench import (
        read_evidence_predictions,
        read_evidence_release,
        read_predictions,
        read_release,
        split_file_name,
    )
    from mmrare.scoring.conditions import evidence_values
    from mmrare.scoring.differential_eval import answer_codes, evaluate
    from mmrare.scoring.evidence_verification import evaluate_evidence
    from mmrare.scoring.grounded_match import OntologyMatcher
    from mmrare.scoring.ranked_differential import gold_set

    assert release is not None
    notes = ProblemLog()
    if evidence_files:
        golds = read_evidence_release(release, notes)
        found_files = [
            evaluate_evidence(*split_file_name(p), read_evidence_predictions(p, golds, notes)) for p in paths
        ]
        values, named = (
            evidence_values(found_files, metric),
            {i: (g.orpha_codes, [g.diagnosis]) for i, g in golds.items()},
        )
    else:
        gold = read_release(release, notes)
        values = ranked_values([evaluate(*split_file_name(p), read_predictions(p, gold, notes)) for p in paths], metric)
        named = {i: (g.orpha_codes, gold_set(g.answer, g.aliases)) for i, g in gold.items()}
    show_notes(notes)
    with open_store() as store:
        matcher = OntologyMatcher(store)
        codes = {index: answer_codes(code, names, matcher) for index, (code, names) in named.items()}
        strata = {} if by == "none" else item_strata(store, codes, by)
        keep = under_class(store, codes, known_class(store, orpha_code(under, "--under"), "--under")) if under else None
    clusters = {index: g.case for index, g in (golds if evidence_files else gold).items()}
    found = condition_contrasts(values, strata, clusters, keep or (lambda index: True), resamples)
    print_contrasts(found, metric, fmt)


def print_contrasts(found: list, metric: str, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([asdict(c) for c in found], indent=1))
        return
    if not found:
        click.echo(
            "no model has files for two conditions to compare (T1: baseline with _FD, or _TO with baseline; "
            "T2: gold with _NoDx or _TO) that the metric applies to"
        )
    for c in found:
        p = c.comparison
        click.echo(
            f"{c.model:<24} {c.measures:<38} {c.stratum[:40]:<40} n={p.n:<5} {metric} {p.mean_a:.4f} -> "
            f"{p.mean_b:.4f}  difference {p.difference:+.4f} {interval(p.ci_low, p.ci_high, '+.4f')}  p={p.p_value:.3f}"
        )


@mrarebench.command("generate")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--items", default=200, show_default=True)
@click.option("--models", default="Model-A,Model-B", show_default=True, help="Comma-separated model names.")
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    type=click.Choice([*CONDITIONS, *EVIDENCE_CONDITIONS]),
    help="An input condition to write prediction files for (repeatable; default: T1's baseline only). A T2 "
    "condition writes the T2 release too.",
)
def generate(out: Path, items: int, models: str, seed: int, conditions: tuple[str, ...]) -> None:
    """Write SYNTHETIC MRareBench releases (T1; T2 when a T2 condition is asked for) and prediction files
    from the graph's Orphanet: ranked lists with near-name distractors, evidence descriptions."""
    from mmrare.importers.mrarebench_generator import generate_evidence, generate_mrarebench

    names = tuple(m for m in models.split(",") if m)
    ranked = tuple(c for c in conditions if c in CONDITIONS) or (() if conditions else ("MRareBench_Diagnosis",))
    evidence = tuple(c for c in conditions if c in EVIDENCE_CONDITIONS)
    with open_store() as store:
        releases = [generate_mrarebench(store, out, items, names, seed, ranked)] if ranked else []
        if evidence:
            releases.append(generate_evidence(store, out, items, names, seed, evidence))
    written = len(names) * (len(ranked) + len(evidence))
    click.echo(f"wrote {' and '.join(map(str, releases))} and {written} prediction file(s) under {out}")


def _number(value: float | str | None) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
