"""Orphanet imports into both stores: exact counts, real facts, idempotence, nothing written on bad input."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.problems import ImportRejected

FIX = Path(__file__).parents[1] / "fixtures" / "orphanet"


def import_paths(store: GraphStore, *paths: Path, skip_invalid: bool = False):
    facts, files = read_all(paths)
    return load(facts, store, files, skip_invalid=skip_invalid)


def dicts_with(obj: Any, key: str) -> Iterator[dict]:
    """Every dict holding `key`, at any depth (a generic walk, unlike the importer's shape rules)."""
    if isinstance(obj, dict):
        if key in obj:
            yield obj
        for value in obj.values():
            yield from dicts_with(value, key)
    elif isinstance(obj, list):
        for value in obj:
            yield from dicts_with(value, key)


def expected_counts(packets: list[dict]) -> dict[str, int]:
    """Node and relationship counts derived straight from the raw packets."""
    codes, edges, hpo, pheno_edges, genes, gene_edges, prevalences = set(), set(), set(), set(), set(), set(), 0
    for p in packets:
        code = int(p["ORPHAcode"])
        codes.add(code)
        for parent in dicts_with(p.get("Parents"), "ORPHAcode"):
            codes.add(int(parent["ORPHAcode"]))
            edges.add((code, int(parent["ORPHAcode"])))
        for ph in dicts_with(p.get("Phenotypes"), "HPOId"):
            hpo.add(ph["HPOId"])
            pheno_edges.add((code, ph["HPOId"]))
        for g in dicts_with(p.get("Genes"), "Symbol"):
            genes.add(g["Symbol"])
            gene_edges.add((code, g["Symbol"]))
        prevalences += sum(1 for _ in dicts_with(p.get("Prevalences"), "PrevalenceType"))
    return {
        "Disease": len(codes),
        "SUBCLASS_OF": len(edges),
        "Phenotype": len(hpo),
        "HAS_PHENOTYPE": len(pheno_edges),
        "Gene": len(genes),
        "ASSOCIATED_GENE": len(gene_edges),
        "Prevalence": prevalences,
        "HAS_PREVALENCE": prevalences,
    }


def observed_counts(store: GraphStore) -> dict[str, int]:
    stats = store.stats()
    return {
        k: {**stats["nodes"], **stats["relationships"]}[k]
        for k in (
            "Disease",
            "SUBCLASS_OF",
            "Phenotype",
            "HAS_PHENOTYPE",
            "Gene",
            "ASSOCIATED_GENE",
            "Prevalence",
            "HAS_PREVALENCE",
        )
    }


def snapshot(store: GraphStore) -> dict:
    diseases = {n.ref.key: n.props for n in store.select("Disease")}
    return {
        "stats": store.stats(),
        "diseases": diseases,
        "releases": [n.props for n in store.select("OntologyRelease")],
    }


def test_packet_fixture_counts_and_idempotent_reimport(store: GraphStore) -> None:
    path = FIX / "packets_marfan_sample.json"
    raw = [p["Orphapacket"] for p in json.loads(path.read_text())]
    import_paths(store, path)
    assert observed_counts(store) == expected_counts(raw)
    before = snapshot(store)
    summary = import_paths(store, path)
    assert summary.heads_updated == 0
    assert snapshot(store) == before


def test_fixture_folder_facts(store: GraphStore) -> None:
    import_paths(store, FIX)
    marfan = store.get(NodeRef("Disease", 558)).props
    assert marfan["name"] == "Marfan syndrome"
    assert marfan["synonyms"] == ["MFS"]
    assert marfan["omim"] == ["154700", "610168"]
    assert marfan["group"] == "Disorder"
    parents = {n.node.key for n in store.neighbours([NodeRef("Disease", 558)], "SUBCLASS_OF", Direction.OUT)}
    assert 284993 in parents and len(parents) == 8
    # the product 3 (150) excerpt puts PMM2-CDG under protein N-glycosylation disorders, CDG, and the root
    assert store.closure([NodeRef("Disease", 79318)], "SUBCLASS_OF") == {
        NodeRef("Disease", 309347),
        NodeRef("Disease", 137),
        NodeRef("Disease", 68367),
    }
    kif7 = store.neighbours([NodeRef("Disease", 166024)], "ASSOCIATED_GENE")
    assert [(g.node.key, g.rel_props) for g in kif7] == [
        ("KIF7", {"type": "Disease-causing germline mutation(s) in", "status": "Assessed"})
    ]
    assert store.get(NodeRef("Gene", "KIF7")).props == {
        "symbol": "KIF7",
        "name": "kinesin family member 7",
        "type": "gene with protein product",
    }
    # 166024 has a Worldwide, validated point prevalence of <1 / 1 000 000 (and a Cases/families record)
    assert store.get(NodeRef("Disease", 166024)).props["prevalenceClass"] == "<1 / 1 000 000"


def test_owl_and_packets_give_the_same_graph(store: GraphStore) -> None:
    import_paths(store, FIX / "ordo_sample.owl")
    other = EmbeddedStore(None)
    import_paths(other, FIX / "packets_marfan_sample.json")
    owl_codes = {n.ref.key for n in store.select("Disease")}
    fields = ("name", "synonyms", "definition", "omim")
    for code, props in store.get_many("Disease", owl_codes).items():
        packet_props = other.get(NodeRef("Disease", code)).props
        assert {f: props.get(f) for f in fields} == {f: packet_props.get(f) for f in fields}

    def edges(s: GraphStore) -> set[tuple[int, int]]:
        refs = [NodeRef("Disease", c) for c in owl_codes]
        return {(n.start.key, n.node.key) for n in s.neighbours(refs, "SUBCLASS_OF") if n.node.key in owl_codes}

    # within the sample: ten members of ORPHA:284993 and two subtypes of Marfan syndrome (284963, 284973)
    assert edges(store) == edges(other) and len(edges(store)) == 12
    assert (284963, 558) in edges(store)


def test_bad_file_in_an_import_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text((FIX / "packets_marfan_sample.json").read_text())
    (tmp_path / "bad.jsonl").write_text('{"Orphapacket": {"ORPHAcode": "5", "Label": "x"}}\n{"Orphapacket": \n')
    with pytest.raises(ImportRejected) as rejected:
        import_paths(store, tmp_path)
    assert [str(p) for p in rejected.value.problems] == [
        f"{tmp_path / 'bad.jsonl'}: line 2: JSON: not valid JSON: Expecting value at column 17"
    ]  # one past the end of the line
    assert store.count_nodes() == 0


def test_cycle_is_rejected_naming_its_codes(store: GraphStore, tmp_path: Path) -> None:
    packets = [
        {
            "Orphapacket": {
                "ORPHAcode": str(c),
                "Label": f"d{c}",
                "DisorderType": {"value": "Disease"},
                "Parents": [{"Parent": [{"ORPHAcode": str(p), "Label": f"d{p}"}]}],
            }
        }
        for c, p in ((1, 2), (2, 3), (3, 1), (4, 1))
    ]
    (tmp_path / "cycle.json").write_text(json.dumps(packets))
    with pytest.raises(ImportRejected, match="classification cycle through ORPHA:1, ORPHA:2, ORPHA:3"):
        import_paths(store, tmp_path / "cycle.json")
    assert store.count_nodes() == 0


def test_unknown_code_rejected_or_skipped(store: GraphStore, tmp_path: Path) -> None:
    import_paths(store, FIX / "packets_marfan_sample.json")
    before = store.stats()
    hpoa = tmp_path / "phenotype.hpoa"
    hpoa.write_text(
        "#version: test\ndatabase_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\t"
        "sex\tmodifier\taspect\tbiocuration\n"
        "ORPHA:558\tMarfan syndrome\t\tHP:0000545\tORPHA:558\tTAS\t\tHP:0040282\t\t\tP\tx\n"
        "ORPHA:99999999\tNo such disease\t\tHP:0000545\tORPHA:1\tTAS\t\t\t\t\tP\tx\n"
    )
    with pytest.raises(ImportRejected, match=r"ORPHA:99999999: ORPHAcode: unknown ORPHAcode"):
        import_paths(store, hpoa)
    assert store.stats() == before
    import_paths(store, hpoa, skip_invalid=True)
    myopia = [n for n in store.neighbours([NodeRef("Disease", 558)], "HAS_PHENOTYPE") if n.node.key == "HP:0000545"]
    assert [n.rel_props for n in myopia] == [{"frequency": "Frequent (79-30%)"}]
    assert store.get(NodeRef("Disease", 99999999)) is None


# -- the whole December 2025 release (needs ../shared) --------------------------------------------
@pytest.mark.shared
def test_full_release_counts_and_real_facts(store: GraphStore, shared_data: Path) -> None:
    path = shared_data / "orphanet" / "orphapackets" / "orphapackets_2025-12_all.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = [json.loads(line)["Orphapacket"] for line in fh]
    assert len(raw) == 9960
    import_paths(store, path)
    assert observed_counts(store) == expected_counts(raw)
    marfan = store.get(NodeRef("Disease", 558)).props
    # Marfan syndrome's classification heads: bone, developmental defect, surgical thoracic, ophthalmic,
    # systemic/rheumatologic, circulatory system and genetic disease.
    assert marfan["heads"] == [93419, 93890, 97962, 97966, 98023, 98028, 98053]
    # Cystic fibrosis: no worldwide record; the first point prevalence (Europe) is 1-5 / 10 000.
    assert store.get(NodeRef("Disease", 586)).props["prevalenceClass"] == "1-5 / 10 000"
    rare = store.get(NodeRef("Disease", 320716)).props
    # no packet of its own: named from the parent label in its children's packets
    assert rare == {"orphaCode": 320716, "name": "Rare disorders"}
    heads = {n.node.key for n in store.neighbours([NodeRef("Disease", 320716)], "SUBCLASS_OF", Direction.IN)}
    raw_heads = {
        int(p["ORPHAcode"])
        for p in raw
        if any(q["ORPHAcode"] == "320716" for q in dicts_with(p.get("Parents"), "ORPHAcode"))
    }
    assert heads == raw_heads and 98006 in heads  # Rare neurologic disease


@pytest.mark.shared
def test_full_classification_xml(store: GraphStore, shared_data: Path) -> None:
    import_paths(store, shared_data / "orphanet" / "classification" / "en_product3_150_2024-12-03.xml")
    assert store.count_nodes("Disease") == 1087
    assert store.count_rels("SUBCLASS_OF") == 1137
    assert store.get(NodeRef("Disease", 68367)).props["heads"] == [68367]  # the tree's root heads itself
