"""A VLMEvalKit output folder imported as it is, each model's four track files pooled into one
evaluation, and `report --reference` reproducing the reference's evaluate() keys, on both stores.

The judge is the openai judge against a local chat-completions server whose replies are scripted
per prediction, so every expected number below is worked by hand from the reply rules.
"""

from __future__ import annotations

import base64
import csv
import json
import shutil
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import import_prediction_files
from mmrare.importers.problems import ImportRejected
from mmrare.scoring.offline_judges import RubricListJudge
from mmrare.scoring.openai_judge import OpenAIJudge, OpenAISettings
from mmrare.scoring.reference import collect_reference_rows, reference_scores
from mmrare.scoring.report import collect_rows, stratify
from mmrare.scoring.run_choice import resolve_runs, use_run
from mmrare.scoring.service import score_run
from tests.conftest import with_orphanet
from tests.fakes.chat_server import completion, running_chat_server

csv.field_size_limit(sys.maxsize)
TRACK_FILES = {
    "diagnosis": "diagnosis/diagnosis_opened.tsv",
    "treatment": "treatment/treatment_plan.tsv",
    "crossmodal": "crossmodal/crossmodal_comparison.tsv",
    "examination": "examination/examination_workup.tsv",
}
DATASETS = {t: t.capitalize() for t in TRACK_FILES}
QWEN, LLAVA = "Qwen2.5-VL-7B-Instruct", "llava_v1.5_7b"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def write_tsv(path: Path, rows: list[dict[str, str]]) -> None:
    """A release file written back as the generator writes it (read_tsv's rows, edited)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_predictions(path: Path, rows: list[tuple[int, str | None]]) -> None:
    """As VLMEvalKit writes them: xlsx (sheet 1), tsv (every cell quoted) or json (list of records)."""
    if path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append(["index", "question", "prediction"])
        for index, text in rows:
            sheet.append([index, "q", text])
        book.save(path)
    elif path.suffix == ".tsv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_ALL)
            writer.writerow(["index", "answer", "prediction"])
            writer.writerows([(index, "a", "" if text is None else text) for index, text in rows])
    else:
        records = [{"index": index, "prediction": float("nan") if text is None else text} for index, text in rows]
        path.write_text(json.dumps(records), encoding="utf-8")


@pytest.fixture
def evaluated(store: GraphStore, release: Path, tmp_path: Path) -> tuple[GraphStore, dict[str, list[dict]], Path]:
    """The release with one examination row read from image_path (no image cell), and a VLMEvalKit
    output folder for two models with dotted names, four track files each."""
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    exam = read_tsv(copy / TRACK_FILES["examination"])
    first = exam[0]
    for rel, b64 in zip(json.loads(first["image_path"]), json.loads(first["image"]), strict=True):
        target = copy / "examination" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(b64))
    first["image"] = ""
    write_tsv(copy / TRACK_FILES["examination"], exam)
    with_orphanet(store)
    import_release(copy, store, FolderBlobStore(tmp_path / "blobs"))
    rows = {t: read_tsv(copy / f) for t, f in TRACK_FILES.items()}

    out = tmp_path / "outputs" / QWEN / "T20260101_G0"
    out.mkdir(parents=True)
    suffix = {"diagnosis": ".xlsx", "treatment": ".tsv", "crossmodal": ".json", "examination": ".xlsx"}
    for track, track_rows in rows.items():
        if track == "diagnosis":  # the gold answers, and one blank cell
            preds = [(int(r["index"]), None if k == 0 else r["answer"]) for k, r in enumerate(track_rows)]
        else:
            preds = [(int(r["index"]), f"Q-{track} {r['answer']}") for r in track_rows]
        write_predictions(out / f"{QWEN}_MMRarebench_{DATASETS[track]}{suffix[track]}", preds)
        other = [(int(r["index"]), f"L-{track} nothing useful") for r in track_rows]
        write_predictions(out.parent.parent / f"{LLAVA}_MMRarebench_{DATASETS[track]}.tsv", other)
    # what VLMEvalKit also leaves in its folders: score files and judge outputs, never predictions
    (out / f"{QWEN}_MMRarebench_Diagnosis_detailed_metrics.json").write_text('{"diagnosis_f1": 1}')
    (out / f"{QWEN}_MMRarebench_Treatment_gpt-4o.csv").write_text("index,judge_score\n0,1\n")
    return store, rows, tmp_path / "outputs"


# Scripted judge replies, each keyed by a word of the prediction, with the score the rules give it.
REPLIES = {
    "Q-treatment": ("yes no yes no yes yes", 4 / 6),
    "Q-crossmodal": ("Relation judged: 3/4.5", 0.75),  # the denominator is an integer: 3/4
    "Q-examination": ("1. 2\n2. 1\n3. 0\n4. 2\n5. 1\n6. 1\n7. 2\n8. 0", 10 / 16),  # list numbers count
    "L-diagnosis": ("NO\nYES\nNO", 0.1),  # (1 + 0) / 10
    "L-treatment": ("Score: 0.75", 0.75),  # the 0/1 decimal anywhere
    "L-crossmodal": ("about 150%", 1.0),  # clamped
}
# Q's diagnosis prompts match no key: the server answers YES YES YES, which scores 1.0.
# L's examination calls fail with HTTP 400: scored 0 and counted as errors.


def score_all(store: GraphStore, sizes: dict[str, int]) -> None:
    with running_chat_server() as server:
        for key, (reply, _) in REPLIES.items():
            server.script[key] = [(200, completion(reply))] * 20
        server.script["L-examination"] = [(400, {"error": "bad request"})] * sizes["examination"]
        judge = OpenAIJudge(OpenAISettings(server.url, "judge-model", backoff=0.01))
        for run in store.select("Run"):
            score_run(store, str(run.ref.key), judge)


def test_vlmevalkit_folder_pools_and_matches_the_reference(
    evaluated: tuple[GraphStore, dict[str, list[dict]], Path],
) -> None:
    store, rows, outputs = evaluated
    summaries = import_prediction_files([outputs], store)
    assert sorted((s.model, s.tracks) for s in summaries) == sorted(
        [(m, (t,)) for m in (QWEN, LLAVA) for t in TRACK_FILES]
    )
    blank = {(s.model, s.tracks[0]): s.blank for s in summaries}
    assert blank[(QWEN, "diagnosis")] == 1 and sum(blank.values()) == 1
    sizes = {t: len(r) for t, r in rows.items()}
    nd, nt, nc, ne = (sizes[t] for t in TRACK_FILES)
    assert import_prediction_files([outputs], store)[0].created is False  # re-import changes nothing

    # no judge: diagnosis F1 (the blank cell reads "nan" and scores 0), substring_match elsewhere
    plain = {(r.model, r.track): r for r in reference_scores(collect_reference_rows(store, [], None), None)}
    assert plain[(QWEN, "diagnosis")].values == {"diagnosis_f1": 100 * (nd - 1) / nd, "n_total": nd}
    assert plain[(QWEN, "treatment")].values == {"substring_match": 1.0, "n_total": nt}
    assert plain[(LLAVA, "crossmodal")].values == {"substring_match": 0.0, "n_total": nc}
    # the examination row without an image cell is dropped, as the reference drops it
    assert plain[(QWEN, "examination")].values == {"substring_match": 1.0, "n_total": ne - 1}
    assert plain[(QWEN, "examination")].dropped_without_image == 1

    score_all(store, sizes)
    judged = {(r.model, r.track): r for r in reference_scores(collect_reference_rows(store, [], "openai"), "openai")}
    assert judged[(QWEN, "diagnosis")].values == {
        "diagnosis_judge_score": 1.0,
        "diagnosis_f1": 100 * (nd - 1) / nd,
        "n_total": nd,
    }
    assert judged[(QWEN, "treatment")].values["treatment_judge_score"] == pytest.approx(4 / 6)
    assert judged[(QWEN, "crossmodal")].values["crossmodal_judge_score"] == pytest.approx(0.75)
    assert judged[(QWEN, "examination")].values == {"examination_judge_score": 10 / 16, "n_total": ne - 1}
    llava_diagnosis = judged[(LLAVA, "diagnosis")].values
    assert llava_diagnosis == {"diagnosis_judge_score": pytest.approx(0.1), "diagnosis_f1": 0.0, "n_total": nd}
    assert judged[(LLAVA, "treatment")].values["treatment_judge_score"] == pytest.approx(0.75)
    assert judged[(LLAVA, "crossmodal")].values["crossmodal_judge_score"] == 1.0
    assert judged[(LLAVA, "examination")].values["examination_judge_score"] == 0.0
    assert judged[(LLAVA, "examination")].judge_errors == ne - 1  # the dropped row's error is not counted

    # one model, one evaluation: two lines by model, micro over all four tracks' items
    report = stratify(collect_rows(store), "model", "score_openai", resamples=50)
    assert [line.group for line in report.lines] == [QWEN, LLAVA]  # by name, as code points sort
    assert all(len(line.runs) == 4 for line in report.lines)
    total = nd + nt + nc + ne
    assert report.micro[QWEN] == pytest.approx(100 * (nd * 1.0 + nt * 4 / 6 + nc * 0.75 + ne * 10 / 16) / total)
    assert report.micro[LLAVA] == pytest.approx(100 * (nd * 0.1 + nt * 0.75 + nc * 1.0 + ne * 0.0) / total)
    by_track = stratify(collect_rows(store), "track", "score_openai", resamples=50)
    assert {(line.model, line.group): line.n for line in by_track.lines}[(QWEN, "examination")] == ne
    assert by_track.macro[QWEN] == pytest.approx(100 * (1.0 + 4 / 6 + 0.75 + 10 / 16) / 4)


def test_a_rerun_is_reported_newest_first_or_as_chosen(
    evaluated: tuple[GraphStore, dict[str, list[dict]], Path], tmp_path: Path
) -> None:
    store, rows, outputs = evaluated
    first = {s.tracks[0]: s.run_id for s in import_prediction_files([outputs], store) if s.model == QWEN}
    rerun = tmp_path / "rerun" / f"{QWEN}_MMRarebench_Diagnosis.tsv"
    rerun.parent.mkdir()
    write_predictions(rerun, [(int(r["index"]), "a second try") for r in rows["diagnosis"]])
    (second,) = import_prediction_files([rerun], store)
    for run in store.select("Run"):  # token F1 comes with any scoring
        score_run(store, str(run.ref.key), RubricListJudge())
    # every run at once would count the diagnosis items twice, and says so
    with pytest.raises(ValueError, match=r"several runs answering the same items \(Qwen2.5-VL-7B-Instruct: "):
        stratify(collect_rows(store), "model", "tokenF1", resamples=10)
    # the model stands for its newest run per dataset: the re-run, and the three other tracks
    reported = resolve_runs(store, [QWEN])
    assert len(reported) == 4 and second.run_id in reported and first["diagnosis"] not in reported
    nd = len(rows["diagnosis"])
    second_try = stratify(collect_rows(store, reported), "track", "tokenF1", resamples=10)
    assert [line.mean for line in second_try.lines if line.model == QWEN and line.group == "diagnosis"] == [0.0]
    # choosing the first diagnosis run puts it back
    use_run(store, first["diagnosis"])
    first_try = stratify(collect_rows(store, resolve_runs(store, [QWEN])), "track", "tokenF1", resamples=10)
    diagnosis = [line.mean for line in first_try.lines if line.model == QWEN and line.group == "diagnosis"]
    assert diagnosis == [pytest.approx(100 * (nd - 1) / nd)]  # gold answers but one blank


def test_bad_prediction_files_write_nothing(
    evaluated: tuple[GraphStore, dict[str, list[dict]], Path], tmp_path: Path
) -> None:
    store, rows, outputs = evaluated
    before = store.stats()
    bad = tmp_path / "bad" / f"{QWEN}_MMRarebench_Treatment.tsv"
    bad.parent.mkdir()
    index = int(rows["treatment"][0]["index"])
    bad.write_text(f"index\tprediction\n{index}\tfirst\nseven\tsecond\n")
    with pytest.raises(ImportRejected) as rejected:
        import_prediction_files([outputs, bad], store)  # eight good files and one bad: nothing is written
    (problem,) = rejected.value.problems
    assert (problem.file, problem.record, problem.field) == (str(bad), "row 2", "index")
    assert "cannot tell the item from 'seven'" in problem.message
    assert store.stats() == before
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing here")
    with pytest.raises(
        FileNotFoundError,
        match=r"no <model>_<dataset>\.xlsx|tsv|json|csv file in this folder \(datasets: MMRarebench_Diagnosis",
    ):
        import_prediction_files([empty], store)


def test_a_gold_answer_pandas_reads_as_missing_is_nan(store: GraphStore, release: Path, tmp_path: Path) -> None:
    """The reference reads the answer column with pandas, so a gold "NA" or "None" is NaN, whose str()
    is "nan": worked by hand, "na" against it scores 0 (it scored 1 against "NA" read as text) and
    "none given" 0 (2/3 against "None")."""
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    diagnosis = read_tsv(copy / TRACK_FILES["diagnosis"])
    diagnosis[0]["answer"], diagnosis[1]["answer"] = "NA", "None"
    write_tsv(copy / TRACK_FILES["diagnosis"], diagnosis)
    with_orphanet(store)
    import_release(copy, store, FolderBlobStore(tmp_path / "blobs"))
    answers = ["na", "none given"] + [r["answer"] for r in diagnosis[2:]]
    predictions = tmp_path / "out" / f"{QWEN}_MMRarebench_Diagnosis.tsv"
    predictions.parent.mkdir()
    write_predictions(predictions, [(int(r["index"]), a) for r, a in zip(diagnosis, answers, strict=True)])
    import_prediction_files([predictions], store)

    rows = collect_reference_rows(store, [], None)
    gold = {row.prediction: row.answer for row in rows}
    assert gold["na"] == gold["none given"] == "nan"
    nd = len(diagnosis)
    (result,) = reference_scores(rows, None)
    assert result.values == {"diagnosis_f1": pytest.approx(100 * (nd - 2) / nd), "n_total": nd}
