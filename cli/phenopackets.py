"""`mmrare import phenopackets`, and the study's table printed by `mmrare report --reference`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mmrare.cli.common import format_option, progress_on_stderr
from mmrare.core.phenopackets import BENCHMARK, LANGUAGES
from mmrare.graph.settings import open_store
from mmrare.scoring.study_table import OUTCOMES, StudyRow


@click.command("phenopackets")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--release", help="The release's version (default: from phenopacket-store_<version>.zip).")
@click.option("--benchmark", default=BENCHMARK, show_default=True, help="The benchmark the packets make up.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid packets; report the rest.")
def import_phenopackets(paths: tuple[Path, ...], release: str | None, benchmark: str, skip_invalid: bool) -> None:
    """GA4GH phenopackets (a zip as phenopacket-store ships, folders, JSON files, or JSONL[.gz]) as
    cases and items of the `phenopacket` track. Every packet is checked with GA4GH's schema classes
    before anything is written; import Orphanet first so diagnoses align."""
    from mmrare.importers.phenopackets import import_phenopackets as run_import
    from mmrare.importers.phenopackets import summary_lines

    with open_store() as store, progress_on_stderr() as progress:
        summary = run_import(list(paths), store, release, benchmark, skip_invalid, progress)
    lines, problems = summary_lines(summary)
    for line in lines:
        click.echo(line)
    for line in problems:
        click.echo(line, err=True)


def study_json(rows: list[StudyRow]) -> dict:
    """The study's table as JSON: per model, per condition (language), the authors' keys and ours."""
    out: dict[str, dict] = {}
    for r in rows:
        out.setdefault(r.model, {})[r.condition] = {
            **r.values,
            "unmatched_labels": r.unmatched,
            "run": r.run_id,
            "ours_orphanet_grounded": r.grounded,
        }
    return {"benchmark": BENCHMARK, "rule": "pheval.llm compute_mrr_and_ranks", "results": out}


def echo_study_table(rows: list[StudyRow]) -> None:
    """The study's table as text, one line per model and language."""
    click.echo(
        "The study's table (pheval.llm's rule: the file's is_correct, first correct candidate in file order; "
        "top-k over num_cases, the cases the file answers). Ours, apart: top-k over the study's case list."
    )
    head = ["model", "lang", *OUTCOMES, "num_cases", "top1", "top3", "top5", "top10", "mrr", "study", "top1*", "top3*"]
    click.echo("  ".join(head))
    for r in rows:
        v = r.values
        cells = [r.model, r.condition, *(str(v[k]) for k in OUTCOMES), str(v["num_cases"])]
        cells += [f"{100 * float(v[k]):.2f}" for k in ("top1", "top3", "top5", "top10")] + [f"{float(v['mrr']):.4f}"]
        if "study_cases" in v:
            cells += [
                str(v["study_cases"]),
                f"{100 * float(v['top1_of_study']):.2f}",
                f"{100 * float(v['top3_of_study']):.2f}",
            ]
        click.echo("  ".join(cells))
    click.echo(
        f"languages: {', '.join(f'{k} {n}' for k, n in LANGUAGES.items())}; * = over the study's case list (ours)"
    )
    echo_grounded_table(rows)


def echo_grounded_table(rows: list[StudyRow]) -> None:
    """Ours, beside the study's table: strict and lenient Orphanet-grounded top-k, and disagreements."""
    grounded = [r for r in rows if r.grounded]
    if not grounded:
        return
    click.echo(
        "Ours, beside it: the candidates grounded to Orphanet (Mondo and OMIM ids to ORPHAcodes), over the cases "
        "matched to the release. strict = the gold's ORPHAcode; lenient = also a group of at most 10 disorders "
        "containing it, or a subtype. disagree = cases the study's rule and the strict rule judge differently."
    )
    head = ["model", "lang", "cases", "strict@1", "strict@3", "strict@10", "lenient@1", "lenient@3", "lenient@10"]
    click.echo("  ".join([*head, "disagree"]))
    for r in grounded:
        g = r.grounded
        cells = [r.model, r.condition, str(g["cases"])]
        cells += [f"{100 * float(g[f'{rule}_top{k}']):.2f}" for rule in ("strict", "lenient") for k in (1, 3, 10)]
        cells.append(str(sum(int(v) for k, v in g.items() if k.startswith("disagree: "))))
        click.echo("  ".join(cells))
    reasons = [k for k in grounded[0].grounded if k.startswith("disagree: ")]
    totals = {k.removeprefix("disagree: "): sum(int(r.grounded.get(k, 0)) for r in grounded) for k in reasons}
    click.echo("disagreements, all runs, by reason: " + "; ".join(f"{k}: {v}" for k, v in totals.items()))


@click.command("diff")
@click.option("--benchmark", default=BENCHMARK, show_default=True, type=click.Choice([BENCHMARK]))
@click.argument("old")
@click.argument("new")
@click.option("--show", default=20, show_default=True, help="Changed cases to list.")
@format_option("table", "json")
def diff(benchmark: str, old: str, new: str, show: int, fmt: str) -> None:
    """What release NEW changes against OLD (both imported): cases added, removed, and changed in their
    features or diagnosis, matched by packet id. NEW may be LATEST: the newest other release imported."""
    from dataclasses import asdict

    from mmrare.scoring.release_diff import release_diff

    with open_store() as store:
        if new == "LATEST":
            others = sorted(
                (n.props for n in store.select("BenchmarkRelease") if n.props.get("benchmark") == benchmark),
                key=lambda p: str(p.get("importedAt", "")),
            )
            candidates = [p["version"] for p in others if p["version"] != old]
            if not candidates:
                raise click.UsageError(f"no other {benchmark} release than {old} is imported")
            new = candidates[-1]
        found = release_diff(store, old, new)
    if fmt == "json":
        click.echo(json.dumps(asdict(found), indent=1))
        return
    click.echo(
        f"{benchmark} {old} -> {new}: {len(found.added)} cases added, {len(found.removed)} removed, "
        f"{len(found.changed)} changed, {found.unchanged} unchanged"
    )
    diagnoses = sum(c.diagnosis[0] != c.diagnosis[1] for c in found.changed)
    features_only = len(found.changed) - diagnoses
    click.echo(f"  of the changed: {diagnoses} with another diagnosis, {features_only} in features only")
    for c in found.changed[:show]:
        what = [f"diagnosis {c.diagnosis[0]} -> {c.diagnosis[1]}"] if c.diagnosis[0] != c.diagnosis[1] else []
        what += [f"+{len(c.features_added)} feature(s)"] if c.features_added else []
        what += [f"-{len(c.features_removed)} feature(s)"] if c.features_removed else []
        click.echo(f"  {c.packet_id.strip()}: {', '.join(what)}")
