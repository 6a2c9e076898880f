"""`mmrare import predictions`, `mmrare runs`, `mmrare score`, `mmrare report`, `mmrare compare`."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mmrare.cli.common import (
    TRACK_CHOICE,
    benchmark_option,
    chosen_tracks,
    format_option,
    interval,
    known_class,
    orpha_code,
    progress_on_stderr,
)
from mmrare.graph.settings import open_store
from mmrare.scoring.judge_choice import JUDGES, canonical_metric, metric_property
from mmrare.scoring.judges import judge_origin
from mmrare.scoring.stats import RESAMPLES

if TYPE_CHECKING:
    from mmrare.scoring.service import ScoreSummary


@click.command("predictions")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Model name (default: from <model>_MMRarebench_<Track>.xlsx).")
@click.option("--family", help="Model family, e.g. Qwen2.5-VL.")
@click.option("--domain", type=click.Choice(["general", "medical"]))
@click.option("--params", help="Parameter count, e.g. 7B.")
@click.option("--track", type=TRACK_CHOICE, help="Track of an index-only file whose name does not say it.")
@click.option("--skip-invalid", is_flag=True, help="Import the known items; report the rest.")
@click.option("--release", help="pheval.llm results: the phenopacket-store release answered (default: the only one).")
@click.option(
    "--max-group",
    default=10,
    show_default=True,
    help="phenopacket-store, grounded rule: a group of at most this many disorders containing the gold earns lenient "
    "credit (RareArena's rule).",
)
def import_predictions(
    paths: tuple[Path, ...],
    model: str | None,
    family: str | None,
    domain: str | None,
    params: str | None,
    track: str | None,
    skip_invalid: bool,
    release: str | None,
    max_group: int,
) -> None:
    """VLMEvalKit outputs (files, or folders searched for <model>_<dataset>.xlsx|tsv|json|csv, the
    datasets of MMRareBench's tracks and MRareBench's T1 conditions), JSONL {item, prediction}, or the
    pheval.llm study's layout <model>/<language>/full_df_results.tsv[.gz] (one run per model and
    language), or a ranked list of disease ids for phenopacket-store's cases (columns case, rank, id:
    MONDO, OMIM or ORPHA ids; with --model). All files are checked before any is written."""
    from mmrare.importers.pheval_results import import_study_results, is_study_layout
    from mmrare.importers.predictions import ModelInfo, import_prediction_files
    from mmrare.importers.ranked_ids import import_free_text_lists, import_ranked_ids, is_free_text_lists, is_ranked_ids

    info = ModelInfo(model, family, domain, params) if model else None
    with open_store() as store, progress_on_stderr() as progress:
        if any(is_ranked_ids(p) or is_free_text_lists(p) for p in paths):
            if len(paths) > 1 or not model:
                raise click.UsageError(
                    "a ranked list (case, rank, id; or case, prediction) is imported alone, with --model"
                )
            if is_ranked_ids(paths[0]):
                summaries = [import_ranked_ids(paths[0], store, model, release, None, skip_invalid, max_group)]
            else:
                summaries = [import_free_text_lists(paths[0], store, model, release, skip_invalid, max_group)]
        elif is_study_layout(list(paths)):
            summaries = import_study_results(list(paths), store, model, release, skip_invalid, max_group, progress)
        else:
            summaries = import_prediction_files(list(paths), store, info, track, skip_invalid)
    for summary in summaries:
        state = "new run" if summary.created else "already imported (unchanged)"
        blank = ""
        if summary.blank:
            blank = f"; {summary.blank} blank prediction(s) kept as 'nan', as the reference scores them"
        conditions = conditions_of(summary.dataset, summary.tracks) if summary.dataset else []
        what = ", ".join([*summary.tracks, *conditions])
        apart = f"; {summary.extra_rows} row(s) kept apart (see the warnings)" if summary.extra_rows else ""
        click.echo(
            f"{summary.run_id}: {summary.predictions} predictions of {summary.model} "
            f"({what}) from {Path(summary.file).name}; {state}{blank}{apart}"
        )
        for line in summary.warnings[:20]:
            click.echo(f"warning: {line}", err=True)
        if len(summary.warnings) > 20:
            click.echo(f"warning: ... and {len(summary.warnings) - 20} more", err=True)


def conditions_of(dataset: str, tracks: Sequence[str]) -> list[str]:
    """The dataset where it names an input condition of one of the tracks (MRareBench's datasets,
    phenopacket-store:en): it says more than the track."""
    from mmrare.core.tracks import TRACK_BY_NAME

    return [dataset] if any(dataset in TRACK_BY_NAME[t].conditions for t in tracks if t in TRACK_BY_NAME) else []


@click.group("runs", invoke_without_command=True)
@format_option("table", "json")
@click.pass_context
def runs(ctx: click.Context, fmt: str) -> None:
    """List the runs in the graph, and which one is reported per model and dataset (`runs use` chooses,
    else the newest)."""
    if ctx.invoked_subcommand is not None:
        return
    from mmrare.scoring.run_choice import evaluation_of, reported_runs

    with open_store() as store:
        found = [run.props for run in store.select("Run", order_by="createdAt")]
    reported = set(reported_runs(found).values())
    for p in found:
        p["reported"] = p["runId"] in reported
    if fmt == "json":
        click.echo(json.dumps(found, indent=1))
        return
    for p in found:
        model, dataset = evaluation_of(p)
        why = ("reported (chosen)" if p.get("chosen") else "reported (newest)") if p["reported"] else "not reported"
        click.echo(
            f"{p['runId']}  model={model}  dataset={dataset}  file={p.get('sourceFile')}  "
            f"created={p.get('createdAt')}  {why}"
        )


@runs.command("use")
@click.argument("run_id")
def runs_use(run_id: str) -> None:
    """Report RUN for its model and dataset (instead of the newest run)."""
    from mmrare.scoring.run_choice import use_run

    with open_store() as store:
        try:
            replaced = use_run(store, run_id)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    click.echo(
        f"{run_id} is now the run reported for its model and dataset"
        + (f" (instead of {', '.join(replaced)})" if replaced else "")
    )


@runs.command("delete")
@click.argument("run_id")
@click.option("--yes", is_flag=True, help="Do not ask.")
def runs_delete(run_id: str, yes: bool) -> None:
    """Delete RUN with its predictions and their judgements."""
    from mmrare.scoring.run_choice import delete_run

    if not yes:
        click.confirm(f"Delete run {run_id} with its predictions and judgements?", abort=True)
    with open_store() as store:
        try:
            predictions, judgements = delete_run(store, run_id)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    click.echo(f"deleted {run_id}: {predictions} prediction(s), {judgements} judgement(s)")


@click.group("models", invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """The models in the graph, with their family, domain and size (`models describe` sets them)."""
    if ctx.invoked_subcommand is not None:
        return
    with open_store() as store:
        for m in store.select("Model", order_by="name"):
            p = m.props
            click.echo(
                f"{p['name']}  family={p.get('family') or '-'}  domain={p.get('domain') or '-'}  "
                f"params={p.get('params') or '-'}"
            )


@models.command("describe")
@click.argument("name")
@click.option("--family", help="Model family, e.g. Qwen2.5-VL.")
@click.option("--domain", type=click.Choice(["general", "medical"]))
@click.option("--params", help="Parameter count, e.g. 7B.")
def models_describe(name: str, family: str | None, domain: str | None, params: str | None) -> None:
    """Set a model's family, domain or size after its runs were imported (reports group by domain)."""
    from mmrare.importers.predictions import ModelInfo

    if family is None and domain is None and params is None:
        raise click.UsageError("give --family, --domain or --params")
    try:
        info = ModelInfo(name, family, domain, params)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    with open_store() as store:
        if not store.get_many("Model", [info.name]):
            raise click.UsageError(f"no model {info.name!r} (see `mmrare models`)")
        row = {"name": info.name, "family": info.family, "domain": info.domain, "params": info.params}
        store.upsert_nodes("Model", [{k: v for k, v in row.items() if v is not None}])
        described = store.get_many("Model", [info.name])[info.name]
    click.echo(
        f"{info.name}: family={described.get('family') or '-'}  domain={described.get('domain') or '-'}  "
        f"params={described.get('params') or '-'}"
    )


