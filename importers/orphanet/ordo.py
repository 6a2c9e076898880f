"""ORDO OWL (the Orphanet Rare Disease Ontology) with rdflib.

Shape (docs/design.md and the ORDO conventions below): a disease is the class http://www.orpha.net/ORDO/Orphanet_<code>;
rdfs:label is its name, efo:alternative_term its synonyms, efo:definition its definition,
oboInOwl:hasDbXref its cross-references ('OMIM:154700', 'ICD-10:Q87.4', 'MONDO:0007947'), and
rdfs:subClassOf a named Orphanet class its classification parents. Subclass links to the top classes
Group of disorders (557492), Disorder (557493) and Subtype (557494) give the group instead of a
parent; Clinical entity (C001) and restrictions (blank nodes) are not classification.

One pass over each predicate's triples: linear in the file, so the full 45-50 MB ORDO loads in
rdflib's own parser time.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from mmrare.core.orphanet import parse_orpha_code
from mmrare.importers.orphanet.facts import OrphanetFacts

ORDO = "http://www.orpha.net/ORDO/Orphanet_"
EFO = rdflib.Namespace("http://www.ebi.ac.uk/efo/")
OBOINOWL = rdflib.Namespace("http://www.geneontology.org/formats/oboInOwl#")
GROUP_CLASSES = {557492: "Group of disorders", 557493: "Disorder", 557494: "Subtype of disorder"}
XREF_FIELDS = {"OMIM": "omim", "ICD-10": "icd10", "MONDO": "mondo"}


def _code(node: rdflib.term.Node) -> int | None:
    if isinstance(node, rdflib.URIRef) and str(node).startswith(ORDO):
        return parse_orpha_code(str(node)[len(ORDO) :])
    return None


def read_ordo(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    facts = facts or OrphanetFacts(source="ordo-owl")
    for path in paths:
        _read_one(path, facts)
    return facts


def _read_one(path: Path, facts: OrphanetFacts) -> None:
    g = rdflib.Graph()
    try:
        g.parse(path, format="xml" if path.suffix in (".owl", ".rdf", ".xml") else None)
    except Exception as exc:
        facts.problems.add(str(path), "file", "content", f"not readable as OWL/RDF: {exc}")
        return
    for _, _, version in g.triples((None, OWL.versionInfo, None)):
        facts.version = str(version)
    classes = {c for c in (_code(s) for s in g.subjects(RDF.type, OWL.Class)) if c is not None}
    classes -= set(GROUP_CLASSES)
    for predicate, field, many in (
        (RDFS.label, "name", False),
        (EFO.alternative_term, "synonyms", True),
        (EFO.definition, "definition", False),
    ):
        for s, value in g.subject_objects(predicate):
            code = _code(s)
            if code in classes:
                facts.disease(code, f"{path} Orphanet_{code}", **{field: [str(value)] if many else str(value)})
    for s, xref in g.subject_objects(OBOINOWL.hasDbXref):
        code = _code(s)
        source, _, ref = str(xref).partition(":")
        xref_field = XREF_FIELDS.get(source)
        if code in classes and xref_field and ref:
            local = f"MONDO:{ref}" if xref_field == "mondo" else ref
            facts.disease(code, f"{path} Orphanet_{code}", **{xref_field: [local]})
    for s, parent in g.subject_objects(RDFS.subClassOf):
        code, parent_code = _code(s), _code(parent)
        if code not in classes or parent_code is None:
            continue
        if parent_code in GROUP_CLASSES:
            facts.disease(code, f"{path} Orphanet_{code}", group=GROUP_CLASSES[parent_code])
        elif parent_code in classes:
            facts.parent(code, parent_code)
    for code in classes:
        if "name" not in facts.diseases.get(code, {}):
            facts.problems.add(str(path), f"Orphanet_{code} (ORPHA:{code})", "rdfs:label", "class without a label")
