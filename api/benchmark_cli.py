"""`mmrare import benchmark`, `mmrare generate sample`, `mmrare export benchmark`."""

from __future__ import annotations

from pathlib import Path

import click

from api.settings import blob_store
from core.orphanet import parse_orpha_code
from graph.settings import graph_setting, open_store
from graph.subsets import ItemFilter, select_items
from importers.benchmark.export import export_items
from importers.benchmark.generator import PAPER_IMAGES, PAPER_ITEMS, generate_release
from importers.benchmark.loader import import_release


def import_benchmark(root: Path, skip_invalid: bool) -> None:
    with open_store() as store, click.progressbar(length=100, label="importing", show_pos=False) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            bar.label = f"{stage:<20}"
            bar.update(int(100 * done / total) - bar.pos)

        summary = import_release(root, store, blob_store(), skip_invalid=skip_invalid, progress=progress)
    for line in summary.rejected:
        click.echo(f"rejected: {line}", err=True)
    for line in summary.warnings[:20]:
        click.echo(f"warning: {line}", err=True)
    if len(summary.warnings) > 20:
        click.echo(f"warning: ... and {len(summary.warnings) - 20} more", err=True)
    if summary.without_image_cell:
        click.echo(
            f"note: {summary.without_image_cell} item(s) have no image cell and were read from image_path "
            "(our extension: the reference evaluator drops these rows; `report --reference` leaves them out)",
            err=True,
        )
    tracks = ", ".join(f"{n} {t}" for t, n in summary.items.items())
    click.echo(
        f"{graph_setting()}: items {tracks}; {summary.images:,} images; {summary.cases:,} cases; "
        f"{summary.mentions:,} entity mentions"
    )
    methods = ", ".join(f"{m} {n}" for m, n in sorted(summary.aligned.items())) or "none"
    click.echo(
        f"alignment: {methods}; unresolved {len(summary.unresolved)}; ambiguous {len(summary.ambiguous)} (not "
        f"linked); unknown codes {len(summary.unknown_codes)}; conflicts {len(summary.conflicts)}"
    )
    for item_id, answer, candidates in summary.ambiguous[:20]:
        click.echo(f"  ambiguous {item_id}: {answer!r} could be {', '.join(f'ORPHA:{c}' for c in candidates)}")
    for item_id, answer in summary.unresolved[:20]:
        click.echo(f"  unresolved {item_id}: {answer!r}")
    for item_id, code in summary.unknown_codes[:20]:
        click.echo(f"  unknown code {item_id}: ORPHA:{code}")
    for item_id, by_code, by_name in summary.conflicts[:20]:
        click.echo(f"  conflict {item_id}: code says {by_code}, name says {by_name}")


def generate(out: Path, items: int | None, seed: int, scale: str | None, plant_leaks: bool) -> None:
    n_items, n_images = (PAPER_ITEMS, PAPER_IMAGES) if scale == "paper" else (items or 40, None)
    with open_store() as store:
        manifest = generate_release(store, out, n_items, seed, n_images, plant_leaks)
    click.echo(
        f"wrote a SYNTHETIC release to {out}: {manifest.items} items, {manifest.images} images"
        + (f", {len(manifest.leaks)} planted leaks (leak_manifest.json)" if plant_leaks else "")
    )


def export(out: Path, tracks: tuple[str, ...], under: tuple[str, ...], prevalence: tuple[str, ...]) -> None:
    codes = []
    for text in under:
        code = parse_orpha_code(text)
        if code is None:
            raise click.BadParameter(f"{text!r} is not an ORPHAcode", param_hint="--under")
        codes.append(code)
    with open_store() as store:
        items = select_items(store, ItemFilter(tracks=tracks, under=tuple(codes), prevalence_classes=prevalence))
        written = export_items(store, items, blob_store(), out)
    click.echo(
        f"exported {sum(written.values())} items to {out}: "
        + (", ".join(f"{t} {n}" for t, n in written.items()) or "nothing matched")
    )