@click.command("score")
@click.argument("names", nargs=-1, metavar="RUN_OR_MODEL...")
@click.option("--all", "every", is_flag=True, help="Score every run in the graph.")
@click.option("--judge", "judge_name", type=click.Choice(JUDGES), default="offline", show_default=True)
@click.option("--base-url", help="openai: the chat-completions base URL, e.g. http://127.0.0.1:8000/v1")
@click.option("--judge-model", help="openai: the judge model name.")
@click.option(
    "--api-key-env",
    default="MMRARE_JUDGE_API_KEY",
    show_default=True,
    help="openai: environment variable holding the API key.",
)
@click.option("--concurrency", default=4, show_default=True)
@click.option("--images", is_flag=True, help="openai: send the item's images (multimodal judge).")
def score(
    names: tuple[str, ...],
    every: bool,
    judge_name: str,
    base_url: str | None,
    judge_model: str | None,
    api_key_env: str,
    concurrency: int,
    images: bool,
) -> None:
    """Score runs' stored predictions (token F1 and a judge): run ids, model names (each of the model's
    runs) or --all; judgements are cached, so scoring again asks the judge nothing new."""
    from mmrare.core.settings import blob_store
    from mmrare.scoring.judge_choice import make_judge
    from mmrare.scoring.openai_judge import OpenAISettings
    from mmrare.scoring.run_choice import every_run
    from mmrare.scoring.service import score_run

    if bool(names) == every:
        raise click.UsageError("name the runs or models to score, or give --all")
    openai = None
    if base_url and judge_model:
        key = os.environ.get(api_key_env, "")
        openai = OpenAISettings(base_url, judge_model, key, concurrency=concurrency, send_images=images)
    elif judge_name == "openai":
        raise click.UsageError("--judge openai needs --base-url and --judge-model")
    with open_store() as store:
        try:
            run_ids = every_run(store, names)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        judge = make_judge(judge_name, store, openai)
        for run_id in run_ids:
            with progress_on_stderr() as progress:
                summary = score_run(store, run_id, judge, blob_store() if images else None, progress)
            _print_scored(run_id, summary)


