"""A re-run never locks a report: per model and dataset the newest run is reported unless another is
chosen (`mmrare runs use`), and `mmrare runs delete` takes a run with its predictions and judgements,
on both stores. SYNTHETIC release (the seeded generator), real Orphanet fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import import_predictions
from mmrare.scoring.offline_judges import OfflineJudge
from mmrare.scoring.report import collect_rows, stratify
from mmrare.scoring.run_choice import delete_run, reported_runs, resolve_runs, use_run
from mmrare.scoring.service import score_run
from tests.conftest import with_orphanet
from tests.support.releases import diagnosis_rows


def write_tsv(path: Path, rows: list[tuple[int, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("index\tprediction\n" + "".join(f"{i}\t{p}\n" for i, p in rows))
    return path


@pytest.fixture
def rerun(store: GraphStore, release: Path, tmp_path: Path) -> tuple[GraphStore, str, str, int]:
    """One model's diagnosis file imported twice: first every answer wrong, then (a re-run) right."""
    with_orphanet(store)
    import_release(release, store, FolderBlobStore(tmp_path / "blobs"))
    rows = diagnosis_rows(release)
    wrong = write_tsv(tmp_path / "first" / "M_MMRarebench_Diagnosis.tsv", [(int(r["index"]), "xyzzy") for r in rows])
    right = write_tsv(
        tmp_path / "again" / "M_MMRarebench_Diagnosis.tsv", [(int(r["index"]), r["answer"]) for r in rows]
    )
    old = import_predictions(wrong, store).run_id
    new = import_predictions(right, store).run_id
    for run in (old, new):
        score_run(store, run, OfflineJudge(store))
    return store, old, new, len(rows)


def test_the_newest_run_is_reported_and_nothing_locks(rerun: tuple[GraphStore, str, str, int]) -> None:
    store, old, new, _ = rerun
    assert old != new
    # no name, or the model's name, stands for the newest run of each dataset
    assert resolve_runs(store, []) == [new] and resolve_runs(store, ["M"]) == [new]
    report = stratify(collect_rows(store, resolve_runs(store, [])), "track", "tokenF1", resamples=50)
    assert report.runs == {"M": (new,)} and report.micro["M"] == pytest.approx(100.0)
    # a run named by its id is taken as named; both at once still count an item twice, and say so
    assert resolve_runs(store, [old]) == [old]
    with pytest.raises(ValueError, match="several runs answering the same items"):
        stratify(collect_rows(store, [old, new]), "track", "tokenF1", resamples=50)


def test_a_chosen_run_overrides_the_newest(rerun: tuple[GraphStore, str, str, int]) -> None:
    store, old, new, _ = rerun
    assert use_run(store, old) == [new]
    assert resolve_runs(store, []) == [old]
    report = stratify(collect_rows(store, resolve_runs(store, [])), "track", "tokenF1", resamples=50)
    assert report.micro["M"] == 0.0
    # choosing the other undoes it: only one run of a model and dataset is ever chosen
    use_run(store, new)
    assert [n.props.get("chosen") for n in store.select("Run", order_by="runId")].count(True) == 1
    assert resolve_runs(store, ["M"]) == [new]
    with pytest.raises(ValueError, match="no run 'nope'"):
        use_run(store, "nope")


def test_deleting_a_run_takes_its_predictions_and_judgements(rerun: tuple[GraphStore, str, str, int]) -> None:
    store, old, new, n = rerun
    assert store.count_nodes("Prediction") == 2 * n
    judgements = store.count_nodes("Judgement")
    deleted = delete_run(store, old)
    assert deleted[0] == n and store.count_nodes("Prediction") == n and store.count_nodes("Run") == 1
    # the wrong answers' judgements were the old run's own; the right answers' stay with the new run
    assert store.count_nodes("Judgement") == judgements - deleted[1] and deleted[1] > 0
    assert resolve_runs(store, []) == [new]
    assert collect_rows(store, [new]) and len(collect_rows(store, [new])) == n


def test_reported_runs_is_pure_and_per_dataset() -> None:
    runs = [
        {"runId": "a", "model": "M", "dataset": "MRareBench_Diagnosis", "createdAt": "2026-01-01T00:00:00.000001"},
        {"runId": "b", "model": "M", "dataset": "MRareBench_Diagnosis", "createdAt": "2026-01-01T00:00:00.000002"},
        {"runId": "c", "model": "M", "dataset": "MRareBench_Diagnosis_TO", "createdAt": "2026-01-01"},
        {"runId": "d", "model": "N", "tracks": ["diagnosis"], "createdAt": "2025-01-01", "chosen": True},
        {"runId": "e", "model": "N", "tracks": ["diagnosis"], "createdAt": "2026-01-01"},
    ]
    assert reported_runs(runs) == {
        ("M", "MRareBench_Diagnosis"): "b",
        ("M", "MRareBench_Diagnosis_TO"): "c",
        ("N", "diagnosis"): "d",
    }


def test_runs_use_and_delete_from_the_cli(release: Path, tmp_path: Path) -> None:
    graph = f"embedded:{tmp_path / 'g.db'}"
    rows = diagnosis_rows(release)
    first = write_tsv(tmp_path / "a" / "M_MMRarebench_Diagnosis.tsv", [(int(r["index"]), "xyzzy") for r in rows])
    second = write_tsv(tmp_path / "b" / "M_MMRarebench_Diagnosis.tsv", [(int(r["index"]), r["answer"]) for r in rows])
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", graph)
        mp.setenv("MMRARE_DATA_DIR", str(tmp_path / "data"))
        from mmrare.cli.demo import ORPHANET as DEMO_ORPHANET

        for args in (["import", "orphanet", str(DEMO_ORPHANET)], ["import", "benchmark", str(release)]):
            assert runner.invoke(main, args).exit_code == 0
        assert runner.invoke(main, ["import", "predictions", str(first)]).exit_code == 0
        assert runner.invoke(main, ["import", "predictions", str(second)]).exit_code == 0
        listed = json.loads(runner.invoke(main, ["runs", "--format", "json"]).output)
        old, new = (r["runId"] for r in listed)
        assert [r["reported"] for r in listed] == [False, True]
        for run in (old, new):
            assert runner.invoke(main, ["score", run]).exit_code == 0
        report = runner.invoke(main, ["report", "--by", "track", "--metric", "tokenF1", "--resamples", "50"])
        assert report.exit_code == 0, report.output
        assert (
            f"runs: per model and dataset the run chosen with `mmrare runs use`, else the newest: M: {new}"
            in report.output
        )
        used = runner.invoke(main, ["runs", "use", old])
        assert used.exit_code == 0 and f"instead of {new}" in used.output
        assert "reported (chosen)" in runner.invoke(main, ["runs"]).output
        deleted = runner.invoke(main, ["runs", "delete", old, "--yes"])
        assert deleted.exit_code == 0 and f"deleted {old}: {len(rows)} prediction(s)" in deleted.output
        missing = runner.invoke(main, ["runs", "delete", old, "--yes"])
        assert missing.exit_code == 2 and f"no run {old!r}" in missing.output
