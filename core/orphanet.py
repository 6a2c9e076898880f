"""Orphanet facts every layer shares: ORPHA codes, the classification root, prevalence classes."""

from __future__ import annotations

import re
from typing import Any

from mmrare.core.pandas_cells import PANDAS_MISSING

RARE_DISORDERS = 320716  # "Rare disorders": its children are the classification heads

# Orphanet prevalence classes, most to least frequent, then the two non-classes.
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

# A code with or without its prefix, in any case, with spaces after the prefix ("ORPHA: 558"), and as
# pandas writes an integer column that has a blank ("558.0").
_CODE = re.compile(
    r"^(?:ORPHA\s*:?\s*|Orphanet[_:]\s*|http://www\.orpha\.net/ORDO/Orphanet_)?(\d+)(?:\.0+)?$", re.IGNORECASE
)


# Orphanet's phenotype frequency classes and the share of patients each stands for (the middle of
# its range): how strongly an annotation ties a phenotype to a disease. Excluded ties nothing.
PHENOTYPE_FREQUENCY = {
    "Obligate": 1.0,
    "Very frequent": 0.895,
    "Frequent": 0.545,
    "Occasional": 0.17,
    "Very rare": 0.025,
    "Excluded": 0.0,
}


def frequency_weight(label: str | None) -> float:
    """The weight of an annotation from its frequency label ("Frequent (79-30%)"); 1 when unknown."""
    if not label:
        return 1.0
    return PHENOTYPE_FREQUENCY.get(label.split("(")[0].strip(), 1.0)


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


def checked_prevalence_class(raw: str) -> str:
    """The canonical class however it is spaced; anything else is an error listing the valid ones."""
    found = normalise_prevalence_class(raw)
    if found is None:
        raise ValueError(
            f"{raw!r} is not a prevalence class; use one of {', '.join(repr(c) for c in PREVALENCE_CLASSES)}"
        )
    return found


CODE_SEPARATORS = re.compile(r"[;,|]")


def parse_codes(text: str | None) -> tuple[list[int], list[str]]:
    """'ORPHA:558; 586', '558|586', '558, 586', 'Orphanet_558', '558.0' -> codes, and the parts that
    are not codes. A part pandas reads as missing ('NA', 'N/A', 'null', ...) means no code."""
    codes, bad = [], []
    for part in CODE_SEPARATORS.split(text or ""):
        part = part.strip()
        if part in PANDAS_MISSING:
            continue
        code = parse_orpha_code(part)
        if code is None:
            bad.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, bad


# Orphanet's mapping relations between an ORPHAcode and an external code (OMIM), and what each means
# for a case whose diagnosis is the external code: how far the ORPHAcode stands for that diagnosis.
MAPPING_RELATIONS = {
    "E": (1.0, "exact: the two concepts are equivalent"),
    "BTNT": (0.8, "the ORPHAcode is broader: the diagnosis is one of its forms"),
    "NTBT": (0.6, "the ORPHAcode is narrower: it covers part of the diagnosis"),
    "ND": (0.3, "Orphanet has not qualified the mapping"),
}


def mapping_relation(text: Any) -> str | None:
    """The short relation of an ORPHApacket's DisorderMappingRelation ("E (Exact mapping: ...)" ->
    "E", "NTBT/E" kept whole); None when there is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip().split(" ", 1)[0]
