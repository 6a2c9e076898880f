"""`mmrare mrarebench`: the authors' successor benchmark (MRareBench), scored from its files."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from graph.settings import open_store


@click.group("mrarebench")
def mrarebench() -> None:
    """MRareBench (the successor benchmark): T1 ranked differentials, scored by the reference's rules."""


@mrarebench.command("score")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--release",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The release's diagnosis_opened.tsv.",
)
@click.option(
    "--grounded/--no-grounded",
    default=True,
    show_default=True,
    help="Also match candidates through Orphanet in the graph (reported apart).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def score(paths: tuple[Path, ...], release: Path, grounded: bool, fmt: str) -> None:
    """Score <model>_MRareBench_Diagnosis[_FD|_TO] prediction files: the reference's deterministic keys
    (recall@k, MRR, MR, hit and parse-fail rates), and the ontology-grounded numbers beside them."""
    from scoring.differential_eval import CONDITIONS, evaluate_file, read_release, split_file_name
    from scoring.grounded_match import OntologyMatcher

    for path in paths:
        split_file_name(path)  # every name is checked before any work
    gold = read_release(release)
    with open_store() as store:
        matcher = None
        if grounded:
            if store.count_nodes("Disease"):
                matcher = OntologyMatcher(store)
            else:
                click.echo("(no Orphanet in the graph: grounded matching left out; mmrare import orphanet)", err=True)
        reports = [evaluate_file(path, gold, matcher) for path in paths]
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in reports], indent=1))
        return
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


@mrarebench.command("generate")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--items", default=200, show_default=True)
@click.option("--models", default="Model-A,Model-B", show_default=True, help="Comma-separated model names.")
@click.option("--seed", default=7, show_default=True)
def generate(out: Path, items: int, models: str, seed: int) -> None:
    """Write a SYNTHETIC MRareBench T1 release and ranked-list prediction files from the graph's Orphanet."""
    from importers.mrarebench_generator import generate_mrarebench

    with open_store() as store:
        release = generate_mrarebench(store, out, items, tuple(m for m in models.split(",") if m), seed)
    click.echo(f"wrote {release} and {len(models.split(','))} prediction file(s) under {out}")


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.4f}"
