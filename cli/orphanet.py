"""`mmrare import orphanet`, `mmrare orphanet show`, `mmrare fetch orphanet`."""

from __future__ import annotations

from pathlib import Path

import click

from mmrare.cli.common import orpha_code, progress_on_stderr
from mmrare.core.ontology import disease_profile
from mmrare.graph.settings import graph_setting, open_store


@click.command("orphanet")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import what is valid; report each rejected record.")
def import_orphanet(paths: tuple[Path, ...], skip_invalid: bool) -> None:
    """ORPHApackets (.json/.jsonl.gz), Orphadata XML, ORDO OWL, phenotype.hpoa, hp.obo; files or folders."""
    from mmrare.importers.orphanet.detect import read_all
    from mmrare.importers.orphanet.loader import load

    facts, files = read_all(paths)
    click.echo(f"read {len(files)} file(s) as {facts.source}: {len(facts.diseases):,} diseases")
    with open_store() as store, progress_on_stderr() as progress:
        summary = load(facts, store, files, skip_invalid=skip_invalid, progress=progress)
    for problem in facts.problems.problems:
        click.echo(f"skipped: {problem}", err=True)
    for warning in facts.problems.warnings[:20]:
        click.echo(f"warning: {warning}", err=True)
    if len(facts.problems.warnings) > 20:
        click.echo(f"warning: ... and {len(facts.problems.warnings) - 20} more", err=True)
    click.echo(
        f"{graph_setting()}: {summary.diseases:,} diseases, {summary.subclass_edges:,} SUBCLASS_OF, "
        f"{summary.prevalences:,} prevalences, {summary.phenotype_edges:,} phenotype and "
        f"{summary.gene_edges:,} gene links; heads updated for {summary.heads_updated:,}; release {summary.release}"
    )


@click.group()
def orphanet() -> None:
    """Look at the Orphanet ontology in the graph."""


@orphanet.command("show")
@click.argument("code_text", metavar="CODE")
@click.option("--limit", default=10, show_default=True, help="Rows per list.")
def show(code_text: str, limit: int) -> None:
    """Name, synonyms, paths to heads, prevalence, top phenotypes and genes of one ORPHAcode."""
    code = orpha_code(code_text, "CODE")
    with open_store() as store:
        profile = disease_profile(store, code)
    if profile is None:
        raise click.ClickException(f"ORPHA:{code} is not in the graph {graph_setting()}")
    p = profile.props
    click.echo(f"ORPHA:{code}  {p.get('name', '')}")
    click.echo(f"  type: {p.get('disorderType', '-')} ({p.get('group', '-')})")
    if p.get("synonyms"):
        click.echo(f"  synonyms: {'; '.join(p['synonyms'])}")
    for field in ("omim", "icd10", "mondo", "onset", "inheritance"):
        if p.get(field):
            click.echo(f"  {field}: {', '.join(map(str, p[field]))}")
    click.echo(f"  prevalence (headline): {p.get('prevalenceClass', '-')}")
    for prev in profile.prevalences[:limit]:
        click.echo(
            f"    {prev.get('type')}, {prev.get('geographic')}: {prev.get('class') or '-'}"
            f" [{prev.get('validation') or 'validation n/a'}]"
        )
    click.echo("  paths to heads:")
    for path in profile.head_paths:
        click.echo("    " + " > ".join(f"{name} (ORPHA:{c})" for c, name in path))
    click.echo(f"  phenotypes ({len(profile.phenotypes)}):")
    for hpo, name, freq in profile.phenotypes[:limit]:
        click.echo(f"    {hpo} {name} [{freq or '-'}]")
    click.echo(f"  genes ({len(profile.genes)}):")
    for symbol, gene_name, kind in profile.genes[:limit]:
        click.echo(f"    {symbol} {gene_name or ''} [{kind or '-'}]")


@click.group()
def fetch() -> None:
    """Download official source files (needs internet)."""


@fetch.command("orphanet")
@click.option("--out", type=click.Path(path_type=Path), default=Path(".mmrare/orphadata"), show_default=True)
@click.option("--classification", type=int, multiple=True, help="Product 3 classification id (repeatable).")
def fetch_orphanet(out: Path, classification: tuple[int, ...]) -> None:
    """The current Orphadata XML products 1, 4, 6, 9_prev, 9_ages (+ chosen product 3 trees)."""
    from mmrare.importers.orphanet.fetch import OFFICIAL_FILES, fetch_files

    files = fetch_files(out, classification, echo=click.echo)
    click.echo(f"downloaded {len(files)} file(s) to {out}; import with: mmrare import orphanet {out}")
    if not classification:
        click.echo(f"(no classification trees asked for; add --classification ID, e.g. 150; files: {OFFICIAL_FILES})")
