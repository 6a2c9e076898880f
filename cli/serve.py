"""`mmrare serve` and `mmrare apikey`: the service and its keys."""

from __future__ import annotations

import click


@click.command("serve")
@click.option(
    "--demo",
    is_flag=True,
    help="On an empty graph, load demo data first (real Orphanet subset, a synthetic sample, baseline runs).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--no-run", is_flag=True, hidden=True, help="Prepare (and load the demo) without serving.")
def serve(demo: bool, host: str, port: int, no_run: bool) -> None:
    """The GraphQL API (/graphql) and REST routes (/docs) over MMRARE_GRAPH."""
    from api.auth import KeyStore
    from core.settings import blob_store, data_dir
    from graph.settings import graph_setting, open_store

    if demo:
        from cli.demo import load_demo

        with open_store() as store:
            if load_demo(store, blob_store(), data_dir(), echo=click.echo):
                keys = KeyStore(data_dir() / "api_keys.json")
                click.echo(f"demo maintainer key: {keys.create('demo-maintainer', 'maintainer')}")
                click.echo(f"demo evaluator key:  {keys.create('demo-evaluator', 'evaluator')}")
    if no_run:
        return
    import uvicorn

    click.echo(f"serving {graph_setting()} on http://{host}:{port}/graphql (docs at /docs)")
    uvicorn.run("api.app:app_from_env", factory=True, host=host, port=port)


@click.group()
def apikey() -> None:
    """API keys (stored hashed in MMRARE_DATA_DIR/api_keys.json)."""


@apikey.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["maintainer", "evaluator"]), required=True)
def apikey_create(name: str, role: str) -> None:
    """Make a key; it is printed once and only its hash is kept."""
    from api.auth import KeyStore
    from core.settings import data_dir

    click.echo(KeyStore(data_dir() / "api_keys.json").create(name, role))
