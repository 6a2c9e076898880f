"""The `mmrare` command line. Commands are thin: they parse options and call services."""

from __future__ import annotations

import json
import logging
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from graph.errors import GraphError
from graph.settings import graph_setting, open_store

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


# -- mmrare graph -------------------------------------------------------------------------------
@main.group()
def graph() -> None:
    """Inspect and prepare the graph store."""


@graph.command("init")
def graph_init() -> None:
    """Create constraints and indexes (idempotent; imports also do this)."""
    with open_store() as store:
        store.init()
    click.echo(f"initialised {graph_setting()}")


@graph.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def graph_stats(fmt: str) -> None:
    """Count nodes by label and relationships by type."""
    with open_store() as store:
        stats = store.stats()
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"graph: {graph_setting()}")
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


# -- mmrare import / orphanet / fetch ----------------------------------------------------------
@main.group("import")
def import_() -> None:
    """Import data into the graph (strict by default: any problem means nothing is written)."""


@import_.command("orphanet")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import what is valid; report each rejected record.")
def import_orphanet(paths: tuple[Path, ...], skip_invalid: bool) -> None:
    """ORPHApackets (.json/.jsonl.gz), Orphadata XML, ORDO OWL, phenotype.hpoa, hp.obo; files or folders."""
    from api.orphanet_cli import import_orphanet as run

    run(paths, skip_invalid)


@import_.command("benchmark")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows; report each rejected row.")
def import_benchmark(root: Path, skip_invalid: bool) -> None:
    """An MMRareBench release folder (the four track TSVs). Images go to MMRARE_DATA_DIR/blobs."""
    from api.benchmark_cli import import_benchmark as run

    run(root, skip_invalid)


@import_.command("predictions")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Model name (default: from <model>_MMRarebench_<Track>.xlsx).")
@click.option("--family", help="Model family, e.g. Qwen2.5-VL.")
@click.option("--domain", type=click.Choice(["general", "medical"]))
@click.option("--params", help="Parameter count, e.g. 7B.")
@click.option(
    "--track",
    type=click.Choice(["diagnosis", "treatment", "crossmodal", "examination"]),
    help="Track of an index-only file whose name does not say it.",
)
@click.option("--skip-invalid", is_flag=True, help="Import the known items; report the rest.")
def import_predictions_cmd(
    paths: tuple[Path, ...],
    model: str | None,
    family: str | None,
    domain: str | None,
    params: str | None,
    track: str | None,
    skip_invalid: bool,
) -> None:
    """VLMEvalKit outputs (files, or folders searched for <model>_MMRarebench_<Track>.xlsx|tsv|json|csv)
    or JSONL {item, prediction}. All files are checked before any is written."""
    from api.scoring_cli import import_run

    import_run(list(paths), model, family, domain, params, track, skip_invalid)


@main.command("runs")
def runs_cmd() -> None:
    """List the runs in the graph."""
    from api.scoring_cli import list_runs

    list_runs()


JUDGES = ["offline", "ontology", "rubric-lists", "openai"]


@main.command("score")
@click.argument("run_id")
@click.option("--judge", "judge_name", type=click.Choice(JUDGES), default="offline", show_default=True)
@click.option("--base-url", help="openai: the chat-completions base URL, e.g. http://127.0.0.1:8000/v1")
@click.option("--judge-model", help="openai: the judge model name.")
@click.option(
    "--api-key-env",
    default="MMRARE_JUDGE_API_KEY",
    show_default=True,
    help="openai: environment variable holding the API key.",
)
@click.option("--concurrency", default=4, show_default=True)
@click.option("--images", is_flag=True, help="openai: send the item's images (multimodal judge).")
def score_cmd(
    run_id: str,
    judge_name: str,
    base_url: str | None,
    judge_model: str | None,
    api_key_env: str,
    concurrency: int,
    images: bool,
) -> None:
    """Score a run's stored predictions (token F1 and a judge); judgements are cached."""
    from api.scoring_cli import score

    score(run_id, judge_name, base_url, judge_model, api_key_env, concurrency, images)


@main.command("report")
@click.option(
    "--run",
    "--runs",
    "runs",
    multiple=True,
    help="Run id or model name (repeatable; default: all runs). A model's runs are pooled.",
)
@click.option(
    "--by",
    default="track",
    show_default=True,
    help="track, head, class (children of --under), prevalence, modality, images, leak, domain, model, "
    "all; combine with commas (track,head).",
)
@click.option(
    "--metric",
    default="offline",
    show_default=True,
    help="A judge name (offline, ontology, rubric-lists, openai), token_f1 or exact.",
)
@click.option("--under", help="Only items whose answer descends from this ORPHAcode.")
@click.option("--leak-free", is_flag=True, help="Only items the leakage audit found clean.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--resamples", default=1000, show_default=True)
@click.option("--seed", default=20260425, show_default=True)
@click.option(
    "--reference",
    is_flag=True,
    help="Per model and track, exactly the keys and scale of the reference evaluator's evaluate().",
)
@click.option("--judge", "ref_judge", help="With --reference: the judge whose scores give <track>_judge_score.")
def report_cmd(
    runs: tuple[str, ...],
    by: str,
    metric: str,
    under: str | None,
    leak_free: bool,
    fmt: str,
    resamples: int,
    seed: int,
    reference: bool,
    ref_judge: str | None,
) -> None:
    """Stratified results per model (its runs pooled) with micro and macro means and case-clustered
    bootstrap 95% intervals; or, with --reference, the reference evaluator's headline numbers."""
    from api.scoring_cli import reference_report, report

    if reference:
        reference_report(runs, ref_judge, fmt)
    else:
        report(runs, by, metric, under, leak_free, fmt, resamples, seed)