def _print_scored(run_id: str, summary: ScoreSummary) -> None:
    click.echo(
        f"{run_id} with {summary.judge} [{judge_origin(summary.judge)}] (config {summary.config_hash}): "
        f"{summary.predictions} predictions, "
        f"{summary.judged} judged, {summary.cached} from cache, {summary.errors} judge errors"
    )
    for track, value in summary.mean_by_track.items():
        click.echo(f"  {track:<12} judge score {value:6.2f}")
    if summary.token_f1 is not None:
        click.echo(f"  {'diagnosis':<12} token F1    {summary.token_f1:6.2f}")
    for track, n in summary.skipped_tracks.items():
        click.echo(f"  ({n} {track} predictions not judged: {summary.judge} does not judge {track})")


def metric_name(metric: str) -> str:
    """The Prediction property of a metric name (scoring.judge_choice.metric_property), or a usage error."""
    try:
        return metric_property(metric)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--metric") from exc


@click.command("report")
@click.option(
    "--run",
    "--runs",
    "runs",
    multiple=True,
    help="Run id or model name (repeatable; default: all runs). A model's runs are pooled.",
)
@click.option(
    "--by",
    default="track",
    show_default=True,
    help="track, head, class (children of --under), prevalence, modality, images, leak, domain, model, "
    "all; combine with commas (track,head).",
)
@click.option(
    "--metric",
    default="offline",
    show_default=True,
    help="A judge name (offline, ontology, rubric-lists, openai), token_f1 or exact.",
)
@click.option("--under", help="Only items whose answer descends from this ORPHAcode.")
@click.option("--leak-free", is_flag=True, help="Only items the leakage audit found clean.")
@click.option("--track", "tracks", multiple=True, type=TRACK_CHOICE, help="Only items of this track (repeatable).")
@benchmark_option
@format_option("table", "csv", "json")
@click.option("--resamples", default=RESAMPLES, show_default=True, help="Bootstrap resamples (one default everywhere).")
@click.option("--seed", default=20260425, show_default=True)
@click.option(
    "--reference",
    is_flag=True,
    help="Per model and track, exactly the keys and scale of the reference evaluator's evaluate().",
)
@click.option("--judge", "ref_judge", help="With --reference: the judge whose scores give <track>_judge_score.")
@click.option(
    "--disagreements",
    is_flag=True,
    help="With --reference on phenopacket-store: list the cases where the study's rule and the grounded rule "
    "disagree, by reason.",
)
def report(
    runs: tuple[str, ...],
    by: str,
    metric: str,
    under: str | None,
    leak_free: bool,
    tracks: tuple[str, ...],
    benchmark: str | None,
    fmt: str,
    resamples: int,
    seed: int,
    reference: bool,
    ref_judge: str | None,
    disagreements: bool,
) -> None:
    """Stratified results per model (its runs pooled) with micro and macro means and case-clustered
    bootstrap 95% intervals; or, with --reference, the reference evaluator's headline numbers (for
    MRareBench, its ranked-differential keys per input condition)."""
    tracks = chosen_tracks(tracks, benchmark)
    if reference:
        if disagreements:
            echo_disagreements(runs, fmt)
            return
        reference_report(runs, ref_judge, fmt, tracks)
        return
    from mmrare.scoring.report import report_csv, stratified_report
    from mmrare.scoring.run_choice import resolve_runs

    code = orpha_code(under, "--under") if under is not None else None
    with open_store() as store:
        if code is not None:
            known_class(store, code, "--under")
        chosen = resolve_runs(store, runs)
        result = stratified_report(
            store, chosen, code, tracks, by, metric_name(metric), leak_free, resamples, seed=seed
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "by": result.by,
                    "metric": canonical_metric(result.metric),
                    "micro": result.micro,
                    # intervals as GraphQL's microCiLow / microCiHigh, in this file's key style
                    "micro_ci_low": {m: low for m, (low, _) in result.micro_ci.items()},
                    "micro_ci_high": {m: high for m, (_, high) in result.micro_ci.items()},
                    "items": result.items,
                    "macro": result.macro,
                    "runs": result.runs,
                    "common_items": result.common_items,
                    "common_micro": result.common_micro,
                    "common_micro_ci_low": {m: low for m, (low, _) in result.common_micro_ci.items()},
                    "common_micro_ci_high": {m: high for m, (_, high) in result.common_micro_ci.items()},
                    "complete": result.complete,
                    "lines": [asdict(line) for line in result.lines],
                },
                indent=1,
            )
        )
        return
    if fmt == "csv":
        click.echo(report_csv(result), nl=False)
        return
    click.echo(
        f"{canonical_metric(result.metric)} by {result.by} (x100; 95% CI, bootstrap over cases, {resamples} resamples)"
    )
    model_width = max([len("model"), *(len(line.model) for line in result.lines)])
    group_width = max([len(result.by), *(len(line.group) for line in result.lines)])
    click.echo(f"  {'model':<{model_width}}  {result.by:<{group_width}}  {'n':>5}  {'mean':>6}  95% CI")
    for line in result.lines:
        click.echo(
            f"  {line.model:<{model_width}}  {line.group:<{group_width}}  {line.n:>5}  {line.mean:6.2f}  "
            f"{interval(line.ci_low, line.ci_high, '6.2f')}"
        )
    # ranked, best first, on the items every model answered: a model with fewer items is not compared
    # with another on different questions
    for model in sorted(result.micro, key=lambda m: (-result.common_micro[m], m)):
        ci = interval(*result.micro_ci[model], ".2f")
        click.echo(
            f"  {model}: micro {result.micro[model]:.2f} {ci} over {result.items[model]} items, "
            f"macro over {result.by} {result.macro[model]:.2f} ({len(result.runs[model])} run(s) pooled)"
            + ("" if result.complete[model] else "  [incomplete]")
        )
    if not result.same_items:
        click.echo(
            f"warning: the models answered different items; ranked by the mean over the {result.common_items} "
            "item(s) every model answered: "
            + "; ".join(
                f"{m} {result.common_micro[m]:.2f} {interval(*result.common_micro_ci[m], '.2f')}"
                for m in sorted(result.micro, key=lambda m: (-result.common_micro[m], m))
            ),
            err=True,
        )
    if not runs:
        click.echo(
            "runs: per model and dataset the run chosen with `mmrare runs use`, else the newest: "
            + "; ".join(f"{m}: {', '.join(r)}" for m, r in sorted(result.runs.items()))
        )


