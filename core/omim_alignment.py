"""OMIM diagnoses aligned to Orphanet through the ORPHApackets' OMIM cross-references, keeping
Orphanet's mapping relation. Only a unique mapping aligns; an OMIM id with several ORPHAcodes (or
none) is reported as such, never guessed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mmrare.core.orphanet import MAPPING_RELATIONS

UNQUALIFIED = "unqualified"  # a cross-reference whose source gives no relation (ORDO, product 1 without it)


@dataclass(frozen=True)
class OmimAlignment:
    omim: str  # OMIM:nnnnnn
    codes: tuple[int, ...]  # the ORPHAcode aligned (one), or the candidates when not aligned
    relation: str | None  # E, BTNT, NTBT, ND, unqualified; None when not aligned
    outcome: str  # "aligned", "several ORPHAcodes", "no ORPHAcode", "not an OMIM id"

    @property
    def aligned(self) -> bool:
        return self.outcome == "aligned"

    @property
    def method(self) -> str:
        return f"OMIM cross-reference ({self.relation})"

    @property
    def confidence(self) -> float:
        return MAPPING_RELATIONS.get(self.relation or "", (0.5, ""))[0]


OMIM_PROPERTIES = ("omimRelations", "omim")  # the Disease properties omim_index reads


def omim_index(diseases: Iterable[tuple[int, Mapping[str, Any]]]) -> dict[str, dict[int, str]]:
    """OMIM number -> {ORPHAcode: relation}, from Disease properties `omimRelations` ("608001:E")
    and `omim` (a cross-reference without a relation counts as unqualified)."""
    index: dict[str, dict[int, str]] = defaultdict(dict)
    for code, props in diseases:
        for entry in props.get("omimRelations", []):
            number, _, relation = str(entry).partition(":")
            index[number.strip()][code] = relation.strip() or UNQUALIFIED
        for number in props.get("omim", []):
            index[str(number).strip()].setdefault(code, UNQUALIFIED)
    return dict(index)


def align_omim(index: Mapping[str, Mapping[int, str]], disease_id: str) -> OmimAlignment:
    """The exact mapping when there is exactly one; else the only mapping of another relation; else
    not aligned, with the candidates named. Relations marked wrong (W) never align."""
    prefix, _, number = disease_id.partition(":")
    if prefix.upper() != "OMIM" or not number.strip().isdigit():
        return OmimAlignment(disease_id, (), None, "not an OMIM id")
    candidates = {c: r for c, r in index.get(number.strip(), {}).items() if r != "W"}
    exact = sorted(c for c, r in candidates.items() if r == "E")
    if len(exact) == 1:
        return OmimAlignment(disease_id, (exact[0],), "E", "aligned")
    if len(exact) > 1:
        return OmimAlignment(disease_id, tuple(exact), None, "several ORPHAcodes")
    if len(candidates) == 1:
        code, relation = next(iter(candidates.items()))
        return OmimAlignment(disease_id, (code,), relation, "aligned")
    if candidates:
        return OmimAlignment(disease_id, tuple(sorted(candidates)), None, "several ORPHAcodes")
    return OmimAlignment(disease_id, (), None, "no ORPHAcode")