@main.command("compare")
@click.argument("run_a", metavar="A")
@click.argument("run_b", metavar="B")
@click.option("--metric", default="offline", show_default=True)
@click.option("--resamples", default=10000, show_default=True)
@click.option("--seed", default=20260425, show_default=True)
def compare_cmd(run_a: str, run_b: str, metric: str, resamples: int, seed: int) -> None:
    """Paired comparison of two models (or runs) on the items both answered (bootstrap CI, permutation
    p-value). A model name pools its runs."""
    from api.scoring_cli import compare

    compare(run_a, run_b, metric, resamples, seed)


@main.group()
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
    from api.benchmark_cli import generate as run

    run(out, items, seed, scale, plant_leaks)


@main.group()
def export() -> None:
    """Write subsets out."""


@export.command("benchmark")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--track", "tracks", multiple=True, type=click.Choice(["diagnosis", "treatment", "crossmodal", "examination"])
)
@click.option("--under", multiple=True, help="ORPHAcode of a class: items whose answer descends from it.")
@click.option("--prevalence", multiple=True, help="Headline prevalence class, e.g. '1-9 / 100 000'.")
def export_benchmark(out: Path, tracks: tuple[str, ...], under: tuple[str, ...], prevalence: tuple[str, ...]) -> None:
    """Any subset back to the release TSV format."""
    from api.benchmark_cli import export as run

    run(out, tracks, under, prevalence)


@main.group()
def audit() -> None:
    """Audits of the benchmark."""


@audit.command("leakage")
@click.option(
    "--track", "tracks", multiple=True, type=click.Choice(["diagnosis", "treatment", "crossmodal", "examination"])
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--show", default=20, show_default=True, help="Findings to print in the table.")
@click.option("--parent-max-members", default=3, show_default=True)
@click.option("--gene-max-diseases", default=3, show_default=True)
@click.option("--phenotype-min-mentions", default=6, show_default=True)
@click.option("--phash-max-distance", default=6, show_default=True)
def audit_leakage(
    tracks: tuple[str, ...],
    fmt: str,
    show: int,
    parent_max_members: int,
    gene_max_diseases: int,
    phenotype_min_mentions: int,
    phash_max_distance: int,
) -> None:
    """Ontology-aware leakage audit; replaces earlier findings of the same configuration."""
    from api.leakage_cli import audit as run
    from audit import AuditConfig

    config = AuditConfig(
        parent_max_members=parent_max_members,
        gene_max_diseases=gene_max_diseases,
        phenotype_min_mentions=phenotype_min_mentions,
        phash_max_distance=phash_max_distance,
    )
    run(tracks, fmt, config, show)


@main.command("serve")
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
    from api.settings import blob_store, data_dir

    if demo:
        from api.demo import load_demo

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


@main.group()
def apikey() -> None:
    """API keys (stored hashed in MMRARE_DATA_DIR/api_keys.json)."""


@apikey.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["maintainer", "evaluator"]), required=True)
def apikey_create(name: str, role: str) -> None:
    """Make a key; it is printed once and only its hash is kept."""
    from api.auth import KeyStore
    from api.settings import data_dir

    click.echo(KeyStore(data_dir() / "api_keys.json").create(name, role))


@main.group()
def orphanet() -> None:
    """Look at the Orphanet ontology in the graph."""


@orphanet.command("show")
@click.argument("code")
@click.option("--limit", default=10, show_default=True, help="Rows per list.")
def orphanet_show(code: str, limit: int) -> None:
    """Name, synonyms, paths to heads, prevalence, top phenotypes and genes of one ORPHAcode."""
    from api.orphanet_cli import show

    show(code, limit)


@main.group()
def fetch() -> None:
    """Download official source files (needs internet)."""


@fetch.command("orphanet")
@click.option("--out", type=click.Path(path_type=Path), default=Path(".mmrare/orphadata"), show_default=True)
@click.option("--classification", type=int, multiple=True, help="Product 3 classification id (repeatable).")
def fetch_orphanet(out: Path, classification: tuple[int, ...]) -> None:
    """The current Orphadata XML products 1, 4, 6, 9_prev, 9_ages (+ chosen product 3 trees)."""
    from api.orphanet_cli import fetch as run

    run(out, classification)


# -- mmrare neo4j -------------------------------------------------------------------------------
@main.group()
def neo4j() -> None:
    """A local Neo4j 5.26 assembled from Maven Central (no Docker). Home: MMRARE_NEO4J_HOME."""


@neo4j.command("start")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for Bolt.")
def neo4j_start(timeout: float) -> None:
    """Assemble the server if needed, start it and wait until Bolt answers."""
    from graph.local_neo4j import LocalNeo4j, LocalNeo4jError

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
    from graph.local_neo4j import LocalNeo4j

    click.echo("stopped" if LocalNeo4j.from_env().stop() else "was not running")


@neo4j.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs and answers."""
    from graph.local_neo4j import LocalNeo4j

    click.echo(LocalNeo4j.from_env().status())


if __name__ == "__main__":
    main()
