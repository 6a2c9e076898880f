"""`mmrare audit leakage`."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from audit import KINDS, AuditConfig, LeakageAudit, store_audit
from graph.settings import open_store


def audit(tracks: tuple[str, ...], fmt: str, config: AuditConfig, show: int) -> None:
    with open_store() as store:
        result = LeakageAudit(store, config).run(tracks)
        store_audit(store, result)
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
