"""`mmrare import predictions`, `mmrare runs`, `mmrare score`, `mmrare report`, `mmrare compare`."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import click

from api.settings import blob_store
from graph.settings import open_store
from importers.orphanet.facts import parse_orpha_code
from importers.predictions import ModelInfo, import_predictions
from scoring.judges import Judge
from scoring.offline_judges import OfflineJudge, OntologyJudge, RubricListJudge
from scoring.openai_judge import OpenAIJudge, OpenAISettings
from scoring.report import child_classes, collect_rows, report_csv, stratify
from scoring.service import score_run
from scoring.stats import paired_comparison


def import_run(
    path: Path,
    model: str | None,
    family: str | None,
    domain: str | None,
    params: str | None,
    track: str | None,
    skip_invalid: bool,
) -> None:
    info = ModelInfo(model, family, domain, params) if model else None
    with open_store() as store:
        summary = import_predictions(path, store, info, track, skip_invalid)
    state = "new run" if summary.created else "already imported (unchanged)"
    click.echo(
        f"{summary.run_id}: {summary.predictions} predictions of {summary.model} ({', '.join(summary.tracks)}); {state}"
    )


def list_runs() -> None:
    with open_store() as store:
        for run in store.select("Run", order_by="createdAt"):
            p = run.props
            click.echo(
                f"{p['runId']}  model={p['model']}  tracks={','.join(p.get('tracks', []))}  "
                f"file={p.get('sourceFile')}  created={p.get('createdAt')}"
            )


def make_judge(
    name: str, store, base_url: str | None, model: str | None, key_env: str, concurrency: int, images: bool
) -> Judge:
    if name == "openai":
        if not base_url or not model:
            raise click.UsageError("--judge openai needs --base-url and --judge-model")
        return OpenAIJudge(
            OpenAISettings(base_url, model, os.environ.get(key_env, ""), concurrency=concurrency, send_images=images)
        )
    return {
        "offline": lambda: OfflineJudge(store),
        "ontology": lambda: OntologyJudge(store),
        "rubric-lists": RubricListJudge,
    }[name]()


def score(
    run_id: str, judge_name: str, base_url: str | None, model: str | None, key_env: str, concurrency: int, images: bool
) -> None:
    with open_store() as store:
        judge = make_judge(judge_name, store, base_url, model, key_env, concurrency, images)
        summary = score_run(store, run_id, judge, blob_store() if images else None)
    click.echo(
        f"{run_id} with {summary.judge} (config {summary.config_hash}): {summary.predictions} predictions, "
        f"{summary.judged} judged, {summary.cached} from cache, {summary.errors} judge errors"
    )
    for track, value in summary.mean_by_track.items():
        click.echo(f"  {track:<12} judge score {value:6.2f}")
    if summary.token_f1 is not None:
        click.echo(f"  {'diagnosis':<12} token F1    {summary.token_f1:6.2f}")
    for track, n in summary.skipped_tracks.items():
        click.echo(f"  ({n} {track} predictions not judged: {summary.judge} does not judge {track})")


def metric_name(metric: str) -> str:
    if metric in ("token_f1", "tokenF1"):
        return "tokenF1"
    if metric in ("exact", "exactMatch"):
        return "exactMatch"
    return "score_" + metric.removeprefix("judge:").replace("-", "_")


def report(
    runs: tuple[str, ...], by: str, metric: str, under: str | None, leak_free: bool, fmt: str, resamples: int, seed: int
) -> None:
    code = None
    if under is not None:
        code = parse_orpha_code(under)
        if code is None:
            raise click.BadParameter(f"{under!r} is not an ORPHAcode", param_hint="--under")
    with open_store() as store:
        rows = collect_rows(store, runs, restrict_under=(code,) if code else ())
        children = child_classes(store, code) if code and "class" in by else None
    result = stratify(rows, by, metric_name(metric), children, leak_free, resamples, seed)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "by": result.by,
                    "metric": result.metric,
                    "micro": result.micro,
                    "macro": result.macro,
                    "lines": [asdict(line) for line in result.lines],
                },
                indent=1,
            )
        )
        return
    if fmt == "csv":
        click.echo(report_csv(result), nl=False)
        return
    click.echo(f"{result.metric} by {result.by} (x100; 95% CI, bootstrap over cases, {resamples} resamples)")
    for line in result.lines:
        click.echo(
            f"  {line.model[:24]:<24} {line.group[:48]:<48} n={line.n:<5} {line.mean:6.2f} "
            f"[{line.ci_low:6.2f}, {line.ci_high:6.2f}]"
        )
    for run in result.micro:
        click.echo(f"  {run}: micro {result.micro[run]:.2f}, macro over {result.by} {result.macro[run]:.2f}")


def compare(run_a: str, run_b: str, metric: str, resamples: int, seed: int) -> None:
    with open_store() as store:
        rows = collect_rows(store, (run_a, run_b))
    name = metric_name(metric)
    a = {r.item_id: r.metrics[name] for r in rows if r.run_id == run_a and name in r.metrics}
    b = {r.item_id: r.metrics[name] for r in rows if r.run_id == run_b and name in r.metrics}
    clusters = {r.item_id: r.case_id for r in rows}
    c = paired_comparison(a, b, clusters, resamples, seed)
    click.echo(
        f"{name} on {c.n} items both runs answered: {run_a} {100 * c.mean_a:.2f}, {run_b} "
        f"{100 * c.mean_b:.2f}; difference {100 * c.difference:+.2f} "
        f"[{100 * c.ci_low:+.2f}, {100 * c.ci_high:+.2f}], p = {c.p_value:.4f}"
    )
