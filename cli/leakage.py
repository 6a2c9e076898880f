"""`mmrare audit leakage`."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from audit import KINDS, AuditConfig, audit_and_store
from cli.common import TRACK_CHOICE, progress_on_stderr
from graph.settings import open_store


@click.group()
def audit() -> None:
    """Audits of the benchmark."""


@audit.command("leakage")
@click.option("--track", "tracks", multiple=True, type=TRACK_CHOICE)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--show", default=20, show_default=True, help="Findings to print in the table.")
@click.option("--parent-max-members", default=AuditConfig.parent_max_members, show_default=True)
@click.option("--gene-max-diseases", default=AuditConfig.gene_max_diseases, show_default=True)
@click.option(
    "--phenotype-max-candidates",
    default=AuditConfig.phenotype_max_candidates,
    show_default=True,
    help="Phenotype kind: at most this many diseases fit all mentioned phenotypes.",
)
@click.option(
    "--phenotype-min-bits-margin",
    default=AuditConfig.phenotype_min_bits_margin,
    show_default=True,
    help="Phenotype kind: bits beyond log2(diseases) the mentioned phenotypes must carry.",
)
@click.option("--phash-max-distance", default=AuditConfig.phash_max_distance, show_default=True)
@click.option("--dhash-max-distance", default=AuditConfig.dhash_max_distance, show_default=True)
def audit_leakage(
    tracks: tuple[str, ...],
    fmt: str,
    show: int,
    parent_max_members: int,
    gene_max_diseases: int,
    phenotype_max_candidates: int,
    phenotype_min_bits_margin: float,
    phash_max_distance: int,
    dhash_max_distance: int,
) -> None:
    """Ontology-aware leakage audit; replaces earlier findings of the same configuration."""
    config = AuditConfig(
        parent_max_members=parent_max_members,
        gene_max_diseases=gene_max_diseases,
        phenotype_max_candidates=phenotype_max_candidates,
        phenotype_min_bits_margin=phenotype_min_bits_margin,
        phash_max_distance=phash_max_distance,
        dhash_max_distance=dhash_max_distance,
    )
    with open_store() as store, progress_on_stderr() as progress:
        result = audit_and_store(store, tracks, config, progress)
    summary = result.summary()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "config": asdict(config),
                    "configHash": config.hash,
                    "summary": summary,
                    "findings": [asdict(f) for f in result.findings],
                },
                indent=1,
            )
        )
        return
    click.echo(
        f"leakage audit (config {config.hash}): {len(result.audited)} items, {len(result.findings)} findings, "
        f"{len(result.leaky)} items flagged"
    )
    header = f"  {'track':<12}{'items':>7}{'flagged':>9}{'leak-free':>11}" + "".join(f"{k:>15}" for k in KINDS)
    click.echo(header)
    for track, row in sorted(summary.items()):
        click.echo(
            f"  {track:<12}{row['items']:>7}{row['flagged']:>9}{row['leak-free']:>11}"
            + "".join(f"{row[k]:>15}" for k in KINDS)
        )
    for f in result.findings[:show]:
        click.echo(f"  [{f.severity}] {f.item_id} {f.kind}: {f.explanation}\n      path: {' '.join(f.path)}")
    if len(result.findings) > show:
        click.echo(f"  ... {len(result.findings) - show} more (--show N, or --format json)")
