"""Files the authors' evaluators read are read here too, with the same numbers: one test per reading
rule, each from a minimal reproduction (a release and a prediction file of a few rows) and the
reference's expected values worked out by hand from its code (VLMEvalKit `mrarebench.py`,
`image_base.py`).

SYNTHETIC rows; the disease names and ORPHAcodes are Orphanet's (the bundled fixtures)."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main
from mmrare.core.blobs import FolderBlobStore
from mmrare.core.mrarebench import EvidenceGold, EvidencePoint, EvidencePrediction
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.generator import draw_image
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench import read_evidence_release, read_predictions, read_release
from mmrare.importers.predictions import import_prediction_files
from mmrare.importers.problems import ProblemLog
from mmrare.scoring.evidence_verification import evaluate_evidence
from mmrare.scoring.reference import collect_reference_rows, reference_scores
from tests.conftest import FIXTURES, with_orphanet
from tests.support.mrarebench_t2 import HEADER as T2_HEADER
from tests.support.mrarebench_t2 import RELEASE as T2_RELEASE
from tests.support.mrarebench_t2 import hand_rows, write_rows

T1_RELEASE = "diagnosis/diagnosis_opened.tsv"
T1_HEADER = ["index", "question", "context", "answer", "answer_aliases", "ORPHA_code", "image", "image_path"]


def image_cell(seed: int) -> str:
    return json.dumps([base64.b64encode(draw_image(random.Random(seed), 32)).decode()])


def write_t1(root: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A T1 release of (index, answer, ORPHA_code) rows, each with one drawn image."""
    out = [
        [i, "Which disease?", f"SYNTHETIC case {k}.", a, "", code, image_cell(k), "[]"]
        for k, (i, a, code) in enumerate(rows)
    ]
    write_rows(root / T1_RELEASE, out, T1_HEADER)
    return root / T1_RELEASE


def write_predictions(path: Path, rows: list[list[object]], header: tuple[str, ...] = ("index", "prediction")) -> Path:
    write_rows(path, rows, list(header))
    return path


def invoke(args: list[str], graph: Path) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{graph}")
        result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


# 1. ORPHA_code cells the reference never reads: read leniently, never refused

ODD_CODES = [
    ("1", "Marfan syndrome", "558.0"),  # what pandas writes for an integer column with a blank
    ("2", "Cystic fibrosis", "N/A"),  # pandas' missing tokens: no code, align by name
    ("3", "Huntington disease", "unknown"),  # not a code: a warning, align by name
    ("4", "Marfan syndrome", "ORPHA: 558"),
    ("5", "Cystic fibrosis", "orpha:586"),
    ("6", "Marfan syndrome", "ORPHA:558;ORPHA:284963"),  # several codes are several
    ("7", "Marfan syndrome", "558|284963"),
    ("8", "Marfan syndrome", "558, 284963"),
    ("9", "Huntington disease", "NA"),
]


def test_odd_orpha_code_cells_are_read_not_refused_in_files(tmp_path: Path) -> None:
    graph = tmp_path / "g.db"
    assert invoke(["import", "orphanet", str(FIXTURES / "orphanet")], graph)[0] == 0
    release = write_t1(tmp_path / "rel", ODD_CODES)
    preds = write_predictions(tmp_path / "M_MRareBench_Diagnosis.tsv", [[i, f"1. {a}"] for i, a, _ in ODD_CODES])
    code, out, err = invoke(["mrarebench", "score", str(preds), "--release", str(release), "--format", "json"], graph)
    assert code == 0, err
    (report,) = json.loads(out)
    # every row names its answer first: 9 hits at rank 1, as the reference (which never reads the cell) scores
    assert report["reference"]["n_hit"] == 9 and report["reference"]["recall@1"] == 1.0
    # the codes read: 558.0 is 558, spacing and case are tolerated; N/A, NA and 'unknown' align by name
    assert report["grounded"]["grounded_recall@1"] == 1.0
    assert f"{release}: row 3: ORPHA_code: not ORPHA codes: 'unknown' (aligned by name)" in err
    assert err.count("not ORPHA codes") == 1
    gold = read_release(release)
    assert [gold[i].orpha_codes for i in "123456789"] == [
        (558,),
        (),
        (),
        (558,),
        (586,),
        (558, 284963),
        (558, 284963),
        (558, 284963),
        (),
    ]


