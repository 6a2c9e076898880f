"""What every Orphanet source is reduced to before it reaches the graph.

Each parser fills an `OrphanetFacts`; one loader writes it. The same facts from two sources
therefore give the same nodes, relationships and properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmrare.importers.problems import ProblemLog

# Orphanet's disorder types fall into four groups (product 1 DisorderGroup).
GROUP_OF_TYPE = {
    "Category": "Category",
    "Clinical group": "Group of disorders",
    "Disease": "Disorder",
    "Malformation syndrome": "Disorder",
    "Morphological anomaly": "Disorder",
    "Biological anomaly": "Disorder",
    "Clinical syndrome": "Disorder",
    "Particular clinical situation in a disease or syndrome": "Disorder",
    "Clinical subtype": "Subtype of disorder",
    "Etiological subtype": "Subtype of disorder",
    "Histopathological subtype": "Subtype of disorder",
}

# HPO frequency terms (used by phenotype.hpoa) and the Orphanet labels they stand for.
HPO_FREQUENCY = {
    "HP:0040280": "Obligate (100%)",
    "HP:0040281": "Very frequent (99-80%)",
    "HP:0040282": "Frequent (79-30%)",
    "HP:0040283": "Occasional (29-5%)",
    "HP:0040284": "Very rare (<4-1%)",
    "HP:0040285": "Excluded (0%)",
}


def parse_val_moy(raw: Any) -> float | None:
    if raw is None:
        return None
    try:
        return float(str(raw).strip())
    except ValueError:
        return None  # "no data" and friends


@dataclass(frozen=True)
class PrevalenceFact:
    type: str | None
    qualification: str | None
    prevalence_class: str | None
    val_moy: float | None
    geographic: str | None
    validation: str | None
    source: str | None


@dataclass(frozen=True)
class GeneFact:
    symbol: str
    name: str | None
    gene_type: str | None
    association_type: str | None
    association_status: str | None


# Fields that say which disease a code is: two sources disagreeing on them is worth a warning.
IDENTITY_FIELDS = ("name", "disorderType")


@dataclass
class OrphanetFacts:
    """Everything one import learned. Disease properties merge: a later non-empty value wins."""

    source: str  # "orphapacket", "orphadata-xml", "ordo-owl", "hpo-annotations", "hp-obo"
    version: str = ""
    diseases: dict[int, dict[str, Any]] = field(default_factory=dict)
    parents: dict[int, set[int]] = field(default_factory=dict)
    prevalences: dict[int, list[PrevalenceFact]] = field(default_factory=dict)
    phenotypes: dict[int, dict[str, str | None]] = field(default_factory=dict)  # code -> hpoId -> frequency
    phenotype_names: dict[str, str] = field(default_factory=dict)
    phenotype_parents: dict[str, set[str]] = field(default_factory=dict)
    phenotype_synonyms: dict[str, list[str]] = field(default_factory=dict)
    genes: dict[int, dict[str, GeneFact]] = field(default_factory=dict)
    linear_heads: dict[int, int] = field(default_factory=dict)  # code -> its head in the linearisation
    mondo_links: dict[int, set[str]] = field(default_factory=dict)  # code -> Mondo ids mapped to it
    # where each disease was defined, for error messages
    origin: dict[int, str] = field(default_factory=dict)
    said: dict[tuple[int, str], str] = field(default_factory=dict)  # (code, field) -> where its value came from
    problems: ProblemLog = field(default_factory=ProblemLog)

    def disease(self, code: int, origin: str, **props: Any) -> None:
        current = self.diseases.setdefault(code, {})
        self.origin.setdefault(code, origin)
        for name, value in props.items():
            if value is None or value == [] or value == "":
                continue
            if name in IDENTITY_FIELDS and current.get(name) not in (None, value):
                said = self.said.get((code, name), "an earlier record")
                self.problems.warn(
                    origin, f"ORPHA:{code}", name, f"{value!r} here, but {current[name]!r} in {said}; the later is kept"
                )
            if name in IDENTITY_FIELDS:
                self.said[(code, name)] = origin
            if isinstance(value, list):
                merged = list(dict.fromkeys([*current.get(name, []), *value]))
                current[name] = merged
            else:
                current[name] = value

    def parent(self, child: int, parent: int) -> None:
        if child != parent:
            self.parents.setdefault(child, set()).add(parent)
