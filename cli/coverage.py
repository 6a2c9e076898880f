"""`mmrare coverage`: every hosted benchmark over Orphanet (scoring/coverage.py)."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict

import click

from mmrare.cli.common import format_option
from mmrare.graph.settings import open_store
from mmrare.scoring.coverage import GROUPINGS

SHARED_KEYS = ("a", "b", "diseases", "publications", "images")
DISORDER_COLUMNS = ("disorders_covered", "disorders_in_group", "uncovered_by_any")


@click.command("coverage")
@click.option("--by", type=click.Choice(GROUPINGS), default="head", show_default=True)
@click.option(
    "--under", type=int, default=None, help="ORPHAcode of the class whose children are the groups (--by class)"
)
@format_option("table", "json", "csv")
def coverage(by: str, under: int | None, fmt: str) -> None:
    """Per benchmark and release: items, cases, publications and distinct disorders under each Orphanet
    group (--by head: every head of a disorder; linearised: one head per disorder; prevalence; class
    --under CODE: each child class of CODE); the disorders of each group no benchmark covers; and what
    two benchmarks share."""
    from mmrare.scoring.coverage import coverage as build

    if (by == "class") != (under is not None):
        raise click.UsageError("--under CODE goes with --by class, and only with it")
    start = time.perf_counter()
    with open_store() as store:
        try:
            found = build(store, by, under)
        except ValueError as e:
            raise click.ClickException(str(e)) from e
    seconds = time.perf_counter() - start
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "by": found.by,
                    "under": found.under,
                    "rows": [asdict(r) for r in found.rows],
                    "uncovered": found.uncovered,
                    "shared": [
                        dict(zip(("a", "b", "diseases", "publications", "images"), s, strict=True))
                        for s in found.shared
                    ],
                },
                indent=1,
            )
        )
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "benchmark",
                by,
                "items",
                "cases",
                "publications",
                "disorders_covered",
                "disorders_in_group",
                "uncovered_by_any",
            ]
        )
        for r in found.rows:
            writer.writerow(
                [
                    r.benchmark,
                    r.group,
                    r.items,
                    r.cases,
                    r.publications,
                    r.diseases,
                    r.disorders,
                    found.uncovered.get(r.group, ""),
                ]
            )
        click.echo(out.getvalue(), nl=False)
        return
    width = max([len(by), *(len(r.group) for r in found.rows)])
    click.echo(
        f"coverage of Orphanet by {by}{f' under ORPHA:{under}' if under else ''} ({seconds:.2f} s); "
        "disorders: covered / in the group (covered by no benchmark)"
    )
    for benchmark in dict.fromkeys(r.benchmark for r in found.rows):
        click.echo(f"{benchmark}")
        for r in (r for r in found.rows if r.benchmark == benchmark):
            click.echo(
                f"  {r.group:<{width}}  {r.items:>6} items  {r.cases:>6} cases  {r.publications:>5} publications  "
                f"{r.diseases:>5} / {r.disorders:<5} ({found.uncovered.get(r.group, 0)} uncovered)"
            )
    for a, b, diseases, publications, images in found.shared:
        click.echo(f"shared by {a} and {b}: {diseases} disorders, {publications} publications, {images} images")
