"""`mmrare audit leakage`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

import click

from mmrare.audit import KINDS, AuditConfig, audit_and_store
from mmrare.cli.common import TRACK_CHOICE, benchmark_option, chosen_tracks, format_option, progress_on_stderr
from mmrare.graph.settings import open_store


@click.group()
def audit() -> None:
    """Audits of the benchmark."""


# The audit's settings on the command line: (AuditConfig field, help).
SETTINGS = (
    ("parent_max_members", "Ontology kind: a parent group of at most this many members leaks its member."),
    ("gene_max_diseases", "Rare-gene kind: a gene of at most this many diseases leaks them."),
    ("phenotype_max_candidates", "Phenotype kind: at most this many diseases fit all mentioned phenotypes."),
    ("phenotype_min_bits_margin", "Phenotype kind: bits beyond log2(diseases) the mentioned phenotypes must carry."),
    ("phash_max_distance", "Near-duplicates: DCT hash bits apart for a candidate pair."),
    ("pixel_min_correlation", "Near-duplicates: correlation of the 16x16 grey copies that confirms a candidate pair."),
    ("dhash_max_distance", "Near-duplicates: the confirmation for images imported before the grey copies existed."),
)


def audit_settings(command: Callable) -> Callable:
    """One option per audit setting, its default from AuditConfig."""
    for field, text in reversed(SETTINGS):
        flag = "--" + field.replace("_", "-")
        command = click.option(flag, field, default=getattr(AuditConfig, field), show_default=True, help=text)(command)
    return command


@audit.command("leakage")
@click.option("--track", "tracks", multiple=True, type=TRACK_CHOICE)
@benchmark_option
@format_option("table", "json")
@click.option("--show", default=20, show_default=True, help="Findings to print in the table.")
@audit_settings
def audit_leakage(tracks: tuple[str, ...], benchmark: str | None, fmt: str, show: int, **settings: float) -> None:
    """Ontology-aware leakage audit; replaces earlier findings of the same configuration."""
    config = AuditConfig(**settings)  # type: ignore[arg-type]
    with open_store() as store, progress_on_stderr() as progress:
        result = audit_and_store(store, chosen_tracks(tracks, benchmark), config, progress)
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
