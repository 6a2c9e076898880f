"""Orphadata XML products, streamed with iterparse (ISO-8859-1 or UTF-8, as each file declares).

Every product lists <Disorder> elements (OrphaCode, or OrphaNumber in older files; Name;
DisorderType; DisorderGroup); what else a Disorder holds tells the product:
  1: SynonymList, ExternalReferenceList, SummaryInformationList (definition)
  3: nested ClassificationNode / ClassificationNodeChildList (the classification tree)
  4: HPODisorderAssociationList          6: DisorderGeneAssociationList
  9_prev: PrevalenceList                  9_ages: AverageAgeOfOnsetList, TypeOfInheritanceList
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mmrare.core.orphanet import normalise_prevalence_class, parse_orpha_code
from mmrare.importers.orphanet.facts import GROUP_OF_TYPE, GeneFact, OrphanetFacts, PrevalenceFact, parse_val_moy

CROSS_REFERENCES = {"OMIM": "omim", "ICD-10": "icd10", "MONDO": "mondo"}


def _text(elem: ET.Element | None, path: str) -> str | None:
    if elem is None:
        return None
    found = elem.find(path)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


def read_xml(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    facts = facts or OrphanetFacts(source="orphadata-xml")
    dates = []
    for path in paths:
        try:
            date = _read_one(path, facts)
        except ET.ParseError as exc:
            line, column = exc.position
            facts.problems.add(str(path), f"line {line}", f"column {column}", f"malformed XML: {exc}")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            facts.problems.add(str(path), "file", "content", str(exc))
            continue
        if date:
            dates.append(date)
    facts.version = max(dates, default=facts.version)
    return facts


def _read_one(path: Path, facts: OrphanetFacts) -> str | None:
    date = None
    stack: list[str] = []
    # For product 3: the code of each open ClassificationNode (None until its Disorder is read).
    node_codes: list[int | None] = []
    with open(path, "rb") as fh:
        for event, elem in ET.iterparse(fh, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == "JDBOR":
                    date = (elem.get("date") or "")[:10] or None
                if tag == "ClassificationNode":
                    node_codes.append(None)
                stack.append(tag)
                continue
            stack.pop()
            if tag == "Disorder":
                code = _disorder(path, elem, facts)
                if stack and stack[-1] == "ClassificationNode" and code is not None:
                    node_codes[-1] = code
                    # the nearest enclosing node with a code is the parent
                    parent = next((c for c in reversed(node_codes[:-1]) if c is not None), None)
                    if parent is not None:
                        facts.parent(code, parent)
                elem.clear()
            elif tag == "ClassificationNode":
                node_codes.pop()
                elem.clear()
    return date


def _disorder(path: Path, d: ET.Element, facts: OrphanetFacts) -> int | None:
    raw = _text(d, "OrphaCode") or _text(d, "OrphaNumber")
    code = parse_orpha_code(raw)
    record = f"Disorder id={d.get('id')}"
    if code is None:
        facts.problems.add(str(path), record, "OrphaCode", f"not an ORPHAcode: {raw!r}")
        return None
    record = f"{record} (ORPHA:{code})"
    name = _text(d, "Name")
    if name is None:
        facts.problems.add(str(path), record, "Name", "missing disease name")
        return None
    disorder_type = _text(d, "DisorderType/Name")
    refs: dict[str, list[str]] = {}
    for ref in d.findall("ExternalReferenceList/ExternalReference"):
        field = CROSS_REFERENCES.get(_text(ref, "Source") or "")
        value = _text(ref, "Reference")
        if field and value:
            refs.setdefault(field, []).append(f"MONDO:{value}" if field == "mondo" else value)
    definition = None
    for section in d.findall("SummaryInformationList/SummaryInformation/TextSectionList/TextSection"):
        if _text(section, "TextSectionType/Name") == "Definition":
            definition = _text(section, "Contents")
    facts.disease(
        code,
        f"{path} {record}",
        name=name,
        disorderType=disorder_type,
        group=_text(d, "DisorderGroup/Name") or GROUP_OF_TYPE.get(disorder_type or ""),
        synonyms=[s.text.strip() for s in d.findall("SynonymList/Synonym") if s.text and s.text.strip()],
        definition=definition,
        onset=[v for v in (_text(o, "Name") for o in d.findall("AverageAgeOfOnsetList/AverageAgeOfOnset")) if v],
        inheritance=[v for v in (_text(t, "Name") for t in d.findall("TypeOfInheritanceList/TypeOfInheritance")) if v],
        **refs,
    )
    prevalences = [
        PrevalenceFact(
            type=_text(p, "PrevalenceType/Name"),
            qualification=_text(p, "PrevalenceQualification/Name"),
            prevalence_class=normalise_prevalence_class(_text(p, "PrevalenceClass/Name")),
            val_moy=parse_val_moy(_text(p, "ValMoy")),
            geographic=_text(p, "PrevalenceGeographic/Name"),
            validation=_text(p, "PrevalenceValidationStatus/Name"),
            source=_text(p, "Source"),
        )
        for p in d.findall("PrevalenceList/Prevalence")
    ]
    if prevalences:
        facts.prevalences[code] = prevalences
    for assoc in d.findall("HPODisorderAssociationList/HPODisorderAssociation"):
        hpo = _text(assoc, "HPO/HPOId")
        if not hpo or not hpo.startswith("HP:"):
            facts.problems.add(str(path), record, "HPOId", f"not an HPO id: {hpo!r}")
            continue
        facts.phenotypes.setdefault(code, {})[hpo] = _text(assoc, "HPOFrequency/Name")
        term = _text(assoc, "HPO/HPOTerm")
        if term:
            facts.phenotype_names[hpo] = term
    for assoc in d.findall("DisorderGeneAssociationList/DisorderGeneAssociation"):
        symbol = _text(assoc, "Gene/Symbol")
        if not symbol:
            facts.problems.add(str(path), record, "Gene/Symbol", "gene without a symbol")
            continue
        facts.genes.setdefault(code, {})[symbol] = GeneFact(
            symbol=symbol,
            name=_text(assoc, "Gene/Name"),
            gene_type=_text(assoc, "Gene/GeneType/Name"),
            association_type=_text(assoc, "DisorderGeneAssociationType/Name"),
            association_status=_text(assoc, "DisorderGeneAssociationStatus/Name"),
        )
    return code
