"""Predictions, scoring and stratified reports on both stores."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import ModelInfo, import_predictions
from mmrare.importers.problems import ImportRejected
from mmrare.scoring.offline_judges import OfflineJudge, OntologyJudge
from mmrare.scoring.report import collect_rows, stratify
from mmrare.scoring.service import score_run
from tests.conftest import with_orphanet
from tests.support.releases import diagnosis_rows

csv.field_size_limit(sys.maxsize)


@pytest.fixture
def loaded(store: GraphStore, release: Path, tmp_path: Path) -> GraphStore:
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path / "blobs"))
    return store


def write_xlsx(path: Path, rows: list[tuple[object, str]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["index", "prediction"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)


def test_prediction_formats_and_idempotent_import(loaded: GraphStore, release: Path, tmp_path: Path) -> None:
    rows = diagnosis_rows(release)
    xlsx = tmp_path / "GPT-x_MMRarebench_Diagnosis.xlsx"
    write_xlsx(xlsx, [(int(r["index"]), r["answer"]) for r in rows])
    first = import_predictions(xlsx, loaded)
    assert (first.model, first.predictions, first.tracks, first.created) == ("GPT-x", len(rows), ("diagnosis",), True)
    before = loaded.stats()
    again = import_predictions(xlsx, loaded)
    assert again.run_id == first.run_id and not again.created and loaded.stats() == before
    tsv = tmp_path / "Other_MMRarebench_Treatment.tsv"
    tsv.write_text("index\tprediction\n0\tgenetic counselling\n1\tnothing\n")
    assert import_predictions(tsv, loaded).tracks == ("treatment",)
    csv_file = tmp_path / "preds.csv"
    csv_file.write_text('index,prediction\n0,"Marfan, perhaps"\n')
    assert import_predictions(csv_file, loaded, ModelInfo("m3"), track="diagnosis").predictions == 1
    jsonl = tmp_path / "preds.jsonl"
    jsonl.write_text(json.dumps({"item": "crossmodal:0", "prediction": "Figure 1 confirms"}) + "\n")
    summary = import_predictions(jsonl, loaded, ModelInfo("m4", family="f", domain="medical", params="7B"))
    assert summary.tracks == ("crossmodal",)
    assert loaded.get(NodeRef("Model", "m4")).props == {
        "name": "m4",
        "family": "f",
        "domain": "medical",
        "params": "7B",
    }
    assert loaded.count_nodes("Run") == 4


def test_unreadable_items_are_named_and_nothing_written(loaded: GraphStore, tmp_path: Path) -> None:
    before = loaded.stats()
    bad = tmp_path / "M_MMRarebench_Diagnosis.tsv"
    bad.write_text("index\tprediction\n0\tok\n999\tx\nseven\ty\n")
    with pytest.raises(ImportRejected) as rejected:
        import_predictions(bad, loaded)
    # an index the graph lacks is no error: the reference scores the row, so it is kept apart (warned)
    assert [(p.record, p.field, p.message) for p in rejected.value.problems] == [
        ("row 3", "index", "cannot tell the item from 'seven'"),
    ]
    assert loaded.stats() == before
    kept = import_predictions(bad, loaded, skip_invalid=True)
    assert kept.predictions == 1 and kept.extra_rows == 1
    assert any(": row 2: index: no item diagnosis:999 in the graph: kept on the run" in w for w in kept.warnings)
    with pytest.raises(ValueError, match="cannot tell the model"):
        import_predictions(tmp_path / "x.jsonl", loaded)
    # an item id of no track cannot be a row any evaluator scores: refused, not kept apart
    nowhere = tmp_path / "nowhere.jsonl"
    nowhere.write_text('{"item": "diagnosis:0", "prediction": "x"}\n{"item": "colour:1", "prediction": "y"}\n')
    with pytest.raises(ImportRejected, match=r"line 2: item: no track 'colour' in 'colour:1'"):
        import_predictions(nowhere, loaded, ModelInfo("M"))


def test_score_cache_rescore_and_report(loaded: GraphStore, release: Path, tmp_path: Path) -> None:
    rows = diagnosis_rows(release)
    # even indexes answered exactly, odd ones with a word that matches nothing
    preds = [(int(r["index"]), r["answer"] if int(r["index"]) % 2 == 0 else "xyzzy") for r in rows]
    path = tmp_path / "Half_MMRarebench_Diagnosis.xlsx"
    write_xlsx(path, preds)
    run_id = import_predictions(path, loaded, ModelInfo("Half", domain="general")).run_id
    n, right = len(preds), sum(1 for i, _ in preds if i % 2 == 0)

    first = score_run(loaded, run_id, OfflineJudge(loaded))
    assert (first.judged, first.cached, first.errors) == (n, 0, 0)
    assert first.token_f1 == pytest.approx(100 * right / n)
    # exact answers align to the gold code: exact, category, specific -> 1.0; 'xyzzy' aligns to nothing -> 0
    assert first.mean_by_track["diagnosis"] == pytest.approx(100 * right / n)
    again = score_run(loaded, run_id, OfflineJudge(loaded))
    assert (again.judged, again.cached) == (0, n)
    assert loaded.count_nodes("Judgement") == n
    # rescoring with another judge reuses the stored predictions
    other = score_run(loaded, run_id, OntologyJudge(loaded))
    assert other.judged == n and loaded.count_nodes("Judgement") == 2 * n
    pred = loaded.get(NodeRef("Prediction", f"{run_id}|diagnosis:0")).props
    assert (pred["tokenF1"], pred["exactMatch"], pred["score_offline"], pred["score_ontology"]) == (1.0, 1.0, 1.0, 1.0)
    judgements = [
        loaded.get(n.node).props for n in loaded.neighbours([NodeRef("Prediction", f"{run_id}|diagnosis:1")], "JUDGED")
    ]
    assert sorted(j["judge"] for j in judgements) == ["offline", "ontology"]
    assert all(j["dims"] == [0, 0, 0] and j["reply"] == "1. NO\n2. NO\n3. NO" and j["score"] == 0.0 for j in judgements)

    report = stratify(collect_rows(loaded, [run_id]), "track", "tokenF1", resamples=200)
    [line] = report.lines
    assert (line.group, line.n, line.mean) == ("diagnosis", n, pytest.approx(100 * right / n))
    assert line.ci_low <= line.mean <= line.ci_high
    by_prev = stratify(collect_rows(loaded, [run_id]), "prevalence", "score_offline", resamples=200)
    assert sum(x.n for x in by_prev.lines) == n  # one headline prevalence per item
    assert by_prev.micro["Half"] == pytest.approx(100 * right / n) and by_prev.runs["Half"] == (run_id,)


def test_report_is_the_same_on_both_stores(loaded: GraphStore, release: Path, tmp_path: Path) -> None:
    from mmrare.graph.embedded import EmbeddedStore

    rows = diagnosis_rows(release)
    path = tmp_path / "A_MMRarebench_Diagnosis.tsv"
    path.write_text("index\tprediction\n" + "".join(f"{r['index']}\t{r['answer'][:12]}\n" for r in rows))
    reference = with_orphanet(EmbeddedStore(None))
    import_release(release, reference, FolderBlobStore(tmp_path / "b2"))
    results = []
    for store in (loaded, reference):
        run_id = import_predictions(path, store).run_id
        score_run(store, run_id, OfflineJudge(store))
        results.append(stratify(collect_rows(store, [run_id]), "head", "score_offline", resamples=300))
    assert results[0] == results[1]
    heads = {line.group for line in results[0].lines}
    codes = {
        n.node.key for n in loaded.neighbours([NodeRef("Item", f"diagnosis:{r['index']}") for r in rows], "ANSWER_IS")
    }
    expected = {
        loaded.get(NodeRef("Disease", h)).props["name"]
        for c in codes
        for h in loaded.get(NodeRef("Disease", c)).props.get("heads", [])
    } or {"no head"}
    assert heads == expected
    assert loaded.neighbours([NodeRef("Run", "x")], "IN_RUN", Direction.IN) == []