def reference_report(runs: tuple[str, ...], judge: str | None, fmt: str, tracks: tuple[str, ...] = ()) -> None:
    """Per track, its authors' evaluator: VLMEvalKit's keys, or the pheval.llm study's table."""
    from mmrare.cli.phenopackets import echo_study_table, study_json
    from mmrare.core.tracks import TRACK_BY_NAME, StudyTable
    from mmrare.scoring.reference import collect_reference_rows, reference_scores
    from mmrare.scoring.run_choice import resolve_runs
    from mmrare.scoring.study_table import study_rows

    wanted = set(tracks or TRACK_BY_NAME)
    with open_store() as store:
        run_ids = resolve_runs(store, runs)
        study = [s for s in study_rows(store, run_ids) if wanted & set(s.tracks)]
        rows = collect_reference_rows(store, run_ids, judge, tuple(wanted))
    # each track's rule gives its keys; a track whose reference is a study's table gives its table
    results = reference_scores(rows, judge)
    if all(isinstance(TRACK_BY_NAME[t].reference, StudyTable) for t in wanted) and not study:
        raise click.UsageError("no run answers the study's track: import its results first")
    if not results and study:
        click.echo(json.dumps(study_json(study), indent=1)) if fmt == "json" else echo_study_table(study)
        return
    if fmt == "json":
        out: dict[str, dict] = {}
        for r in results:
            out.setdefault(r.model, {})[r.label] = {
                **r.values,
                "dropped_without_image": r.dropped_without_image,
                "judge_errors": r.judge_errors,
                "rows_apart": r.apart,
                "rows_apart_not_judged": r.apart_not_judged,
                "empty_vocabulary": r.empty_vocabulary,
            }
        document = {"judge": judge, "judge_origin": judge_origin(judge), "results": out}
        if study:
            document["study_tables"] = study_json(study)
        click.echo(json.dumps(document, indent=1))
        return
    if study:
        echo_study_table(study)
    click.echo(
        "reference evaluate() keys per model and track (MRareBench: per input condition); MMRareBench rows "
        f"without an image cell are dropped, as the reference does. Judge: {judge or 'none (F1 / substring_match)'}"
        + (f" ({judge_origin(judge)})" if judge else "")
    )
    for r in results:
        cells = [f"{k}={v!r}" if k != "n_total" else f"n_total={int(v)}" for k, v in r.values.items()]
        notes = [f"{r.dropped_without_image} dropped without an image cell"] if r.dropped_without_image else []
        if r.apart:
            notes.append(f"{r.apart} row(s) of an unknown or repeated index included, as the reference scores them")
        if r.apart_not_judged:
            notes.append(f"{r.apart_not_judged} such row(s) left out: no judge scores them")
        if r.empty_vocabulary:
            notes.append(f"{r.empty_vocabulary} row(s) all stop words (the reference stops there; scored 0 here)")
        extra = "".join(f"; {n}" for n in notes)
        errors = f"; {r.judge_errors} judge error(s) scored 0" if r.judge_errors else ""
        # a long key list (MRareBench T2 has some eighty) goes four to a line under its model
        lines = [", ".join(cells[k : k + 4]) for k in range(0, len(cells), 4)] if len(cells) > 12 else cells[:0]
        lines = lines or [", ".join(cells)]
        click.echo(f"  {r.model:<28} {r.label:<12} {lines[0]}{extra if len(lines) == 1 else ''}{errors}")
        for line in lines[1:]:
            click.echo(f"  {'':<28} {'':<12} {line}")
        if len(lines) > 1 and extra:
            click.echo(f"  {'':<28} {'':<12} {extra.removeprefix('; ')}")


