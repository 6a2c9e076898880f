"""The leakage audit on both stores: one hand-built case per kind (positive and negative), the
generator's planted leaks, re-runs that replace findings, and reports on the leak-free subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmrare.audit import AuditConfig, LeakageAudit, store_audit
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, RelRow, Where
from mmrare.importers.benchmark.generator import AUDIT_KIND
from mmrare.importers.benchmark.loader import import_release
from tests.conftest import with_orphanet

Itm, D, P, G = (
    (lambda k: NodeRef("Item", k)),
    (lambda c: NodeRef("Disease", c)),
    (lambda h: NodeRef("Phenotype", h)),
    (lambda s: NodeRef("Gene", s)),
)


def mention(item: str, node: NodeRef, text: str, field: str = "question", start: int = 0) -> RelRow:
    return RelRow(
        Itm(item),
        node,
        {"field": field, "start": start, "end": start + len(text), "text": text},
        rid=f"{field}:{start}",
    )


def build(store: GraphStore) -> None:
    phenos = [f"HP:000000{k}" for k in range(1, 8)]
    items = {
        "diagnosis:1": "Could this be Marfan syndrome?",
        "diagnosis:2": "Coded ORPHA:10 in the chart.",
        "diagnosis:3": "Sibling has Marfan syndrome type 1.",
        "diagnosis:4": "Family has a Marfan-related disorder.",
        "diagnosis:5": "A variant in FBN1.",
        "diagnosis:6": "A variant in TGFBR1.",
        "diagnosis:7": "Many findings.",
        "diagnosis:8": "Few findings.",
        "diagnosis:9": "See the figure.",
        "diagnosis:10": "A tall patient with lens problems.",
        "diagnosis:11": "What is it?",
        "treatment:1": "Should beta blocker therapy be started?",
        "treatment:2": "What would you do?",
        "examination:1": "Which tests?",
        "examination:2": "Which tests?",
        "examination:3": "Which tests?",
        "crossmodal:1": "Does the Marfan syndrome appearance show in both?",
    }
    with store.transaction() as tx:
        tx.upsert_nodes(
            "Disease",
            [
                {"orphaCode": 1, "name": "Rare bone disease", "group": "Category"},
                {"orphaCode": 20, "name": "Marfan-related disorder", "group": "Group of disorders"},
                {"orphaCode": 10, "name": "Marfan syndrome", "synonyms": ["MFS"], "group": "Disorder"},
                {"orphaCode": 11, "name": "Loeys-Dietz syndrome", "group": "Disorder"},
                {"orphaCode": 12, "name": "Other A", "group": "Disorder"},
                {"orphaCode": 13, "name": "Other B"},
                {"orphaCode": 100, "name": "Marfan syndrome type 1", "group": "Subtype of disorder"},
            ],
        )
        tx.upsert_rels(
            "SUBCLASS_OF", [RelRow(D(20), D(1)), RelRow(D(10), D(20)), RelRow(D(11), D(20)), RelRow(D(100), D(10))]
        )
        tx.upsert_nodes("Gene", [{"symbol": "FBN1"}, {"symbol": "TGFBR1"}])
        tx.upsert_rels(
            "ASSOCIATED_GENE", [RelRow(D(10), G("FBN1"))] + [RelRow(D(c), G("TGFBR1")) for c in (10, 11, 12, 13)]
        )
        tx.upsert_nodes("Phenotype", [{"hpoId": h, "name": f"finding {h}"} for h in phenos])
        tx.upsert_rels(
            "HAS_PHENOTYPE", [RelRow(D(10), P(h)) for h in phenos] + [RelRow(D(11), P(h)) for h in phenos[:3]]
        )
        tx.upsert_nodes(
            "Item",
            [
                {
                    "itemId": k,
                    "track": k.split(":")[0],
                    "index": int(k.split(":")[1]),
                    "question": q,
                    "context": "",
                    "answer": "Marfan syndrome",
                    "aliases": ["MFS"],
                    "imagePaths": [],
                    **({"mustInclude": ["beta blocker therapy"]} if k.startswith("treatment") else {}),
                }
                for k, q in items.items()
            ],
        )
        tx.upsert_rels(
            "ANSWER_IS", [RelRow(Itm(k), D(10), {"method": "code"}) for k in items if k.startswith("diagnosis")]
        )
        tx.upsert_rels(
            "MENTIONS",
            [
                mention("diagnosis:1", D(10), "Marfan syndrome", start=15),
                mention("diagnosis:3", D(100), "Marfan syndrome type 1", start=12),
                mention("diagnosis:4", D(20), "Marfan-related disorder", start=13),
                mention("diagnosis:5", G("FBN1"), "FBN1", start=13),
                mention("diagnosis:6", G("TGFBR1"), "TGFBR1", start=13),
                *[mention("diagnosis:7", P(h), f"finding {h}", start=k) for k, h in enumerate(phenos[:6])],
                *[mention("diagnosis:8", P(h), f"finding {h}", start=k) for k, h in enumerate(phenos[:3])],
                mention("diagnosis:9", D(10), "Marfan syndrome", field="figure:0", start=10),
                mention("crossmodal:1", D(10), "Marfan syndrome", start=9),
            ],
        )
        tx.upsert_nodes("Case", [{"caseId": "case:a"}])
        tx.upsert_rels(
            "ABOUT",
            [
                RelRow(Itm("diagnosis:11"), NodeRef("Case", "case:a")),
                RelRow(Itm("crossmodal:1"), NodeRef("Case", "case:a")),
            ],
        )
        sha = {"a": "a" * 64, "b": "b" * 64, "c": "c" * 64, "f": "f" * 64}
        tx.upsert_nodes(
            "Image",
            [
                {"sha256": sha["a"], "phash": "00000000000000ff", "dhash": "00000000000000ff"},
                # 2 bits from a on the DCT hash, 1 on the gradient hash: a copy
                {"sha256": sha["b"], "phash": "00000000000000fc", "dhash": "00000000000000fe"},
                {"sha256": sha["c"], "phash": "ffffffffffffff00", "dhash": "ff00ff00ff00ff00"},
                # 4 bits from a on the DCT hash but 32 on the gradient hash: a look-alike, not a copy
                {"sha256": sha["f"], "phash": "00000000000000f0", "dhash": "f0f0f0f0f0f0f0f0"},
            ],
        )
        tx.upsert_rels(
            "SHOWS",
            [
                RelRow(Itm("examination:1"), NodeRef("Image", sha["a"]), {"order": 0}, rid="0"),
                RelRow(Itm("examination:2"), NodeRef("Image", sha["b"]), {"order": 0}, rid="0"),
                RelRow(Itm("examination:3"), NodeRef("Image", sha["c"]), {"order": 0}, rid="0"),
                RelRow(
                    Itm("diagnosis:9"),
                    NodeRef("Image", sha["f"]),
                    {"order": 0, "label": "Figure 1: Marfan syndrome"},
                    rid="0",
                ),
            ],
        )


def test_each_kind_positive_and_negative(store: GraphStore) -> None:
    build(store)
    result = LeakageAudit(store).run()
    kinds = {(f.item_id, f.kind, f.severity) for f in result.findings}
    assert kinds == {
        ("diagnosis:1", "direct-name", "high"),
        ("diagnosis:2", "direct-name", "high"),
        ("diagnosis:3", "ontology", "high"),
        ("diagnosis:4", "ontology", "medium"),
        ("diagnosis:5", "rare-gene", "high"),
        ("diagnosis:7", "phenotype-set", "medium"),
        ("diagnosis:9", "figure-label", "high"),
        ("diagnosis:11", "image-or-case", "high"),
        ("treatment:1", "answer-text", "high"),
        ("examination:1", "image-or-case", "medium"),
        ("examination:2", "image-or-case", "medium"),
    }
    # negatives: a gene shared by 4 diseases, 3 phenotypes two diseases share, a plain question, no near-duplicate
    assert result.leaky.isdisjoint({"diagnosis:6", "diagnosis:8", "diagnosis:10", "treatment:2", "examination:3"})
    by_item = {f.item_id: f for f in result.findings}
    assert by_item["diagnosis:3"].path == ("Item:diagnosis:3", "MENTIONS", "Disease:100", "SUBCLASS_OF", "Disease:10")
    assert by_item["diagnosis:4"].path == ("Item:diagnosis:4", "MENTIONS", "Disease:20", "<-SUBCLASS_OF", "Disease:10")
    assert by_item["diagnosis:5"].path == (
        "Item:diagnosis:5",
        "MENTIONS",
        "Gene:FBN1",
        "<-ASSOCIATED_GENE",
        "Disease:10",
    )
    assert "with 2 member(s)" in by_item["diagnosis:4"].explanation
    # 3 phenotypes in 2 of the 7 diseases and 3 in 1: 3 log2(7/2) + 3 log2(7) = 13.84 bits; only disease 10 fits
    assert "6 mentioned phenotype(s) carrying 13.8 bits (frequency-weighted; 2.8 single out one of 7 diseases)" in (
        by_item["diagnosis:7"].explanation
    )
    assert "hash distance 2" in by_item["examination:1"].explanation
    assert by_item["diagnosis:11"].path == (
        "Item:diagnosis:11",
        "ABOUT",
        "Case:case:a",
        "<-ABOUT",
        "Item:crossmodal:1",
        "MENTIONS",
        "Disease:10",
    )
    # thresholds are configuration: a stricter gene bound drops nothing here, a looser one adds TGFBR1
    loose = LeakageAudit(store, AuditConfig(gene_max_diseases=4)).run(["diagnosis"])
    assert ("diagnosis:6", "rare-gene") in {(f.item_id, f.kind) for f in loose.findings}


def test_stored_findings_flags_and_rerun(store: GraphStore) -> None:
    build(store)
    result = LeakageAudit(store).run()
    store_audit(store, result)
    assert store.count_nodes("LeakageFinding") == len(result.findings) == 11
    assert store.get(Itm("diagnosis:10")).props["leakFree"] is True
    assert store.get(Itm("diagnosis:1")).props["leakFree"] is False
    [finding] = [store.get(n.node).props for n in store.neighbours([Itm("diagnosis:5")], "HAS_FINDING")]
    assert finding["kind"] == "rare-gene" and finding["path"][-1] == "Disease:10"
    # the mention goes away; a re-run of the same configuration replaces the old findings
    with store.transaction() as tx:
        tx.delete_rels("MENTIONS", [Itm("diagnosis:5")])
    store_audit(store, LeakageAudit(store).run())
    assert store.count_nodes("LeakageFinding") == 10
    assert store.get(Itm("diagnosis:5")).props["leakFree"] is True
    summary = LeakageAudit(store).run().summary()
    assert summary["diagnosis"]["items"] == 11 and summary["diagnosis"]["flagged"] == 7
    assert summary["diagnosis"]["leak-free"] == 4 and summary["examination"]["image-or-case"] == 2


def test_planted_leaks_are_found_and_clean_items_stay_clean(store: GraphStore, release: Path, tmp_path: Path) -> None:
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path))
    result = LeakageAudit(store).run()
    manifest = json.loads((release / "leak_manifest.json").read_text())
    found = {(f.item_id, f.kind) for f in result.findings}
    assert manifest and all((m["itemId"], AUDIT_KIND[m["kind"]]) in found for m in manifest)
    # clean: items in cases without any planted leak (a leak also legitimately flags its case mates)
    case_of = {str(n.start.key): str(n.node.key) for n in store.neighbours([Itm(i) for i in result.audited], "ABOUT")}
    planted_cases = {case_of[m["itemId"]] for m in manifest}
    clean = [i for i in result.audited if case_of[i] not in planted_cases]
    false_positives = [i for i in clean if i in result.leaky]
    assert len(clean) >= 10 and len(false_positives) / len(clean) <= 0.05
    # the same audit on the other store gives the same findings (conformance)
    from mmrare.graph.embedded import EmbeddedStore

    other = with_orphanet(EmbeddedStore(None))
    import_release(release, other, FolderBlobStore(tmp_path))
    assert LeakageAudit(other).run().findings == result.findings


def test_reports_on_the_leak_free_subset(store: GraphStore) -> None:
    from mmrare.importers.predictions import ModelInfo, import_predictions
    from mmrare.scoring.report import collect_rows, stratify

    build(store)
    store_audit(store, LeakageAudit(store).run())
    path = Path(store.name + "-preds.jsonl")
    try:
        path.write_text(
            "".join(
                json.dumps({"item": f"diagnosis:{k}", "prediction": "Marfan syndrome" if k % 2 else "x"}) + "\n"
                for k in range(1, 12)
            )
        )
        run = import_predictions(path, store, ModelInfo("m")).run_id
    finally:
        path.unlink()
    with store.transaction() as tx:
        tx.upsert_nodes(
            "Prediction", [{"predictionId": f"{run}|diagnosis:{k}", "tokenF1": float(k % 2)} for k in range(1, 12)]
        )
    rows = collect_rows(store, [run])
    everything = stratify(rows, "all", "tokenF1", resamples=50)
    clean = stratify(rows, "all", "tokenF1", leak_free_only=True, resamples=50)
    by_leak = {line.group: line.n for line in stratify(rows, "leak", "tokenF1", resamples=50).lines}
    assert everything.lines[0].n == 11 and by_leak == {"leak-free": 3, "leaky": 8}
    # leak-free diagnosis items: 6, 8 and 10 (every other one has a finding)
    leak_free = sorted(
        i.ref.key for i in store.select("Item", [Where("leakFree", "eq", True), Where("track", "eq", "diagnosis")])
    )
    assert leak_free == ["diagnosis:10", "diagnosis:6", "diagnosis:8"]
    assert clean.lines[0].n == 3 and clean.lines[0].mean == 0.0  # their predictions were all "x"
    assert everything.lines[0].mean == pytest.approx(100 * 6 / 11)  # odd k answered right: 1, 3, 5, 7, 9, 11


def test_columns_outside_the_format_are_audited_as_question_side(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    from tests.support.releases import edit

    with_orphanet(store)

    def hints(r: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in r:
            row["hint"] = ""
        r[0]["hint"] = f"Think of {r[0]['answer']}."  # names the answer in a column no track defines
        code = "".join(ch for ch in r[1]["ORPHA_code"] if ch.isdigit())  # ORPHA:558, 558 or Orphanet_558
        r[1]["hint"] = f"Coded ORPHA:{code} in the source."
        return r

    edited = edit(release, tmp_path, "diagnosis", hints)
    import_release(edited, store, FolderBlobStore(tmp_path / "blobs"))
    result = LeakageAudit(store).run(["diagnosis"])
    named = [f for f in result.findings if f.item_id == "diagnosis:0" and f.kind == "direct-name"]
    assert any("the extra:hint names the answer disease" in f.explanation for f in named)
    [answer] = store.neighbours([NodeRef("Item", "diagnosis:1")], "ANSWER_IS")
    coded = [f.path for f in result.findings if f.item_id == "diagnosis:1" and f.kind == "direct-name"]
    assert ("Item:diagnosis:1", "TEXT", f"ORPHA:{answer.node.key}") in coded


def test_generated_phenotype_leaks_and_hard_negatives(tmp_path: Path) -> None:
    """Planted phenotype sets (each strength) are found; clean narratives, even those naming every
    phenotype they may, and look-alike images are not flagged with the kind they imitate."""
    from mmrare.graph.embedded import EmbeddedStore
    from mmrare.importers.benchmark.generator import generate_release

    store = with_orphanet(EmbeddedStore(None))
    generate_release(store, tmp_path / "r", items=240, seed=5, plant_leaks=True, image_size=48)
    import_release(tmp_path / "r", store, FolderBlobStore(tmp_path / "blobs"))
    planted = json.loads((tmp_path / "r" / "leak_manifest.json").read_text())
    negatives = json.loads((tmp_path / "r" / "hard_negatives.json").read_text())
    result = LeakageAudit(store).run()
    found = {(f.item_id, f.kind) for f in result.findings}
    phenotype_plants = {p["itemId"] for p in planted if p["kind"] == "phenotype-set"}
    assert {p["variant"] for p in planted if p["kind"] == "phenotype-set"} == {"single", "combination"}
    assert {i for i, k in found if k == "phenotype-set"} == phenotype_plants
    assert {n["kind"] for n in negatives} == {"phenotype-set", "near-duplicate-image"}
    assert not [n for n in negatives if (n["itemId"], AUDIT_KIND[n["kind"]]) in found]
