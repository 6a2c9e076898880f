"""Which Orphanet reader a file needs, from its name and its first bytes."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

from mmrare.core.bulk import in_bulk
from mmrare.importers.orphanet.facts import OrphanetFacts
from mmrare.importers.orphanet.hpo import read_hpoa, read_obo
from mmrare.importers.orphanet.linearisation import is_linearisation_csv, read_linearisation
from mmrare.importers.orphanet.mondo import is_mondo_mapping, read_mondo_mappings
from mmrare.importers.orphanet.ordo import read_ordo
from mmrare.importers.orphanet.packets import read_packets
from mmrare.importers.orphanet.xml_products import read_xml

READERS = {
    "orphapacket": read_packets,
    "orphadata-xml": read_xml,
    "ordo-owl": read_ordo,
    "hpo-annotations": read_hpoa,
    "hp-obo": read_obo,
    "linearisation-csv": read_linearisation,
    "mondo-mappings": read_mondo_mappings,
}
SKIPPED_NAMES = {"ATTRIBUTION.md", "README.md", "SOURCES.md"}


class UnknownFormat(ValueError):
    pass


def _head(path: Path) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return fh.read(4096).decode("utf-8", errors="replace")


def detect(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".json", ".jsonl", ".jsonl.gz")):
        return "orphapacket"
    if name.endswith(".hpoa"):
        return "hpo-annotations"
    if name.endswith(".obo"):
        return "hp-obo"
    if name.endswith(".csv") and is_linearisation_csv(_head(path)):
        return "linearisation-csv"
    if name.endswith((".tsv", ".tsv.gz")) and is_mondo_mapping(_head(path)):
        return "mondo-mappings"
    if name.endswith((".xml", ".owl", ".rdf")):
        head = _head(path)
        if "<JDBOR" in head:
            return "orphadata-xml"
        if "rdf:RDF" in head or "owl:Ontology" in head:
            return "ordo-owl"
    raise UnknownFormat(
        f"{path}: not a recognised Orphanet file (ORPHApacket .json/.jsonl[.gz], Orphadata XML, ORDO .owl, "
        "phenotype.hpoa, hp.obo, the linearisation CSV, Mondo-Orphanet mappings)"
    )


def expand(paths: Iterable[Path]) -> dict[str, list[Path]]:
    """Files by reader; folders are searched (not recursively) for files of a known format."""
    by_kind: dict[str, list[Path]] = {}
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        files = (
            sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.name not in SKIPPED_NAMES and not p.name.startswith(".") and p.suffix != ".py"
            )
            if path.is_dir()
            else [path]
        )
        for f in files:
            by_kind.setdefault(detect(f), []).append(f)
    return by_kind


@in_bulk
def read_all(paths: Iterable[Path]) -> tuple[OrphanetFacts, list[Path]]:
    """One facts object from every file, so a mixed import is checked and written as one."""
    by_kind = expand(paths)
    facts = OrphanetFacts(source="+".join(sorted(by_kind)))
    files: list[Path] = []
    versions: list[str] = []
    for kind, kind_files in sorted(by_kind.items()):
        facts.version = ""
        READERS[kind](kind_files, facts)
        versions.append(facts.version or "unversioned")
        files += kind_files
    facts.version = "+".join(versions)  # one release node per combination of source versions
    return facts, files