@click.command("compare")
@click.argument("run_a", metavar="A", required=False)
@click.argument("run_b", metavar="B", required=False)
@click.option(
    "--conditions",
    is_flag=True,
    help="Instead of A and B: each model's input conditions against each other, per item (phenopacket-store: "
    "English minus each other language; MRareBench: its condition pairs), overall and --by head or prevalence.",
)
@click.option("--runs", "condition_runs", multiple=True, help="With --conditions: only these runs or models.")
@click.option("--by", type=click.Choice(["head", "prevalence", "none"]), default="head", show_default=True)
@click.option("--metric", default=None, help="[default: offline; with --conditions: rr]")
@click.option("--resamples", default=RESAMPLES, show_default=True, help="Bootstrap resamples (one default everywhere).")
@click.option("--seed", default=20260425, show_default=True)
@click.option("--track", "tracks", type=TRACK_CHOICE, multiple=True, help="Only items of this track (repeatable).")
@click.option("--under", help="Only items whose disease is under this Orphanet class (ORPHA:98006 or 98006).")
@click.option("--leak-free", is_flag=True, help="Only items the leakage audit found leak-free.")
@format_option("table", "json")
def compare(
    run_a: str | None,
    run_b: str | None,
    conditions: bool,
    condition_runs: tuple[str, ...],
    by: str,
    metric: str | None,
    resamples: int,
    seed: int,
    tracks: tuple[str, ...],
    under: str | None,
    leak_free: bool,
    fmt: str,
) -> None:
    """Paired comparison of two models (or runs) on the items both answered: the difference B - A of
    their means, x100 as in `report`, with its bootstrap interval over cases (publications where an
    item names one) and a sign-flip permutation p-value. A model name stands for its reported runs, as
    in `report`. With --conditions, every model's condition pairs instead (no A and B)."""
    from mmrare.scoring.report import check_one_run_per_item, collect_rows
    from mmrare.scoring.run_choice import resolve_runs
    from mmrare.scoring.stats import paired_comparison

    if conditions:
        if run_a or run_b:
            raise click.UsageError("--conditions compares each model's conditions: give --runs, not A and B")
        compare_conditions(condition_runs, metric or "rr", by, under, resamples, fmt)
        return
    if not (run_a and run_b):
        raise click.UsageError("give two runs or models, A and B (or --conditions)")
    metric = metric or "offline"

    with open_store() as store:
        code = known_class(store, orpha_code(under, "--under"), "--under") if under else None
        runs_a, runs_b = resolve_runs(store, [run_a]), resolve_runs(store, [run_b])
        restrict = ((code,) if code else (), tracks)
        rows_a, rows_b = collect_rows(store, runs_a, *restrict), collect_rows(store, runs_b, *restrict)
    if leak_free:
        rows_a, rows_b = [r for r in rows_a if r.leak_free], [r for r in rows_b if r.leak_free]
    check_one_run_per_item(rows_a)
    check_one_run_per_item(rows_b)
    name = metric_name(metric)
    a = {r.item_id: r.metrics[name] for r in rows_a if name in r.metrics}
    b = {r.item_id: r.metrics[name] for r in rows_b if name in r.metrics}
    if not set(a) & set(b):
        raise ValueError(f"{run_a} and {run_b} share no item scored by {name}: nothing to compare")
    if set(a) != set(b):
        click.echo(
            f"warning: {run_a} answered {len(a)} item(s), {run_b} {len(b)}: compared on the "
            f"{len(set(a) & set(b))} both answered",
            err=True,
        )
    clusters = {r.item_id: r.case_id for r in [*rows_a, *rows_b]}
    c = paired_comparison(a, b, clusters, resamples, seed)
    if fmt == "json":
        scaled = {k: 100 * v if k in ("mean_a", "mean_b", "difference", "ci_low", "ci_high") else v
                  for k, v in asdict(c).items()}  # fmt: skip
        click.echo(json.dumps({"a": run_a, "b": run_b, "metric": name, "scale": "x100", **scaled}, indent=1))
        return
    click.echo(
        f"{name} (x100, as in report) on {c.n} items both answered: A {run_a} {100 * c.mean_a:.2f}, "
        f"B {run_b} {100 * c.mean_b:.2f}; difference B - A {100 * c.difference:+.2f} "
        f"{interval(100 * c.ci_low, 100 * c.ci_high, '+.2f')}, p = {c.p_value:.4f}"
    )


