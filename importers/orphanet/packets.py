"""ORPHApacket JSON (Orphanet's official per-disease packets): one file, a folder, or .jsonl(.gz).

Real-data shapes handled: `Parents`, `Prevalences`, `Genes`, onsets and inheritance come as a list
or as a single object, and each entry may wrap its payload ({"Parent": [...]}) or not. Parent
codes without a packet of their own (e.g. ORPHA:320716 "Rare disorders") become diseases named
from the parent's label.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmrare.core.bulk import in_bulk
from mmrare.core.orphanet import mapping_relation, normalise_prevalence_class, parse_orpha_code
from mmrare.importers.orphanet.facts import GROUP_OF_TYPE, GeneFact, OrphanetFacts, PrevalenceFact, parse_val_moy


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def unwrap(entries: Any, key: str) -> list[dict[str, Any]]:
    """[{key: x}, {key: [y, z]}, w] -> [x, y, z, w]: the payloads, however they are wrapped."""
    out: list[dict[str, Any]] = []
    for entry in as_list(entries):
        if isinstance(entry, dict) and key in entry:
            out += [e for e in as_list(entry[key]) if isinstance(e, dict)]
        elif isinstance(entry, dict):
            out.append(entry)
    return out


@dataclass(frozen=True)
class RawPacket:
    file: Path
    record: str  # "line 12", "packet 3" or "file"
    packet: Any = None
    error: str | None = None  # set when the record is not valid JSON


def iter_packets(path: Path) -> Iterator[RawPacket]:
    """Every packet under path, with the file and record it came from; a bad line does not stop the rest."""
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.suffix == ".json" or child.name.endswith((".jsonl", ".jsonl.gz")):
                yield from iter_packets(child)
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        if path.name.endswith((".jsonl", ".jsonl.gz")):
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    yield _decode(path, f"line {n}", line.rstrip("\r\n"))
            return
        whole = _decode(path, "file", fh.read())
    if whole.error is not None or not isinstance(whole.packet, list):
        yield whole
        return
    for i, packet in enumerate(whole.packet):
        yield RawPacket(path, f"packet {i}", packet)


def _decode(path: Path, record: str, text: str) -> RawPacket:
    try:
        return RawPacket(path, record, json.loads(text))
    except json.JSONDecodeError as exc:
        # a JSONL record is one line: its column is enough; in a whole file give the line too
        where = f"line {exc.lineno} column {exc.colno}" if record == "file" else f"column {exc.colno}"
        return RawPacket(path, record, error=f"not valid JSON: {exc.msg} at {where}")


@in_bulk
def read_packets(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    facts = facts or OrphanetFacts(source="orphapacket")
    labels_of_parents: dict[int, tuple[str, str]] = {}
    dates: set[str] = set()
    for path in paths:
        try:
            for raw in iter_packets(path):
                if raw.error is not None:
                    facts.problems.add(str(raw.file), raw.record, "JSON", raw.error)
                    continue
                doc = raw.packet
                packet = doc.get("Orphapacket", doc) if isinstance(doc, dict) else None
                if not isinstance(packet, dict):
                    facts.problems.add(str(raw.file), raw.record, "Orphapacket", "not a JSON object")
                    continue
                date = _packet(facts, packet, str(raw.file), raw.record, labels_of_parents)
                if date:
                    dates.add(date)
        except (UnicodeDecodeError, OSError, EOFError) as exc:
            facts.problems.add(str(path), "file", "content", f"unreadable: {exc}")
    for code, (label, where) in labels_of_parents.items():
        if code not in facts.diseases:
            facts.disease(code, where, name=label)
    facts.version = max(dates, default=facts.version)
    return facts


def _synonyms(entries: Any) -> list[str]:
    """[{"Synonym": "MFS"}, {"Synonym": ["a", "b"]}, "c"] -> ["MFS", "a", "b", "c"]."""
    out: list[str] = []
    for entry in as_list(entries):
        values = as_list(entry.get("Synonym")) if isinstance(entry, dict) else [entry]
        out += [v.strip() for v in values if isinstance(v, str) and v.strip()]
    return out


def _packet(
    facts: OrphanetFacts, p: dict[str, Any], file: str, record: str, labels_of_parents: dict[int, tuple[str, str]]
) -> str | None:
    code = parse_orpha_code(p.get("ORPHAcode"))
    if code is None:
        facts.problems.add(file, record, "ORPHAcode", f"not an ORPHAcode: {p.get('ORPHAcode')!r}")
        return None
    record = f"{record} (ORPHA:{code})"
    name = p.get("Label")
    if not isinstance(name, str) or not name.strip():
        facts.problems.add(file, record, "Label", "missing disease name")
        return None
    disorder_type = (p.get("DisorderType") or {}).get("value")
    definition = None
    for section in as_list(p.get("TextSection")):
        if isinstance(section, dict) and section.get("TextSectionType") == "Definition":
            definition = section.get("Contents")
    omim_refs = [
        ref
        for ref in unwrap(p.get("ExternalReferences"), "ExternalReference")
        if ref.get("Source") == "OMIM" and ref.get("Reference")
    ]
    omim = [ref["Reference"] for ref in omim_refs]
    # "608001:E": the OMIM id with Orphanet's mapping relation (E, NTBT, BTNT, ...), where the packet gives one
    omim_relations = [
        f"{ref['Reference']}:{mapping_relation(ref.get('DisorderMappingRelation'))}"
        for ref in omim_refs
        if mapping_relation(ref.get("DisorderMappingRelation"))
    ]
    facts.disease(
        code,
        f"{file} {record}",
        name=name.strip(),
        synonyms=_synonyms(p.get("Synonyms")),
        disorderType=disorder_type,
        group=GROUP_OF_TYPE.get(disorder_type or ""),
        definition=definition,
        omim=omim,
        omimRelations=omim_relations,
        onset=[o.get("value") for o in unwrap(p.get("AverageAgeOfOnsets"), "AverageAgeOfOnset") if o.get("value")],
        inheritance=[
            t.get("value") for t in unwrap(p.get("TypeOfInheritances"), "TypeOfInheritance") if t.get("value")
        ],
    )
    for parent in unwrap(p.get("Parents"), "Parent"):
        parent_code = parse_orpha_code(parent.get("ORPHAcode"))
        if parent_code is None:
            facts.problems.add(file, record, "Parents.ORPHAcode", f"not an ORPHAcode: {parent.get('ORPHAcode')!r}")
            continue
        facts.parent(code, parent_code)
        if parent.get("Label"):
            labels_of_parents.setdefault(parent_code, (parent["Label"], f"{file} {record}"))
    prevalences = [
        PrevalenceFact(
            type=pr.get("PrevalenceType"),
            qualification=pr.get("PrevalenceQualification"),
            prevalence_class=normalise_prevalence_class(pr.get("PrevalenceClass")),
            val_moy=parse_val_moy(pr.get("ValMoy")),
            geographic=pr.get("PrevalenceGeographic"),
            validation=pr.get("PrevalenceValidationStatus"),
            source=pr.get("Source"),
        )
        for pr in unwrap(p.get("Prevalences"), "Prevalence")
    ]
    if prevalences:
        facts.prevalences[code] = prevalences
    for ph in unwrap(p.get("Phenotypes"), "Phenotype"):
        hpo = ph.get("HPOId")
        if not isinstance(hpo, str) or not hpo.startswith("HP:"):
            facts.problems.add(file, record, "Phenotypes.HPOId", f"not an HPO id: {hpo!r}")
            continue
        facts.phenotypes.setdefault(code, {})[hpo] = ph.get("HPOFrequency")
        if ph.get("HPOTerm"):
            facts.phenotype_names[hpo] = ph["HPOTerm"]
    for g in unwrap(p.get("Genes"), "Gene"):
        symbol = g.get("Symbol")
        if not symbol:
            facts.problems.add(file, record, "Genes.Symbol", "gene without a symbol")
            continue
        facts.genes.setdefault(code, {})[symbol] = GeneFact(
            symbol=symbol,
            name=g.get("Name") or g.get("Label"),
            gene_type=None,
            association_type=g.get("DisorderGeneAssociationType"),
            association_status=g.get("DisorderGeneAssociationStatus"),
        )
    created = p.get("creationDate")
    return created[:10] if isinstance(created, str) else None
