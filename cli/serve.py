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
@click.option(
    "--held-out/--open",
    "held_out",
    default=None,
    help="held-out: serve nothing derived from the answers to public and evaluator callers (the default, "
    "except with --demo); open: the answers are public, like the published release.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    help="Server processes sharing the graph (each answers requests on its own CPU).",
)
@click.option("--no-run", is_flag=True, hidden=True, help="Prepare (and load the demo) without serving.")
def serve(demo: bool, host: str, port: int, held_out: bool | None, workers: int, no_run: bool) -> None:
    """The GraphQL API (/graphql) and REST routes (/docs) over MMRARE_GRAPH."""
    import os

    from mmrare.api.auth import KeyStore
    from mmrare.core.settings import blob_store, data_dir
    from mmrare.graph.settings import graph_setting, open_store

    if demo:
        from mmrare.cli.demo import load_demo

        with open_store() as store:
            if load_demo(store, blob_store(), data_dir(), echo=click.echo):
                keys = KeyStore(data_dir() / "api_keys.json")
                click.echo(f"demo maintainer key: {keys.create('demo-maintainer', 'maintainer')}")
                click.echo(f"demo evaluator key:  {keys.create('demo-evaluator', 'evaluator')}")
            else:
                click.echo(
                    f"demo: {graph_setting()} already has items, so nothing was loaded; the demo keys were printed "
                    "when it was; make new ones with `mmrare apikey create NAME --role maintainer|evaluator`"
                )
    mode = "held-out" if (held_out if held_out is not None else not demo) else "open"
    os.environ["MMRARE_RELEASE_MODE"] = mode  # read by the app factory that uvicorn starts
    if no_run:
        return
    import uvicorn

    click.echo(f"serving {graph_setting()} ({mode} release) on http://{host}:{port}/graphql (docs at /docs)")
    if workers < 1:
        raise click.BadParameter("at least 1", param_hint="--workers")
    if workers > 1 and graph_setting() == "memory:":
        raise click.UsageError("a memory: graph lives in one process; use --workers 1 or an embedded: file")
    uvicorn.run("mmrare.api.app:app_from_env", factory=True, host=host, port=port, workers=workers)


@click.group()
def apikey() -> None:
    """API keys (stored hashed in MMRARE_DATA_DIR/api_keys.json)."""


@apikey.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["maintainer", "evaluator"]), required=True)
def apikey_create(name: str, role: str) -> None:
    """Make a key; it is printed once and only its hash is kept."""
    from mmrare.api.auth import KeyStore
    from mmrare.core.settings import data_dir

    click.echo(KeyStore(data_dir() / "api_keys.json").create(name, role))


@apikey.command("list")
def apikey_list() -> None:
    """The keys' names and roles (a key itself is shown once, when made)."""
    from mmrare.api.auth import KeyStore
    from mmrare.core.settings import data_dir

    for entry in KeyStore(data_dir() / "api_keys.json").entries():
        click.echo(f"{entry['name']}  {entry['role']}")


@apikey.command("revoke")
@click.argument("name")
def apikey_revoke(name: str) -> None:
    """Stop the key named NAME from working (its runs stay)."""
    from mmrare.api.auth import KeyStore
    from mmrare.core.settings import data_dir

    try:
        KeyStore(data_dir() / "api_keys.json").revoke(name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"revoked the key {name!r}")
