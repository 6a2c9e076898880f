"""Mondo to Orphanet mappings: mondo-ingest's `ordo-subsets.robot.tsv` (mondo_id, ordo_id) or Mondo's
SSSOM `mondo_exactmatch_orphanet.sssom.tsv[.gz]` (subject_id, skos:exactMatch, object_id). Each mapped
ORPHAcode gains the Mondo id in its `mondo` list; a code the graph does not hold is left out with a
warning (the mapping files follow other Orphanet releases)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from mmrare.core.orphanet import parse_orpha_code
from mmrare.importers.orphanet.facts import OrphanetFacts

ROBOT_COLUMNS = ("mondo_id", "ordo_id")
SSSOM_COLUMNS = ("subject_id", "predicate_id", "object_id")


def is_mondo_mapping(head: str) -> bool:
    first = next((line for line in head.splitlines() if not line.startswith("#")), "")
    return all(c in first for c in ROBOT_COLUMNS) or (all(c in first for c in SSSOM_COLUMNS) and "MONDO:" in head)


def read_mondo_mappings(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    facts = facts or OrphanetFacts(source="mondo-mappings")
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            lines = (line for line in fh if not line.startswith("#"))
            for n, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
                if "mondo_id" in row:
                    mondo, target = row.get("mondo_id") or "", row.get("ordo_id") or ""
                elif row.get("predicate_id") == "skos:exactMatch":
                    mondo, target = row.get("subject_id") or "", row.get("object_id") or ""
                else:
                    continue
                if not mondo.startswith("MONDO:") or not target.startswith("Orphanet:"):
                    continue  # the robot template's second header row, and rows of other sources
                code = parse_orpha_code(target)
                if code is None:
                    facts.problems.add(str(path), f"row {n}", "ordo_id", f"not an ORPHAcode: {target!r}")
                    continue
                facts.mondo_links.setdefault(code, set()).add(mondo)
    return facts