def compare_conditions(
    runs: tuple[str, ...], metric: str, by: str, under: str | None, resamples: int, fmt: str
) -> None:
    """The condition pairs of every benchmark that has them, from the runs in the graph."""
    from mmrare.cli.mrarebench import print_contrasts
    from mmrare.scoring.condition_runs import graph_contrasts
    from mmrare.scoring.conditions import check_metric
    from mmrare.scoring.run_choice import resolve_runs

    try:
        check_metric(metric)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--metric") from exc
    with open_store() as store:
        code = known_class(store, orpha_code(under, "--under"), "--under") if under else None
        found = graph_contrasts(store, resolve_runs(store, runs), metric, by, code, resamples)
    if not found:
        raise click.UsageError("no model has runs under two conditions to compare (see `mmrare runs`)")
    print_contrasts(found, metric, fmt)


def echo_disagreements(runs: tuple[str, ...], fmt: str) -> None:
    """Per run with the study's table, the cases the two rules judge differently, by reason."""
    from mmrare.scoring.run_choice import resolve_runs
    from mmrare.scoring.study_table import disagreements, study_rows

    with open_store() as store:
        found = {r.run_id: disagreements(store, r.run_id) for r in study_rows(store, resolve_runs(store, runs))}
    if fmt == "json":
        click.echo(json.dumps(found, indent=1))
        return
    for run_id, by_reason in found.items():
        click.echo(run_id)
        for reason, cases in by_reason.items():
            shown = ", ".join(cases[:8]) + (f", ... ({len(cases) - 8} more)" if len(cases) > 8 else "")
            click.echo(f"  {reason}: {len(cases)}: {shown}")
