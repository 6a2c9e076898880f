"""`mmrare import benchmark`, `mmrare generate sample`, `mmrare export benchmark`."""

from __future__ import annotations

from pathlib import Path

import click

from mmrare.cli.common import (
    BENCHMARK_CHOICE,
    TRACK_CHOICE,
    benchmark_option,
    chosen_tracks,
    known_class,
    orpha_code,
    prevalence_class,
    progress_on_stderr,
)
from mmrare.graph.settings import graph_setting, open_store


@click.command("benchmark")
@click.argument("root", type=click.Path(exists=True, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows; report each rejected row.")
@click.option(
    "--benchmark",
    type=BENCHMARK_CHOICE,
    default="MMRareBench",
    show_default=True,
    help="Which benchmark it is a release of: MMRareBench (its four track TSVs), MRareBench (T1, "
    "diagnosis/diagnosis_opened.tsv, imported as the differential track), or another hosted one.",
)
@click.option("--release", help="The release's version, for a benchmark whose reader takes one (phenopacket-store).")
def import_benchmark(root: Path, skip_invalid: bool, benchmark: str, release: str | None) -> None:
    """A benchmark release into the graph, beside any other benchmark: a folder of TSV files, or what
    the benchmark's own reader takes (phenopacket-store: a zip, folders or JSON files). Images go to
    MMRARE_DATA_DIR/blobs."""
    from mmrare.core.settings import blob_store
    from mmrare.core.tracks import OwnReader, benchmark_tracks
    from mmrare.importers.benchmark.loader import import_release

    own = {t.release for t in benchmark_tracks(benchmark) if isinstance(t.release, OwnReader)}
    if own:  # the benchmark reads its release itself
        (reader,) = own
        with open_store() as store, progress_on_stderr() as progress:
            lines, problems = reader.load()([root], store, release, skip_invalid, progress)
        for line in lines:
            click.echo(line)
        for line in problems:
            click.echo(line, err=True)
        return
    with open_store() as store, progress_on_stderr() as progress:
        summary = import_release(
            root, store, blob_store(), skip_invalid=skip_invalid, progress=progress, benchmark=benchmark
        )
    for line in summary.rejected:
        click.echo(f"rejected: {line}", err=True)
    for line in summary.warnings[:20]:
        click.echo(f"warning: {line}", err=True)
    if len(summary.warnings) > 20:
        click.echo(f"warning: ... and {len(summary.warnings) - 20} more", err=True)
    if summary.dropped_without_image:
        click.echo(
            f"note: {summary.dropped_without_image} row(s) have neither an image cell nor an image_path and were "
            "dropped, as the reference's loader drops them (a prediction for one is kept on its run, unmatched)",
            err=True,
        )
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


@click.group()
def generate() -> None:
    """Make synthetic data."""


@generate.command("sample")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--items", type=int, default=None, help="Number of items (default 40).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--scale", type=click.Choice(["paper"]), default=None, help="paper: 1,756 items, 7,958 images.")
@click.option("--plant-leaks", is_flag=True, help="Plant leaks of each kind; list them in leak_manifest.json.")
def generate_sample(out: Path, items: int | None, seed: int, scale: str | None, plant_leaks: bool) -> None:
    """A SYNTHETIC release in the MMRareBench format, from the Orphanet diseases in the graph."""
    from mmrare.importers.benchmark.generator import PAPER_IMAGES, PAPER_ITEMS, generate_release

    n_items, n_images = (PAPER_ITEMS, PAPER_IMAGES) if scale == "paper" else (items or 40, None)
    with open_store() as store:
        manifest = generate_release(store, out, n_items, seed, n_images, plant_leaks)
    click.echo(
        f"wrote a SYNTHETIC release to {out}: {manifest.items} items, {manifest.images} images"
        + (f", {len(manifest.leaks)} planted leaks (leak_manifest.json)" if plant_leaks else "")
    )


@click.group()
def export() -> None:
    """Write subsets out."""


@export.command("benchmark")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--track", "tracks", multiple=True, type=TRACK_CHOICE)
@benchmark_option
@click.option("--under", multiple=True, help="ORPHAcode of a class: items whose answer descends from it.")
@click.option("--prevalence", multiple=True, help="Headline prevalence class, e.g. '1-9 / 100 000'.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "parquet", "hf"]),
    default="tsv",
    show_default=True,
    help="tsv: the release's own files; parquet: <track>.parquet with images as bytes (needs pyarrow); "
    "hf: a Hugging Face dataset folder, one config per track, with a dataset card (needs datasets).",
)
def export_benchmark(
    out: Path,
    tracks: tuple[str, ...],
    benchmark: str | None,
    under: tuple[str, ...],
    prevalence: tuple[str, ...],
    fmt: str,
) -> None:
    """Any subset back to the release format (TSV; a folder per benchmark when it holds items of
    both), or to Parquet."""
    from mmrare.core.settings import blob_store
    from mmrare.graph.subsets import ItemFilter, select_items
    from mmrare.importers.benchmark.export import export_hf, export_items, export_parquet, not_exported

    codes = [orpha_code(text, "--under") for text in under]
    tracks = chosen_tracks(tracks, benchmark)
    with open_store() as store:
        codes = [known_class(store, code, "--under") for code in codes]
        classes = tuple(prevalence_class(text) for text in prevalence)
        items = select_items(store, ItemFilter(tracks=tracks, under=tuple(codes), prevalence_classes=classes))
        writer = {"tsv": export_items, "parquet": export_parquet, "hf": export_hf}[fmt]
        try:
            written = writer(store, items, blob_store(), out)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        skipped = not_exported(items)
    click.echo(
        f"exported {sum(written.values())} items to {out}: "
        + (", ".join(f"{t} {n}" for t, n in written.items()) or "nothing matched")
    )
    for track, (count, command) in skipped.items():
        click.echo(f"not exported: {count} {track} item(s); their release is not a TSV file (`{command}` reads it)")
