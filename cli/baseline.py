"""`mmrare baseline phenotype`: the knowledge-graph baseline on phenopacket-store's cases."""

from __future__ import annotations

import hashlib
import time

import click

from mmrare.cli.common import progress_on_stderr
from mmrare.core.phenopackets import BENCHMARK
from mmrare.graph.settings import open_store


@click.group("baseline")
def baseline() -> None:
    """Baselines computed from the graph alone, written as ordinary runs."""


@baseline.command("phenotype")
@click.option("--benchmark", default=BENCHMARK, show_default=True, type=click.Choice([BENCHMARK]))
@click.option("--release", help="The phenopacket-store release (default: the only one imported).")
@click.option("--name", default="phenotype-baseline", show_default=True, help="The run's model name.")
def phenotype(benchmark: str, release: str | None, name: str) -> None:
    """Rank Orphanet diseases for every case from its HPO features against Orphanet's HPO annotations
    (IC-weighted best match through the HPO hierarchy; scoring/phenotype_baseline.py), top 10, as a run
    scored by the grounded rule. Needs Orphanet (with phenotypes) and hp.obo imported."""
    from mmrare.importers.ranked_ids import write_ranked_run
    from mmrare.scoring.baseline_run import rank_cases

    start = time.perf_counter()
    with open_store() as store, progress_on_stderr() as progress:
        release, ranked = rank_cases(store, release, progress)
        digest = hashlib.sha256(f"{name}|{release}|{sorted(ranked.items())}".encode()).hexdigest()
        summary = write_ranked_run(store, name, ranked, f"{name}.baseline", digest, release)
    state = "new run" if summary.created else "already there (unchanged)"
    click.echo(f"{summary.run_id}: {summary.predictions} cases ranked in {time.perf_counter() - start:.1f} s; {state}")
    click.echo(f"report it: mmrare report --runs {name} --metric grounded_hit@1 --by head")