def test_odd_orpha_code_cells_are_read_not_refused_in_the_graph(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    write_t1(tmp_path / "rel", ODD_CODES)
    summary = import_release(tmp_path / "rel", store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    assert [w for w in summary.warnings if "ORPHA_code" in w] == [
        f"{tmp_path / 'rel' / T1_RELEASE}: row 3 (index 3): ORPHA_code: not ORPHA codes: 'unknown' (aligned by name)"
    ]
    refs = [NodeRef("Item", f"differential:{i}") for i in range(1, 10)]
    found: dict[str, set[tuple[int, str]]] = {}
    for n in store.neighbours(refs, "ANSWER_IS"):
        found.setdefault(str(n.start.key), set()).add((int(n.node.key), n.rel_props["method"]))
    assert found["differential:1"] == {(558, "code")}
    assert found["differential:2"] == {(586, "name-exact")}
    assert found["differential:3"] == {(399, "name-exact")}
    assert found["differential:4"] == {(558, "code")} and found["differential:5"] == {(586, "code")}
    for i in (6, 7, 8):
        assert found[f"differential:{i}"] == {(558, "code"), (284963, "code")}
    assert found["differential:9"] == {(399, "name-exact")}


# 2. A run is one model, one dataset, one file: identical bytes under two conditions are two runs


def test_identical_bytes_under_two_conditions_are_two_runs(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    rows = [("1", "Marfan syndrome", "558"), ("2", "Cystic fibrosis", "586")]
    write_t1(tmp_path / "rel", rows)
    import_release(tmp_path / "rel", store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    replies = [["1", "1. Marfan syndrome"], ["2", "1. Huntington disease"]]
    baseline = write_predictions(tmp_path / "out" / "Blind.Model_MRareBench_Diagnosis.tsv", replies)
    text_only = write_predictions(tmp_path / "out" / "Blind.Model_MRareBench_Diagnosis_TO.tsv", replies)
    assert baseline.read_bytes() == text_only.read_bytes()
    summaries = import_prediction_files([baseline, text_only], store)
    assert [s.created for s in summaries] == [True, True] and len({s.run_id for s in summaries}) == 2
    assert {n.props["dataset"] for n in store.select("Run")} == {"MRareBench_Diagnosis", "MRareBench_Diagnosis_TO"}
    # importing either again changes nothing
    again = import_prediction_files([text_only], store)
    assert [s.created for s in again] == [False] and store.count_nodes("Run") == 2
    results = {r.label: r.values for r in reference_scores(collect_reference_rows(store, [], None), None)}
    # both conditions keep their rows: one hit of two at rank 1
    assert results["MRareBench_Diagnosis"]["recall@1"] == 0.5 == results["MRareBench_Diagnosis_TO"]["recall@1"]


def test_identical_bytes_for_two_mmrarebench_tracks_are_two_runs(
    store: GraphStore, release: Path, tmp_path: Path
) -> None:
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path / "blobs"))
    common = sorted(
        {int(k.split(":")[1]) for k in store.get_many("Item", [f"diagnosis:{i}" for i in range(40)])}
        & {int(k.split(":")[1]) for k in store.get_many("Item", [f"treatment:{i}" for i in range(40)])}
    )
    assert common, "the synthetic release shares indexes between tracks"
    rows = [[i, "same words"] for i in common[:2]]
    a = write_predictions(tmp_path / "out" / "M_MMRarebench_Diagnosis.tsv", rows)
    b = write_predictions(tmp_path / "out" / "M_MMRarebench_Treatment.tsv", rows)
    summaries = import_prediction_files([a, b], store)
    assert [s.tracks for s in summaries] == [("diagnosis",), ("treatment",)]
    assert len({s.run_id for s in summaries}) == 2


# 3. Rows the reference scores and the graph does not have: kept apart, scored by report --reference

T1_ROWS = [("1", "Marfan syndrome", "558"), ("2", "Cystic fibrosis", "586")]


def test_repeated_and_unknown_indexes_are_scored_as_the_reference_does(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    release = write_t1(tmp_path / "rel", T1_ROWS)
    import_release(tmp_path / "rel", store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    header = ("index", "prediction", "answer")
    rows: list[list[object]] = [
        ["1", "1. Marfan syndrome", "Marfan syndrome"],  # hit at 1
        ["1", "1. Cystic fibrosis\n2. Marfan syndrome", "Marfan syndrome"],  # the same index again: hit at 2
        ["9", "1. Huntington disease", "Huntington disease"],  # not in the release: its own answer, hit at 1
        ["2", "1. Huntington disease", "Cystic fibrosis"],  # no hit
    ]
    path = write_predictions(tmp_path / "out" / "M_MRareBench_Diagnosis.tsv", rows, header)
    (summary,) = import_prediction_files([path], store)
    assert summary.predictions == 2 and summary.extra_rows == 2
    assert [w.split(": ")[1:3] for w in summary.warnings] == [["row 2", "index"], ["row 3", "index"]]
    assert "differential:1 repeats row 1" in summary.warnings[0]
    assert "no item differential:9 in the graph" in summary.warnings[1]
    # worked by hand over the four rows in file order: first hits 1, 2, 1, none
    (result,) = reference_scores(collect_reference_rows(store, [], None), None)
    assert result.values["n_total"] == 4 and result.values["n_hit"] == 3 and result.apart == 2
    assert result.values["recall@1"] == 0.5 and result.values["recall@3"] == 0.75
    assert result.values["MRR"] == pytest.approx((1 + 0.5 + 1 + 0) / 4)
    assert result.values["MR"] == pytest.approx(4 / 3)
    # the same numbers from the files, as `mmrare mrarebench score` reads them
    notes = ProblemLog()
    from mmrare.scoring.differential_eval import evaluate

    by_file = evaluate("M", "MRareBench_Diagnosis", read_predictions(path, read_release(release), notes))
    assert by_file.reference == result.values
    assert [(w.record, w.field) for w in notes.warnings] == [("row 2", "index"), ("row 3", "index")]
    # our own item-level reports keep to the items: two predictions in the run
    assert store.count_nodes("Prediction") == 2


# 4. Zero-padded release indexes are the integers pandas reads


def test_zero_padded_indexes_are_read_as_pandas_reads_them(tmp_path: Path) -> None:
    rows = [("001", "Marfan syndrome", "558"), ("002", "Cystic fibrosis", "586"), ("003", "Huntington disease", "399")]
    release = write_t1(tmp_path / "rel", rows)
    # no answer column: the gold can only come from the release, found by index 1, 2, 3
    path = write_predictions(
        tmp_path / "M_MRareBench_Diagnosis.tsv", [[1, "1. Marfan syndrome"], [2, "1. Cystic fibrosis"], [3, "x"]]
    )
    gold = read_release(release)
    assert sorted(gold) == ["1", "2", "3"]
    from mmrare.scoring.differential_eval import evaluate

    report = evaluate("M", "MRareBench_Diagnosis", read_predictions(path, gold))
    assert report.reference["n_hit"] == 2 and report.reference["recall@1"] == pytest.approx(2 / 3)
    # a column with a blank is floats for pandas: '1.0' and 'nan'
    from mmrare.core.pandas_cells import column_texts

    assert column_texts(["001", "", "3"]) == ["1.0", "nan", "3.0"]
    assert column_texts(["001", "a"]) == ["001", "a"]


# 5. T2 rows with an empty image cell: the reference's loader drops them, in both paths


def t2_rows_without_an_image(root: Path) -> Path:
    rows = hand_rows()[:2]
    rows[1][10] = ""  # row 2 (index 2): no image cell
    write_rows(root / T2_RELEASE, rows)
    return root / T2_RELEASE


T2_REPLIES = [[1, "Image 1: ectopia lentis.\nImage 2: aortic root dilatation."], [2, "Nothing to see."]]


def test_t2_rows_without_an_image_cell_are_dropped_from_files(tmp_path: Path) -> None:
    release = t2_rows_without_an_image(tmp_path / "rel")
    notes = ProblemLog()
    gold = read_evidence_release(release, notes)
    assert sorted(gold) == ["1"]
    assert [(w.record, w.field) for w in notes.warnings] == [("1 row(s)", "image")]
    assert "rows 2" in notes.warnings[0].message
    path = write_predictions(tmp_path / "M_MRareBench_EvidenceVerif.tsv", T2_REPLIES)
    from mmrare.importers.mrarebench import read_evidence_predictions

    report = evaluate_evidence("M", "MRareBench_EvidenceVerif", read_evidence_predictions(path, gold))
    # row 1 states both its required points word for word (recall 1); row 2 is scored with nothing:
    # 1.0 over the one row that has the key, as the reference gives (0.5 when row 2 was scored)
    assert report.reference["n_total"] == 2 and report.reference["det_required_recall@0.5"] == 1.0


def test_t2_rows_without_an_image_cell_are_dropped_from_the_graph(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    t2_rows_without_an_image(tmp_path / "rel")
    summary = import_release(tmp_path / "rel", store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    assert summary.items["evidence"] == 1 and summary.dropped_without_image == 1
    path = write_predictions(tmp_path / "out" / "M_MRareBench_EvidenceVerif.tsv", T2_REPLIES)
    (run,) = import_prediction_files([path], store)
    assert run.predictions == 1 and run.extra_rows == 1
    (result,) = reference_scores(collect_reference_rows(store, [], None), None)
    assert result.values["n_total"] == 2 and result.values["det_required_recall@0.5"] == 1.0


# 6. T2 rows without evidence points: scored with none, with a warning


def test_t2_rows_without_points_are_scored_with_none(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    rows = hand_rows()[:2]
    rows[1][6] = json.dumps({"point": "bronchiectasis", "credit": "required"})  # an object, not a list
    write_rows(tmp_path / "rel" / T2_RELEASE, rows)
    summary = import_release(tmp_path / "rel", store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    assert summary.items["evidence"] == 2
    assert any("row 2 (index 2): acceptable_evidence_points: no evidence point" in w for w in summary.warnings)
    path = write_predictions(tmp_path / "out" / "M_MRareBench_EvidenceVerif.tsv", T2_REPLIES)
    import_prediction_files([path], store)
    (result,) = reference_scores(collect_reference_rows(store, [], None), None)
    # row 2 has no required point: recall over row 1 alone (1.0); both rows counted
    assert result.values["n_total"] == 2 and result.values["det_required_recall@0.5"] == 1.0
    # the same from the file
    notes = ProblemLog()
    gold = read_evidence_release(tmp_path / "rel" / T2_RELEASE, notes)
    assert gold["2"].points == () and [(w.record, w.field) for w in notes.warnings] == [
        ("row 2", "acceptable_evidence_points")
    ]


# 7. det_backend among the keys, named as the reference names it, in both paths


def test_det_backend_is_a_reference_key_in_both_paths(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    write_rows(tmp_path / "rel" / T2_RELEASE, hand_rows()[:1])
    import_release(tmp_path / "rel", store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    path = write_predictions(tmp_path / "out" / "M_MRareBench_EvidenceVerif.tsv", T2_REPLIES[:1])
    import_prediction_files([path], store)
    (result,) = reference_scores(collect_reference_rows(store, [], None), None)
    assert list(result.values)[:2] == ["n_total", "det_backend"] and result.values["det_backend"] == "tfidf"
    code, out, err = invoke(
        ["mrarebench", "score", str(path), "--release", str(tmp_path / "rel" / T2_RELEASE), "--format", "json"],
        tmp_path / "g.db",
    )
    assert code == 0, err
    (report,) = json.loads(out)
    assert report["reference"]["det_backend"] == "tfidf" and "backend" not in report
    # a file whose rows all lack a release row names no similarity, as the reference gives None
    nothing = evaluate_evidence("M", "MRareBench_EvidenceVerif", [EvidencePrediction("9", "text", None)])
    assert nothing.reference == {
        "n_total": 1,
        "det_backend": None,
        "n_image_attribution_scored": 0,
        "n_image_select_scored_distractor_subset": 0,
    }


# 8. Texts of only stop words: scikit-learn stops the reference; we score 0 and say how often


def test_rows_of_only_stop_words_are_counted(tmp_path: Path) -> None:
    gold = EvidenceGold("1", "Marfan syndrome", "nan", (EvidencePoint("it is", True, "other"),), 1)
    report = evaluate_evidence(
        "M",
        "MRareBench_EvidenceVerif",
        [EvidencePrediction("1", "It is what it is.", gold), EvidencePrediction("2", "Image 1: lens.", gold)],
    )
    # row 1: the point and the sentence are all stop words (no term: scikit-learn raises); row 2's
    # sentence has terms, so its call fits
    assert report.empty_vocabulary == 1
    assert report.reference["det_required_recall@0.5"] == 0.0
    write_rows(tmp_path / "rel" / T2_RELEASE, hand_rows()[:1])
    rows = [[1, "It is what it is."]]
    release_rows = hand_rows()[:1]
    release_rows[0][6] = json.dumps([{"point": "it is", "credit": "required"}])
    write_rows(tmp_path / "rel2" / T2_RELEASE, release_rows, T2_HEADER)
    path = write_predictions(tmp_path / "M_MRareBench_EvidenceVerif.tsv", rows)
    code, out, _ = invoke(
        ["mrarebench", "score", str(path), "--release", str(tmp_path / "rel2" / T2_RELEASE)], tmp_path / "g.db"
    )
    assert code == 0 and "1 row(s) had a similarity call whose texts are all stop words" in out
