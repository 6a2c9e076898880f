"""Orphanet's linearisation (product 7, as the flattened CSV `linearisation_of_rare_diseases.csv`):
one preferential parent per disorder, the head of classification it counts under where each disease
must count once. Rows without a target (the heads themselves) carry nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from mmrare.core.orphanet import parse_orpha_code
from mmrare.importers.orphanet.facts import OrphanetFacts

COLUMNS = ("orpha_code", "target_disorder_code", "association_type")


def is_linearisation_csv(head: str) -> bool:
    first = head.splitlines()[0] if head else ""
    return all(c in first for c in COLUMNS)


def read_linearisation(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    facts = facts or OrphanetFacts(source="linearisation-csv")
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                if not (row.get("target_disorder_code") or "").strip():
                    continue
                code, head = parse_orpha_code(row.get("orpha_code")), parse_orpha_code(row["target_disorder_code"])
                if code is None or head is None:
                    bad = "orpha_code" if code is None else "target_disorder_code"
                    facts.problems.add(str(path), f"row {n}", bad, f"not an ORPHAcode: {row.get(bad)!r}")
                    continue
                said = facts.linear_heads.setdefault(code, head)
                if said != head:
                    facts.problems.add(
                        str(path), f"row {n} (ORPHA:{code})", "target_disorder_code", f"{head}, but {said} before"
                    )
    return facts
