"""Writes `OrphanetFacts` into the graph: checked first, then one all-or-nothing transaction.

Headline prevalence rule (Disease.prevalenceClass), documented in README and tested:
  1. among the disease's prevalence records with one of the six numeric classes, prefer the type
     Point prevalence, then Prevalence at birth, Annual incidence, Lifetime prevalence, any other;
  2. then geography Worldwide over any region;
  3. then validation status Validated over unknown over anything else;
  4. then the first in source order.
  With no numeric class: "Unknown" if a record says Unknown, else "Not yet documented" if a record
  says so, else no headline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

from mmrare.core.bulk import in_bulk
from mmrare.core.ontology import refresh_heads
from mmrare.core.orphanet import PREVALENCE_CLASSES
from mmrare.core.progress import Progress, no_progress
from mmrare.graph.model import NodeRef, compound_key
from mmrare.graph.store import GraphStore, RelRow
from mmrare.importers.orphanet.facts import OrphanetFacts, PrevalenceFact

NUMERIC_CLASSES = PREVALENCE_CLASSES[:6]
# Lists whose order carries no meaning; sorted so that every source gives the same property value.
UNORDERED_LISTS = ("synonyms", "omim", "omimRelations", "icd10", "mondo", "onset", "inheritance")
TYPE_RANK = {"Point prevalence": 0, "Prevalence at birth": 1, "Annual incidence": 2, "Lifetime Prevalence": 3}


def headline_prevalence(records: list[PrevalenceFact]) -> str | None:
    numeric = [(i, r) for i, r in enumerate(records) if r.prevalence_class in NUMERIC_CLASSES]
    if numeric:

        def rank(item: tuple[int, PrevalenceFact]) -> tuple[int, int, int, int]:
            i, r = item
            validation = 0 if r.validation == "Validated" else 1 if r.validation is None else 2
            return (TYPE_RANK.get(r.type or "", 4), 0 if r.geographic == "Worldwide" else 1, validation, i)

        return min(numeric, key=rank)[1].prevalence_class
    classes = {r.prevalence_class for r in records}
    for fallback in ("Unknown", "Not yet documented"):
        if fallback in classes:
            return fallback
    return None


@dataclass(frozen=True)
class LoadSummary:
    diseases: int
    subclass_edges: int
    prevalences: int
    phenotype_edges: int
    gene_edges: int
    heads_updated: int
    release: str


def file_sha256(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            with open(f, "rb") as fh:
                for block in iter(partial(fh.read, 1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def check(facts: OrphanetFacts, store: GraphStore) -> None:
    """Adds a problem for every unknown code and every cycle of the classification."""
    referenced = set(facts.parents) | {p for ps in facts.parents.values() for p in ps}
    referenced |= set(facts.prevalences) | set(facts.phenotypes) | set(facts.genes)
    _drop_unknown_linear_heads(facts, store)
    _drop_unknown_mondo_links(facts, store)
    unknown = referenced - set(facts.diseases)
    if unknown:
        unknown -= set(store.get_many("Disease", sorted(unknown)))
    for code in sorted(unknown):
        facts.problems.add(
            facts.source, f"ORPHA:{code}", "ORPHAcode", "unknown ORPHAcode: not defined in this import nor in the graph"
        )
    dag = nx.DiGraph((c, p) for c, ps in facts.parents.items() for p in ps)
    for component in nx.strongly_connected_components(dag):
        if len(component) > 1:
            codes = ", ".join(f"ORPHA:{c}" for c in sorted(component))
            facts.problems.add(
                facts.source, f"ORPHA:{min(component)}", "Parents", f"classification cycle through {codes}"
            )


@in_bulk
def load(
    facts: OrphanetFacts,
    store: GraphStore,
    paths: list[Path],
    skip_invalid: bool = False,
    progress: Progress = no_progress,
) -> LoadSummary:
    check(facts, store)
    if not skip_invalid:
        facts.problems.raise_if_any()
    bad = _codes_with_problems(facts)

    disease_rows = []
    for code, props in sorted(facts.diseases.items()):
        if code in bad:
            continue
        row = {"orphaCode": code, **props}
        for name in UNORDERED_LISTS:
            if name in row:
                row[name] = sorted(row[name])
        if code in facts.prevalences:
            row["prevalenceClass"] = headline_prevalence(facts.prevalences[code])
        if code in facts.linear_heads:
            row["linearHead"] = facts.linear_heads[code]
        disease_rows.append(row)
    # Mondo ids join the ones the graph (or this import) already has for the code
    known_mondo = store.get_many("Disease", list(facts.mondo_links))
    by_code = {int(r["orphaCode"]): r for r in disease_rows}
    for code, ids in sorted(facts.mondo_links.items()):
        if code in bad:
            continue
        mondo_row = by_code.get(code)
        if mondo_row is None:
            mondo_row = by_code[code] = {"orphaCode": code}
            disease_rows.append(mondo_row)
        before = [*(mondo_row.get("mondo") or []), *known_mondo.get(code, {}).get("mondo", [])]
        mondo_row["mondo"] = sorted({*before, *ids})
    # the linearisation of diseases defined elsewhere (the graph): only their head changes
    for code, head in sorted(facts.linear_heads.items()):
        if code not in facts.diseases and code not in bad:
            linear_row = by_code.get(code)
            if linear_row is None:
                linear_row = by_code[code] = {"orphaCode": code}
                disease_rows.append(linear_row)
            linear_row["linearHead"] = head
    parent_rows = [
        RelRow(NodeRef("Disease", c), NodeRef("Disease", p))
        for c, ps in sorted(facts.parents.items())
        if c not in bad
        for p in sorted(ps)
        if p not in bad
    ]
    prevalence_rows, has_prevalence = [], []
    for code, records in sorted(facts.prevalences.items()):
        if code in bad:
            continue
        for i, r in enumerate(records):
            key = compound_key(code, i)
            prevalence_rows.append(
                {
                    "prevalenceId": key,
                    "orphaCode": code,
                    "index": i,
                    "type": r.type,
                    "qualification": r.qualification,
                    "class": r.prevalence_class,
                    "valMoy": r.val_moy,
                    "geographic": r.geographic,
                    "validation": r.validation,
                    "source": r.source,
                }
            )
            has_prevalence.append(RelRow(NodeRef("Disease", code), NodeRef("Prevalence", key)))
    hpo_ids = sorted(
        {h for hs in facts.phenotypes.values() for h in hs}
        | set(facts.phenotype_names)
        | set(facts.phenotype_parents)
        | {p for ps in facts.phenotype_parents.values() for p in ps}
    )
    phenotype_rows = []
    for h in hpo_ids:  # only known values: a None would erase what another source said
        row = {"hpoId": h, "name": facts.phenotype_names.get(h), "synonyms": facts.phenotype_synonyms.get(h)}
        phenotype_rows.append({k: v for k, v in row.items() if v is not None})
    phenotype_edges = [
        RelRow(NodeRef("Disease", c), NodeRef("Phenotype", h), {"frequency": f})
        for c, hs in sorted(facts.phenotypes.items())
        if c not in bad
        for h, f in sorted(hs.items())
    ]
    is_a = [
        RelRow(NodeRef("Phenotype", h), NodeRef("Phenotype", p))
        for h, ps in sorted(facts.phenotype_parents.items())
        for p in sorted(ps)
    ]
    genes: dict[str, dict] = {}
    gene_edges = []
    for code, by_symbol in sorted(facts.genes.items()):
        if code in bad:
            continue
        for symbol, g in sorted(by_symbol.items()):
            genes.setdefault(symbol, {"symbol": symbol})
            genes[symbol].update({k: v for k, v in (("name", g.name), ("type", g.gene_type)) if v})
            gene_edges.append(
                RelRow(
                    NodeRef("Disease", code),
                    NodeRef("Gene", symbol),
                    {"type": g.association_type, "status": g.association_status},
                )
            )

    release_key = compound_key(facts.source, facts.version or "unversioned")
    sha = file_sha256(paths)
    existing = store.get(NodeRef("OntologyRelease", release_key))
    release = {
        "releaseId": release_key,
        "source": facts.source,
        "version": facts.version,
        "sha256": sha,
        "files": [str(p) for p in paths],
    }
    if existing is None or existing.props.get("sha256") != sha:
        release["importedAt"] = datetime.now(UTC).isoformat(timespec="seconds")

    stages: list[tuple[str | None, list[Any], str | None]] = [
        ("Disease", disease_rows, None),
        ("Phenotype", phenotype_rows, None),
        ("Gene", list(genes.values()), None),
        ("Prevalence", prevalence_rows, None),
        ("OntologyRelease", [release], None),
        (None, parent_rows, "SUBCLASS_OF"),
        (None, has_prevalence, "HAS_PREVALENCE"),
        (None, phenotype_edges, "HAS_PHENOTYPE"),
        (None, is_a, "IS_A"),
        (None, gene_edges, "ASSOCIATED_GENE"),
    ]
    with store.transaction() as tx:
        for i, (label, rows, rel_type) in enumerate(stages):
            progress(label or rel_type or "", i, len(stages) + 1)
            if label:
                tx.upsert_nodes(label, rows)
            else:
                tx.upsert_rels(rel_type, rows)  # type: ignore[arg-type]
    progress("heads", len(stages), len(stages) + 1)
    heads_updated = refresh_heads(store) if parent_rows or disease_rows else 0
    progress("done", len(stages) + 1, len(stages) + 1)
    return LoadSummary(
        len(disease_rows),
        len(parent_rows),
        len(prevalence_rows),
        len(phenotype_edges),
        len(gene_edges),
        heads_updated,
        release_key,
    )


def _drop_unknown_linear_heads(facts: OrphanetFacts, store: GraphStore) -> None:
    """The linearisation of another Orphanet release names some codes this graph does not hold (made
    obsolete or new since): those rows are left out with a warning, not refused."""
    named = set(facts.linear_heads) | set(facts.linear_heads.values())
    unknown = named - set(facts.diseases)
    if unknown:
        unknown -= set(store.get_many("Disease", sorted(unknown)))
    for code in sorted(c for c, head in facts.linear_heads.items() if c in unknown or head in unknown):
        head = facts.linear_heads.pop(code)
        message = f"ORPHA:{code} or its head ORPHA:{head} is not in the graph; left out"
        facts.problems.warn(facts.source, f"ORPHA:{code}", "linearisation", message)


def _drop_unknown_mondo_links(facts: OrphanetFacts, store: GraphStore) -> None:
    """Mappings to codes this graph does not hold are left out with one warning each."""
    unknown = set(facts.mondo_links) - set(facts.diseases)
    if unknown:
        unknown -= set(store.get_many("Disease", sorted(unknown)))
    for code in sorted(unknown):
        ids = ", ".join(sorted(facts.mondo_links.pop(code)))
        message = f"{ids} map to ORPHA:{code}, not in the graph; left out"
        facts.problems.warn(facts.source, f"ORPHA:{code}", "mondo", message)


def _codes_with_problems(facts: OrphanetFacts) -> set[int]:
    """Codes named by problems (their records are left out under --skip-invalid)."""
    bad = set()
    for p in facts.problems.problems:
        if "ORPHA:" in p.record:
            digits = p.record.split("ORPHA:")[1].split(")")[0]
            if digits.isdigit():
                bad.add(int(digits))
    return bad
