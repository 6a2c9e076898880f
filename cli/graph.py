"""`mmrare graph ...` and `mmrare neo4j ...`: the store and the local Neo4j server."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mmrare.cli.common import format_option
from mmrare.graph.errors import StoreUnavailableError
from mmrare.graph.settings import graph_setting, open_store


@click.group()
def graph() -> None:
    """Inspect and prepare the graph store."""


@graph.command("init")
def graph_init() -> None:
    """Create constraints and indexes (idempotent; imports also do this)."""
    with open_store() as store:
        store.init()
    click.echo(f"initialised {graph_setting()}")


@graph.command("stats")
@format_option("table", "json")
def graph_stats(fmt: str) -> None:
    """Count nodes by label and relationships by type, and say the graph's generation."""
    with open_store() as store:
        stats, generation = store.stats(), store.generation()
    if fmt == "json":
        click.echo(json.dumps({"generation": generation, **stats}, indent=2))
        return
    click.echo(f"graph: {graph_setting()}")
    click.echo(f"generation: {generation} (moves with every write)")
    for section, counts in stats.items():
        click.echo(f"{section}:")
        for name, n in counts.items():
            click.echo(f"  {name:<18} {n:>10,}")


@graph.command("reset")
@click.option("--yes", is_flag=True, help="Really delete everything in the graph.")
def graph_reset(yes: bool) -> None:
    """Delete the whole graph."""
    if not yes:
        raise click.UsageError("this deletes the whole graph; pass --yes to confirm")
    with open_store() as store:
        store.clear()
    click.echo(f"cleared {graph_setting()}")


@graph.command("upgrade")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
def graph_upgrade(old: Path, new: Path) -> None:
    """Copy a graph file of the earlier embedded format (gzip JSON) into a new SQLite graph file."""
    from mmrare.graph.embedded import EmbeddedStore, upgrade_json_graph

    if new.exists():
        raise click.UsageError(f"{new} exists; name a new file")
    with EmbeddedStore(new) as store:
        try:
            nodes, rels = upgrade_json_graph(old, store)
        except StoreUnavailableError as exc:
            store.close()
            new.unlink(missing_ok=True)
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{new}: {nodes:,} nodes and {rels:,} relationships copied from {old}")
    click.echo(f"use it with MMRARE_GRAPH=embedded:{new}")


@click.group()
def neo4j() -> None:
    """A local Neo4j 5.26 assembled from Maven Central (no Docker). Home: MMRARE_NEO4J_HOME."""


@neo4j.command("start")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for Bolt.")
def neo4j_start(timeout: float) -> None:
    """Assemble the server if needed, start it and wait until Bolt answers."""
    from mmrare.graph.local_neo4j import LocalNeo4j, LocalNeo4jError

    server = LocalNeo4j.from_env()
    try:
        if not server.is_assembled():
            click.echo(f"assembling Neo4j in {server.home} with Maven (once)...")
        server.start(timeout=timeout)
    except LocalNeo4jError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Neo4j is up: MMRARE_GRAPH={server.uri}")


@neo4j.command("stop")
def neo4j_stop() -> None:
    """Stop the local server."""
    from mmrare.graph.local_neo4j import LocalNeo4j

    click.echo("stopped" if LocalNeo4j.from_env().stop() else "was not running")


@neo4j.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs and answers."""
    from mmrare.graph.local_neo4j import LocalNeo4j

    click.echo(LocalNeo4j.from_env().status())
