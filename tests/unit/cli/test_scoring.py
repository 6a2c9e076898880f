from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"
csv.field_size_limit(sys.maxsize)


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{tmp_path / 'g.db'}")
    monkeypatch.setenv("MMRARE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(main, ["import", "orphanet", str(FIX)]).exit_code == 0
    assert runner.invoke(main, ["generate", "sample", str(tmp_path / "rel"), "--items", "16"]).exit_code == 0
    assert runner.invoke(main, ["import", "benchmark", str(tmp_path / "rel")]).exit_code == 0
    return tmp_path


def diagnosis_rows(graph: Path) -> list[dict[str, str]]:
    with open(graph / "rel" / "diagnosis" / "diagnosis_opened.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_import_score_report_compare(graph: Path) -> None:
    runner = CliRunner()
    rows = diagnosis_rows(graph)
    good, bad = graph / "Good_MMRarebench_Diagnosis.tsv", graph / "Bad_MMRarebench_Diagnosis.tsv"
    good.write_text("index\tprediction\n" + "".join(f"{r['index']}\t{r['answer']}\n" for r in rows))
    bad.write_text("index\tprediction\n" + "".join(f"{r['index']}\txyzzy\n" for r in rows))
    for path in (good, bad):
        out = runner.invoke(main, ["import", "predictions", str(path), "--domain", "general"])
        assert out.exit_code == 0 and "new run" in out.output, out.output
    runs = runner.invoke(main, ["runs"]).output.split()
    good_id = next(w for w in runs if w.startswith("Good|"))
    bad_id = next(w for w in runs if w.startswith("Bad|"))
    scored = runner.invoke(main, ["score", good_id])
    assert scored.exit_code == 0, scored.output
    assert f"{len(rows)} judged, 0 from cache, 0 judge errors" in scored.output
    assert "diagnosis    judge score 100.00" in scored.output and "token F1    100.00" in scored.output
    assert runner.invoke(main, ["score", bad_id]).exit_code == 0
    table = runner.invoke(main, ["report", "--by", "track", "--resamples", "100"])
    assert table.exit_code == 0
    # four cases are fewer than five: the line says there is no interval (it showed [100.00, 100.00])
    assert ["Good", "diagnosis", str(len(rows)), "100.00", "[no", "interval:", "under", "5", "cases]"] in [
        line.split() for line in table.output.splitlines()
    ]
    as_json = json.loads(
        runner.invoke(
            main, ["report", "--by", "model", "--format", "json", "--resamples", "50", "--metric", "token_f1"]
        ).output
    )
    assert {line["group"]: line["mean"] for line in as_json["lines"]} == {"Good": 100.0, "Bad": 0.0}
    as_csv = runner.invoke(main, ["report", "--format", "csv", "--resamples", "50"]).output.splitlines()
    assert as_csv[0] == "model,runs,group,n,mean,ci_low,ci_high" and len(as_csv) == 3
    compared = runner.invoke(main, ["compare", bad_id, good_id, "--resamples", "500"])
    assert compared.exit_code == 0
    assert f"on {len(rows)} items both answered" in compared.output and "difference B - A +100.00" in compared.output
    assert "(x100, as in report)" in compared.output
    # the same comparison restricted: to a track, and to a class that holds none of the items
    only = runner.invoke(main, ["compare", bad_id, good_id, "--track", "diagnosis", "--format", "json"])
    assert json.loads(only.output)["difference"] == 100.0 and json.loads(only.output)["scale"] == "x100"
    elsewhere = runner.invoke(main, ["compare", bad_id, good_id, "--track", "treatment"])
    assert elsewhere.exit_code == 2 and "share no item" in elsewhere.output
    unknown = runner.invoke(main, ["score", "nope"])
    assert unknown.exit_code == 2 and "'nope' is neither a run nor a model" in unknown.output
    bad_by = runner.invoke(main, ["report", "--by", "colour"])
    assert bad_by.exit_code == 2 and "unknown grouping 'colour'" in bad_by.output


def test_folder_import_and_reference_report(graph: Path) -> None:
    runner = CliRunner()
    rows = diagnosis_rows(graph)
    folder = graph / "outputs" / "Qwen2.5-VL-7B-Instruct"
    folder.mkdir(parents=True)
    lines = [f"{r['index']}\t{'' if k == 0 else r['answer']}\n" for k, r in enumerate(rows)]
    (folder / "Qwen2.5-VL-7B-Instruct_MMRarebench_Diagnosis.tsv").write_text("index\tprediction\n" + "".join(lines))
    (folder / "Qwen2.5-VL-7B-Instruct_MMRarebench_Diagnosis_detailed_metrics.json").write_text("{}")
    imported = runner.invoke(main, ["import", "predictions", str(graph / "outputs")])
    assert imported.exit_code == 0, imported.output
    assert "predictions of Qwen2.5-VL-7B-Instruct (diagnosis)" in imported.output
    assert "1 blank prediction(s) kept as 'nan'" in imported.output
    run_id = next(w for w in runner.invoke(main, ["runs"]).output.split() if w.startswith("Qwen2.5"))
    assert runner.invoke(main, ["score", run_id]).exit_code == 0
    out = runner.invoke(main, ["report", "--reference", "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    n = len(rows)
    assert result["judge"] is None
    expected = {"diagnosis_f1": 100 * (n - 1) / n, "n_total": n, "dropped_without_image": 0, "judge_errors": 0}
    expected |= {"rows_apart": 0, "rows_apart_not_judged": 0, "empty_vocabulary": 0}
    assert result["results"] == {"Qwen2.5-VL-7B-Instruct": {"diagnosis": expected}}
    missing = runner.invoke(main, ["report", "--reference", "--judge", "ontology"])
    assert missing.exit_code == 2 and "have no ontology score; run `mmrare score` first" in missing.output
    text = runner.invoke(main, ["report", "--reference", "--judge", "offline"]).output
    assert "ours (offline, not the reference's judge" in text and "diagnosis_judge_score=" in text


def test_listing_formats_and_refusals(graph: Path) -> None:
    runner = CliRunner()
    rows = diagnosis_rows(graph)
    a, b = graph / "A_MMRarebench_Diagnosis.tsv", graph / "B_MMRarebench_Treatment.tsv"
    a.write_text("index\tprediction\n" + "".join(f"{r['index']}\t{r['answer']}\n" for r in rows))
    b.write_text("index\tprediction\n0\tplan\n")
    assert runner.invoke(main, ["import", "predictions", str(a), str(b)]).exit_code == 0
    listed = json.loads(runner.invoke(main, ["runs", "--format", "json"]).output)
    assert sorted(r["model"] for r in listed) == ["A", "B"] and all("runId" in r for r in listed)
    bad_metric = runner.invoke(main, ["report", "--metric", "bleu"])
    assert bad_metric.exit_code == 2
    assert "'bleu' is not a metric; use one of token_f1, exact, offline" in bad_metric.output
    for run in (r["runId"] for r in listed):
        assert runner.invoke(main, ["score", run]).exit_code == 0
    nothing_shared = runner.invoke(main, ["compare", "A", "B"])
    assert nothing_shared.exit_code == 2 and "share no item" in nothing_shared.output
    same = json.loads(runner.invoke(main, ["compare", "A", "A", "--format", "json", "--resamples", "100"]).output)
    assert (same["n"], same["difference"]) == (len(rows), 0.0)
    table = runner.invoke(main, ["report", "--by", "track", "--resamples", "20"]).output.splitlines()
    assert table[1].split() == ["model", "track", "n", "mean", "95%", "CI"]
    prevalence = runner.invoke(main, ["export", "benchmark", str(graph / "out"), "--prevalence", "1-9/100000"])
    assert prevalence.exit_code == 0  # spaced as Orphanet spaces it, or not
    wrong = runner.invoke(main, ["export", "benchmark", str(graph / "out2"), "--prevalence", "rare"])
    assert wrong.exit_code == 2 and "'1-9 / 100 000'" in wrong.output
    unknown = runner.invoke(main, ["report", "--by", "class", "--under", "999999"])
    assert unknown.exit_code == 2 and "ORPHA:999999 is not in the graph" in unknown.output


def test_score_several_runs_and_describe_models(graph: Path) -> None:
    runner = CliRunner()
    rows = diagnosis_rows(graph)
    for name in ("One", "Two"):
        path = graph / f"{name}_MMRarebench_Diagnosis.tsv"
        path.write_text("index\tprediction\n" + "".join(f"{r['index']}\t{r['answer']}\n" for r in rows))
        assert runner.invoke(main, ["import", "predictions", str(path)]).exit_code == 0
    refused = runner.invoke(main, ["score"])
    assert refused.exit_code == 2 and "name the runs or models to score, or give --all" in refused.output
    by_model = runner.invoke(main, ["score", "One"])  # a model's name scores each of its runs
    assert by_model.exit_code == 0 and by_model.output.startswith("One|MMRarebench_Diagnosis|")
    everything = runner.invoke(main, ["score", "--all"])
    # One's judgements are cached, and Two's identical answers share them (the cache is by prompt)
    assert everything.exit_code == 0 and everything.output.count(f"0 judged, {len(rows)} from cache") == 2
    assert "Two|MMRarebench_Diagnosis|" in everything.output
    unknown = runner.invoke(main, ["score", "Nobody"])
    assert unknown.exit_code == 2 and "'Nobody' is neither a run nor a model" in unknown.output
    described = runner.invoke(main, ["models", "describe", "One", "--family", "Qwen2.5-VL", "--domain", "medical"])
    assert described.output == "One: family=Qwen2.5-VL  domain=medical  params=-\n"
    assert "One  family=Qwen2.5-VL  domain=medical  params=-" in runner.invoke(main, ["models"]).output
    missing = runner.invoke(main, ["models", "describe", "Three", "--params", "7B"])
    assert missing.exit_code == 2 and "no model 'Three'" in missing.output


def test_the_study_s_track_without_its_results_is_refused(graph: Path) -> None:
    # the graph holds MMRareBench runs' items only: the study's table has nothing to show
    out = CliRunner().invoke(main, ["report", "--reference", "--track", "phenopacket"])
    assert out.exit_code == 2
    assert "no run answers the study's track: import its results first" in out.output
