"""What every Orphanet source is reduced to before it reaches the graph.

Each parser fills an `OrphanetFacts`; one loader writes it. The same facts from two sources
therefore give the same nodes, relationships and properties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from importers.problems import ProblemLog

RARE_DISORDERS = 320716  # "Rare disorders": its children are the classification heads

# Orphanet prevalence classes, most to least frequent, then the two non-classes (DESIGN.md section 3).
PREVALENCE_CLASSES = (
    ">1 / 1000",
    "6-9 / 10 000",
    "1-5 / 10 000",
    "1-9 / 100 000",
    "1-9 / 1 000 000",
    "<1 / 1 000 000",
    "Unknown",
    "Not yet documented",
)

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

_CODE = re.compile(r"^(?:ORPHA:?|Orphanet[_:]|http://www\.orpha\.net/ORDO/Orphanet_)?(\d+)$", re.IGNORECASE)


def parse_orpha_code(raw: Any) -> int | None:
    """558, '558', 'ORPHA:558', 'Orphanet_558' or the ORDO IRI give 558; anything else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if raw > 0 else None
    if not isinstance(raw, str):
        return None
    m = _CODE.match(raw.strip())
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def normalise_prevalence_class(raw: str | None) -> str | None:
    """Orphanet writes classes with varying spaces ('1-9 / 100 000', '1-9/100000'); give the canonical one."""
    if not raw or not raw.strip():
        return None
    squeezed = re.sub(r"\s+", "", raw)
    for cls in PREVALENCE_CLASSES:
        if re.sub(r"\s+", "", cls) == squeezed:
            return cls
    return None


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
    # where each disease was defined, for error messages
    origin: dict[int, str] = field(default_factory=dict)
    problems: ProblemLog = field(default_factory=ProblemLog)

    def disease(self, code: int, origin: str, **props: Any) -> None:
        current = self.diseases.setdefault(code, {})
        self.origin.setdefault(code, origin)
        for name, value in props.items():
            if value is None or value == [] or value == "":
                continue
            if isinstance(value, list):
                merged = list(dict.fromkeys([*current.get(name, []), *value]))
                current[name] = merged
            else:
                current[name] = value

    def parent(self, child: int, parent: int) -> None:
        if child != parent:
            self.parents.setdefault(child, set()).add(parent)
