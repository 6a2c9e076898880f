"""MRareBench T2 (evidence verification) in the graph, on both stores: its release imported beside the
other tracks, aligned by its orpha_code or its final diagnosis, its prediction files as runs per input
condition, `report --reference` keys and the gold - NoDx comparison worked by hand, the judge's rubric
over HTTP, and bad releases refused whole.

SYNTHETIC rows: the hand release below is made up; the disease names and codes are Orphanet's."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.audit.run import audit_and_store
from mmrare.cli.main import main
from mmrare.core.blobs import FolderBlobStore
from mmrare.core.tracks import select_tracks
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import import_prediction_files
from mmrare.importers.problems import ImportRejected
from mmrare.scoring.condition_runs import graph_contrasts
from mmrare.scoring.conditions import ALL
from mmrare.scoring.reference import collect_reference_rows, reference_scores
from tests.conftest import with_orphanet
from tests.support.mrarebench_t2 import HEADER, MODEL, RELEASE, hand_rows, write_hand_release, write_rows
from tests.support.releases import snapshot


@pytest.fixture
def evidence(store: GraphStore, tmp_path: Path) -> GraphStore:
    """Orphanet and the hand T2 release, with its two runs."""
    with_orphanet(store)
    hand = write_hand_release(tmp_path / "mrarebench")
    import_release(hand, store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    import_prediction_files([hand], store)
    return store


def test_the_release_is_aligned_by_code_or_by_the_given_diagnosis(evidence: GraphStore) -> None:
    refs = [NodeRef("Item", f"evidence:{i}") for i in (1, 2, 3)]
    answers = {str(n.start.key): int(n.node.key) for n in evidence.neighbours(refs, "ANSWER_IS")}
    assert answers == {"evidence:1": 558, "evidence:2": 586, "evidence:3": 399}
    item = evidence.get(refs[0])
    assert item is not None and item.props["finalDiagnosis"] == "Marfan syndrome"
    assert item.props["question"].startswith("Which visible findings")
    assert item.props["answer"] == "Image 1 shows ectopia lentis. Image 2 shows aortic root dilatation. " + (
        "Image 2 shows mitral valve prolapse."
    )
    assert {n.props["dataset"] for n in evidence.select("Run")} == {
        "MRareBench_EvidenceVerif",
        "MRareBench_EvidenceVerif_NoDx",
    }
    # the diagnosis is given by design: naming it in the context is not a leak; stating a required
    # finding is (row 2), and an optional one is not (row 3's 'caudate atrophy' is nowhere on the question side)
    assert item.props["requiredFindings"] == ["ectopia lentis", "aortic root dilatation"]
    result = audit_and_store(evidence, select_tracks(("evidence",), "MRareBench"))
    assert result.audited == ["evidence:1", "evidence:2", "evidence:3"]
    assert not [f for f in result.findings if f.kind == "direct-name"]
    leaks = [(f.item_id, f.kind) for f in result.findings if f.kind == "answer-text"]
    assert leaks == [("evidence:2", "answer-text")]


def test_reference_keys_worked_by_hand(evidence: GraphStore) -> None:
    results = {r.label: r for r in reference_scores(collect_reference_rows(evidence, [], None), None)}
    gold, withheld = results["MRareBench_EvidenceVerif"], results["MRareBench_EvidenceVerif_NoDx"]
    assert gold.track == "evidence" and gold.model == MODEL and gold.values["n_total"] == 3
    # every required point stated word for word in its own sentence (cosine 1); row 3 has none
    assert gold.values["det_required_recall@0.5"] == 1.0
    assert gold.values["det_hierarchical_required_recall"] == 1.0
    # coverage: row 1 cites images 1 and 2 of 2, row 2 image 1 of 1, row 3 image 2 of 1 (out of range)
    assert gold.values["det_image_coverage"] == pytest.approx(2 / 3)
    assert gold.values["det_image_ref_out_of_range_rate"] == pytest.approx(1 / 3)
    # selection only where there is a distractor image: none here (every image is decisive)
    assert gold.values["n_image_select_scored_distractor_subset"] == 0
    # withheld: row 1 recalls 1 of 2 (the second point shares only 'image' with the one sentence), row 2 none
    assert withheld.values["det_required_recall@0.5"] == pytest.approx(0.25)
    assert withheld.values["det_optional_recall@0.5"] == 0.5  # row 3's point, not row 1's


def test_gold_minus_withheld_diagnosis_from_the_graph(evidence: GraphStore) -> None:
    (gain,) = [c for c in graph_contrasts(evidence, [], "det_required_recall@0.5", "none") if c.stratum == ALL]
    p = gain.comparison
    assert gain.model == MODEL and gain.measures.startswith("the diagnosis's gain")
    # items 1 and 2 (item 3 has no required point): gold 1 and 1, withheld 0.5 and 0
    assert p.n == 2 and p.mean_a == pytest.approx(0.25) and p.mean_b == 1.0
    assert p.difference == pytest.approx(0.75)
    # a ranked-list metric has no T2 run to compare
    assert graph_contrasts(evidence, [], "rr", "none") == []


def test_a_bad_release_is_refused_whole(store: GraphStore, tmp_path: Path) -> None:
    blobs = FolderBlobStore(tmp_path / "blobs")
    rows = hand_rows()
    rows[1][10] = json.dumps(["not base64 at all!"])  # row 2: an image that cannot be read
    write_rows(tmp_path / "bad" / RELEASE, rows)
    before = snapshot(store)
    with pytest.raises(ImportRejected) as raised:
        import_release(tmp_path / "bad", store, blobs, benchmark="MRareBench")
    assert "row 2 (index 2): image[0]" in str(raised.value)
    assert snapshot(store) == before
    # a header without the diagnosis, or without any question column, names what is missing
    header = [c for c in HEADER if c not in ("final_diagnosis", "question_open")]
    write_rows(tmp_path / "headless" / RELEASE, [], header)
    with pytest.raises(ImportRejected, match=r"final_diagnosis.*question_open or question"):
        import_release(tmp_path / "headless", store, blobs, benchmark="MRareBench")
    assert snapshot(store) == before


def test_the_rubric_judge_over_http(tmp_path: Path) -> None:
    from tests.fakes.chat_server import completion, running_chat_server

    hand = write_hand_release(tmp_path / "mrarebench")
    graph = f"embedded:{tmp_path / 'graph'}"
    runner = CliRunner()
    with running_chat_server() as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", graph)
        for args in (
            ["import", "benchmark", str(hand), "--benchmark", "MRareBench"],
            ["import", "predictions", str(hand)],
        ):
            assert runner.invoke(main, args).exit_code == 0
        # per row, by its first point: row 1 (two required, one optional) gets five lines in an odd format,
        # row 2's call fails (a 400 is not retried: NO throughout), row 3 (one optional) one line
        server.script = {
            "1. [Image 1] ectopia lentis": [(200, completion("1. YES\n2. no\n3. Yes\n4. no\n5. YES"))] * 2,
            "1. [Image 1] bronchiectasis": [(400, {"error": "refused"})] * 2,
            "1. [Image 1] caudate atrophy": [(200, completion("yes"))] * 2,
        }
        args = ["mrarebench", "score", "--run", MODEL, "--judge-base-url", server.url, "--judge-model", "j-1"]
        result = runner.invoke(main, [*args, "--format", "json"])
        prompts = [r["messages"][-1]["content"] for r in server.requests]
    assert result.exit_code == 0, result.output
    reports = {r["dataset"]: r for r in json.loads(result.stdout)}
    gold = reports["MRareBench_EvidenceVerif"]["reference"]
    # row 1: required [1, 0], optional [1], contradicted [0, 1]; row 2: required [0], contradicted [0]
    assert gold["required_recall"] == pytest.approx(0.25) and gold["optional_recall"] == 1.0
    assert gold["required_contradiction_rate"] == pytest.approx(0.25) and gold["n_judged_required"] == 2
    assert reports["MRareBench_EvidenceVerif"]["by_task_type"] == {
        "multi-image": {"n": 1, "required_recall": 0.5},
        "single-image": {"n": 1, "required_recall": 0.0},
    }
    # each prompt numbers the points and asks for 2 x required + optional lines
    first = next(p for p in prompts if "ectopia lentis" in p)
    assert "Required points (2):\n1. [Image 1] ectopia lentis\n2. [Image 2] aortic root dilatation" in first
    assert "exactly 5 lines" in first and "Marfan syndrome" in first
    assert len(prompts) == 6  # three rows under each of two conditions


def test_files_and_graph_give_the_same_numbers(tmp_path: Path) -> None:
    hand = write_hand_release(tmp_path / "mrarebench")
    runner = CliRunner()
    files = sorted(str(p) for p in hand.glob(f"{MODEL}_*.tsv"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{tmp_path / 'graph'}")
        from_files = runner.invoke(
            main, ["mrarebench", "score", *files, "--release", str(hand / RELEASE), "--format", "json"]
        )
        for args in (
            ["import", "benchmark", str(hand), "--benchmark", "MRareBench"],
            ["import", "predictions", str(hand)],
        ):
            assert runner.invoke(main, args).exit_code == 0
        from_graph = runner.invoke(main, ["mrarebench", "score", "--format", "json"])
        compare = ["mrarebench", "compare", *files, "--release", str(hand / RELEASE), "--by", "none"]
        compared = runner.invoke(main, [*compare, "--metric", "det_required_recall@0.5", "--format", "json"])
        t1_file = tmp_path / "Other_MRareBench_Diagnosis.tsv"
        t1_file.write_text("index\tprediction\n1\tx\n")
        mixed = runner.invoke(main, ["mrarebench", "score", files[0], str(t1_file), "--release", str(hand / RELEASE)])
    assert from_files.exit_code == 0 and from_graph.exit_code == 0, from_files.output + from_graph.output
    by_file = {r["dataset"]: r["reference"] for r in json.loads(from_files.stdout)}
    by_graph = {r["dataset"]: r["reference"] for r in json.loads(from_graph.stdout)}
    assert by_file == by_graph and by_file["MRareBench_EvidenceVerif"]["det_required_recall@0.5"] == 1.0
    (gain,) = [c for c in json.loads(compared.stdout) if c["stratum"] == ALL]
    assert gain["comparison"]["difference"] == pytest.approx(0.75)
    assert mixed.exit_code == 2 and "separate commands" in mixed.output


def test_a_generated_release_scores_as_its_manifest_says(store: GraphStore, tmp_path: Path) -> None:
    from mmrare.core.mrarebench import EVIDENCE_CONDITIONS
    from mmrare.importers.mrarebench_generator import generate_evidence
    from mmrare.scoring.condition_runs import evidence_runs
    from mmrare.scoring.evidence_verification import evaluate_evidence

    with_orphanet(store)
    out = tmp_path / "generated"
    generate_evidence(store, out, 12, ("Gen-A",), 5, tuple(EVIDENCE_CONDITIONS))
    import_release(out, store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    import_prediction_files([out], store)
    manifest = json.loads((out / "evidence_manifest.json").read_text())["Gen-A"]
    recall = {}
    for run in evidence_runs(store, []):
        report = evaluate_evidence(run.model, run.dataset, run.predictions)
        recall[run.dataset] = report.reference["det_required_recall@0.5"]
        for p, row in zip(run.predictions, report.rows, strict=True):
            assert p.gold is not None
            said = manifest[run.dataset][p.index.split(":")[1]]
            required = [k for k, point in enumerate(p.gold.points) if point.required]
            # a required point stated word for word has a sentence with its very terms: cosine 1
            for position, k in enumerate(required):
                if k in said["verbatim"]:
                    assert row["det_required_maxsims"][position] == pytest.approx(1.0)
    assert set(recall) == set(EVIDENCE_CONDITIONS)
    # the generator states points less often without the diagnosis, and least without the images
    assert (
        recall["MRareBench_EvidenceVerif"]
        > recall["MRareBench_EvidenceVerif_NoDx"]
        > recall["MRareBench_EvidenceVerif_TO"]
    )


def test_an_export_of_t2_is_its_release(evidence: GraphStore, tmp_path: Path) -> None:
    from mmrare.graph.subsets import ItemFilter, select_items
    from mmrare.importers.benchmark.export import export_items

    blobs = FolderBlobStore(tmp_path / "blobs")
    items = select_items(evidence, ItemFilter(tracks=("evidence",)))
    assert export_items(evidence, items, blobs, tmp_path / "out") == {"evidence": 3}
    with open(tmp_path / "out" / RELEASE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert [r["question_open"][:20] for r in rows] == ["Which visible findin"] * 3
    assert json.loads(rows[0]["acceptable_evidence_points"])[0]["point"] == "ectopia lentis"
    assert rows[0]["orpha_code"] == "ORPHA:558" and rows[0]["gold_rationale"].startswith("Image 1 shows")
    # importing the export again changes nothing
    before = snapshot(evidence)
    import_release(tmp_path / "out", evidence, blobs, benchmark="MRareBench")
    assert snapshot(evidence) == before
