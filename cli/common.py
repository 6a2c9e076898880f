"""What several command groups share: track choices, ORPHA code and prevalence options, progress."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from tqdm import tqdm

from mmrare.core.orphanet import checked_prevalence_class, parse_orpha_code
from mmrare.core.tracks import ALL_TRACKS, BENCHMARKS, select_tracks
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore

# One vocabulary for --format: `table` for people, `json` and `csv` for programs, in this order
FORMATS = ("table", "json", "csv")


def format_option(*offered: str) -> Callable:
    """--format with the choices a command offers, named and ordered as everywhere; table by default."""
    unknown = [f for f in offered if f not in FORMATS]
    if unknown:
        raise ValueError(f"--format {unknown[0]!r} is not one of {', '.join(FORMATS)}")
    choices = [f for f in FORMATS if f in offered]
    return click.option("--format", "fmt", type=click.Choice(choices), default="table", show_default=True)


TRACK_CHOICE = click.Choice([t.name for t in ALL_TRACKS])
BENCHMARK_CHOICE = click.Choice(list(BENCHMARKS), case_sensitive=False)
benchmark_option = click.option(
    "--benchmark",
    type=BENCHMARK_CHOICE,
    default=None,
    help="Only this benchmark's items (both benchmarks when not given).",
)


def chosen_tracks(tracks: tuple[str, ...], benchmark: str | None) -> tuple[str, ...]:
    """--track within --benchmark, as a usage error on the command line when they do not meet."""
    try:
        return select_tracks(tracks, benchmark)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--track") from exc


def interval(low: float, high: float, spec: str) -> str:
    """An interval as text, or what stands in its place below the cases an interval needs."""
    from mmrare.scoring.stats import MIN_CASES

    if math.isnan(low) or math.isnan(high):
        return f"[no interval: under {MIN_CASES} cases]"
    return f"[{low:{spec}}, {high:{spec}}]"


def orpha_code(text: str, option: str) -> int:
    code = parse_orpha_code(text)
    if code is None:
        raise click.BadParameter(f"{text!r} is not an ORPHAcode (e.g. 558 or ORPHA:558)", param_hint=option)
    return code


def known_class(store: GraphStore, code: int, option: str) -> int:
    """A class to stratify or select by must be in the graph: an unknown code would give nothing."""
    if store.get(NodeRef("Disease", code)) is None:
        raise click.BadParameter(
            f"ORPHA:{code} is not in the graph; `mmrare orphanet show CODE` looks a code up", param_hint=option
        )
    return code


def prevalence_class(text: str) -> str:
    """An Orphanet prevalence class however it is spaced ('1-9/100000'); anything else lists the valid ones."""
    try:
        return checked_prevalence_class(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--prevalence") from exc


@contextmanager
def progress_on_stderr() -> Iterator:
    """A `core.progress.Progress` that draws one bar per stage on stderr, with counts, rate and ETA
    (stdout stays for results). Bars are drawn on a terminal only."""
    bar: tqdm | None = None
    current = ""
    # no monitor thread: importers fork worker processes only from a single-threaded process
    tqdm.monitor_interval = 0

    def report(stage: str, done: int, total: int) -> None:
        nonlocal bar, current
        if stage != current or bar is None:
            if bar is not None:
                bar.close()
            current = stage
            unit = "B" if "reading" in stage else "it"
            bar = tqdm(
                total=total, desc=stage, unit=unit, unit_scale=unit == "B", file=sys.stderr, leave=False, disable=None
            )
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield report
    finally:
        if bar is not None:
            bar.close()
