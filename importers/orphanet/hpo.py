"""HPO files: `phenotype.hpoa` (ORPHA annotation rows) and `hp.obo` (terms, synonyms, IS_A).

hpoa rows name diseases that must already be in the graph (or in the same import); a row with an
ORPHAcode unknown to both is a problem, like any unknown code. NOT-qualified rows and aspects other
than P (phenotypic abnormality) carry no Disease-Phenotype edge and are passed over.
"""

from __future__ import annotations

from pathlib import Path

from mmrare.core.orphanet import parse_orpha_code
from mmrare.importers.orphanet.facts import HPO_FREQUENCY, OrphanetFacts

HPOA_COLUMNS = (
    "database_id",
    "disease_name",
    "qualifier",
    "hpo_id",
    "reference",
    "evidence",
    "onset",
    "frequency",
    "sex",
    "modifier",
    "aspect",
    "biocuration",
)


def read_hpoa(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    facts = facts or OrphanetFacts(source="hpo-annotations")
    for path in paths:
        _read_hpoa(path, facts)
    return facts


def _read_hpoa(path: Path, facts: OrphanetFacts) -> None:
    header_seen = False
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for n, line in enumerate(fh, start=1):
                if line.startswith("#"):
                    if line.startswith("#version:"):
                        facts.version = line.split(":", 1)[1].strip()
                    continue
                cells = line.rstrip("\n").split("\t")
                if not header_seen:
                    header_seen = True
                    if tuple(cells[: len(HPOA_COLUMNS)]) != HPOA_COLUMNS:
                        facts.problems.add(
                            str(path), f"line {n}", "header", f"expected columns {', '.join(HPOA_COLUMNS)}"
                        )
                        return
                    continue
                if not cells[0].startswith("ORPHA:"):
                    continue
                row = dict(zip(HPOA_COLUMNS, cells, strict=False))
                _row(path, n, row, facts)
    except UnicodeDecodeError as exc:
        facts.problems.add(str(path), "file", "encoding", f"not UTF-8: {exc}")


def _row(path: Path, n: int, row: dict[str, str], facts: OrphanetFacts) -> None:
    code = parse_orpha_code(row["database_id"])
    if code is None:
        facts.problems.add(str(path), f"line {n}", "database_id", f"not an ORPHAcode: {row['database_id']!r}")
        return
    hpo = row.get("hpo_id", "")
    if not hpo.startswith("HP:"):
        facts.problems.add(str(path), f"line {n} (ORPHA:{code})", "hpo_id", f"not an HPO id: {hpo!r}")
        return
    if row.get("qualifier") == "NOT" or row.get("aspect") != "P":
        return
    raw = row.get("frequency") or None
    facts.phenotypes.setdefault(code, {})[hpo] = HPO_FREQUENCY.get(raw or "", raw)


def read_obo(paths: list[Path], facts: OrphanetFacts | None = None) -> OrphanetFacts:
    """Terms of hp.obo: name, exact synonyms, is_a parents; obsolete terms are left out."""
    facts = facts or OrphanetFacts(source="hp-obo")
    for path in paths:
        _read_obo(path, facts)
    return facts


def _read_obo(path: Path, facts: OrphanetFacts) -> None:
    synonyms = facts.phenotype_synonyms
    term: dict[str, list[str]] = {}

    def finish() -> None:
        if "id" in term and "true" not in term.get("is_obsolete", []):
            hpo = term["id"][0]
            if term.get("name"):
                facts.phenotype_names[hpo] = term["name"][0]
            for parent in term.get("is_a", []):
                facts.phenotype_parents.setdefault(hpo, set()).add(parent.split("!")[0].strip())
            exact = [s.split('"')[1] for s in term.get("synonym", []) if '" EXACT' in s]
            if exact:
                synonyms[hpo] = exact

    in_term = False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("data-version:"):
                facts.version = line.split(":", 1)[1].strip().removeprefix("hp/releases/")
            if line.startswith("["):
                if in_term:
                    finish()
                in_term = line == "[Term]"
                term = {}
                continue
            if in_term and ": " in line:
                key, value = line.split(": ", 1)
                term.setdefault(key, []).append(value)
    if in_term:
        finish()
