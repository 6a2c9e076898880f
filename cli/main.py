"""The `mmrare` entry point: the command groups of the other cli modules under one group."""

from __future__ import annotations

import logging
import sys
from importlib.metadata import PackageNotFoundError, version

import click

from mmrare.graph.errors import GraphError

# The driver logs connection retries to stderr; the CLI reports the final error itself.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def _version() -> str:
    try:
        return version("mmrare-graph")
    except PackageNotFoundError:
        return "unknown"


class Cli(click.Group):
    """Turns the errors we expect (bad input, unreachable store) into one clear line, exit 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (GraphError, ValueError, FileNotFoundError) as exc:
            # ImportRejected is a ValueError: its message lists every problem found
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=Cli)
@click.version_option(_version(), prog_name="mmrare")
def main() -> None:
    """MMRare graph: Orphanet, MMRareBench and model runs in one graph (store: MMRARE_GRAPH)."""


def _register() -> None:
    from mmrare.cli import (
        baseline,
        benchmark,
        coverage,
        graph,
        leakage,
        mrarebench,
        orphanet,
        phenopackets,
        scoring,
        serve,
    )

    main.add_command(graph.graph)
    main.add_command(graph.neo4j)
    main.add_command(import_)
    main.add_command(baseline.baseline)
    main.add_command(coverage.coverage)
    main.add_command(phenopackets.diff)
    import_.add_command(orphanet.import_orphanet)
    import_.add_command(benchmark.import_benchmark)
    import_.add_command(scoring.import_predictions)
    import_.add_command(phenopackets.import_phenopackets)
    for command in (
        orphanet.orphanet,
        orphanet.fetch,
        benchmark.generate,
        benchmark.export,
        leakage.audit,
        scoring.runs,
        scoring.models,
        scoring.score,
        scoring.report,
        scoring.compare,
        mrarebench.mrarebench,
        serve.serve,
        serve.apikey,
    ):
        main.add_command(command)


@click.group("import")
def import_() -> None:
    """Import data into the graph (strict by default: any problem means nothing is written)."""


_register()

if __name__ == "__main__":
    main()
