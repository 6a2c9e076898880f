"""The CLI with two benchmarks in one graph: MRareBench imported beside nothing else but Orphanet,
its prediction folder as runs per input condition, and the same numbers from the graph as from the
files (the hand release of tests/integration/test_mrarebench_graph.py; SYNTHETIC rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mmrare.cli.main import main
from mmrare.importers.predictions import name_dataset, name_parts
from tests.support.mrarebench_t1 import MODEL, write_hand_release

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"


@dataclass(frozen=True)
class Cli:
    """The CLI on one graph, and the hand release's folder."""

    env: dict[str, str]
    hand: Path

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    tmp = tmp_path_factory.mktemp("benchmarks")
    env = {"MMRARE_GRAPH": f"embedded:{tmp / 'g.db'}", "MMRARE_DATA_DIR": str(tmp / "data")}
    hand = write_hand_release(tmp / "mrarebench")
    run = Cli(env, hand)
    assert run("import", "orphanet", str(FIX)).exit_code == 0
    imported = run("import", "benchmark", str(hand), "--benchmark", "MRareBench")
    assert imported.exit_code == 0, imported.output
    assert "items 3 differential" in imported.output and "code 3" in imported.output
    runs = run("import", "predictions", str(hand))
    assert runs.exit_code == 0 and "(differential, MRareBench_Diagnosis_FD)" in runs.output  # the condition said
    return run


def test_runs_name_their_input_condition(cli: Cli) -> None:
    listed = cli("runs").output.splitlines()
    assert sorted(line.split("dataset=")[1].split()[0] for line in listed) == [
        "MRareBench_Diagnosis",
        "MRareBench_Diagnosis_FD",
    ]


def test_reference_keys_of_one_benchmark(cli: Cli) -> None:
    result = cli("report", "--reference", "--benchmark", "MRareBench", "--format", "json")
    assert result.exit_code == 0, result.output
    by_condition = json.loads(result.output)["results"][MODEL]
    assert set(by_condition) == {"MRareBench_Diagnosis", "MRareBench_Diagnosis_FD"}
    baseline = by_condition["MRareBench_Diagnosis"]
    assert (baseline["n_total"], baseline["n_hit"], baseline["MRR"], baseline["MR"]) == (3, 2, 0.5, 1.5)
    assert baseline["recall@1"] == 1 / 3 and baseline["recall@3"] == 2 / 3
    # the other benchmark has no runs: nothing to report there
    other = cli("report", "--reference", "--benchmark", "MMRareBench", "--format", "json")
    assert json.loads(other.output)["results"] == {}


def test_condition_comparison_from_the_graph_equals_the_files(cli: Cli) -> None:
    from_graph = cli("mrarebench", "compare", "--by", "none", "--format", "json")
    files = sorted(str(p) for p in cli.hand.glob("*.tsv"))
    release = str(cli.hand / "diagnosis" / "diagnosis_opened.tsv")
    from_files = cli("mrarebench", "compare", *files, "--release", release, "--by", "none", "--format", "json")
    assert from_graph.exit_code == 0 and from_files.exit_code == 0, from_graph.output + from_files.output
    graph_rows, file_rows = json.loads(from_graph.output), json.loads(from_files.output)
    assert len(graph_rows) == 1 and graph_rows[0]["comparison"]["n"] == 3
    # clusters differ only in name (the graph's cases, the files' rows), each item its own: same numbers
    assert graph_rows == file_rows
    both = cli("mrarebench", "compare", files[0], "--run", MODEL)
    assert both.exit_code == 2 and "not both" in both.output


def test_a_track_outside_the_benchmark_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("export", "benchmark", str(tmp_path / "out"), "--benchmark", "MRareBench", "--track", "diagnosis")
    assert result.exit_code == 2 and "track 'diagnosis' is not in MRareBench" in result.output
    exported = cli("export", "benchmark", str(tmp_path / "out"), "--benchmark", "MRareBench")
    assert exported.exit_code == 0 and "differential 3" in exported.output
    assert (tmp_path / "out" / "diagnosis" / "diagnosis_opened.tsv").is_file()


def test_file_names_give_the_dataset_and_its_track() -> None:
    assert name_dataset("Qwen2.5-VL-7B_MRareBench_Diagnosis_FD.xlsx") == ("Qwen2.5-VL-7B", "MRareBench_Diagnosis_FD")
    assert name_parts("llava_v1.5_7b_mrarebench_diagnosis_to.tsv") == ("llava_v1.5_7b", "differential")
    assert name_parts("GPT-4o_MMRarebench_Diagnosis.json") == ("GPT-4o", "diagnosis")
    assert name_dataset("GPT-4o_MRareBench_Diagnosis_XX.tsv") == (None, None)


def test_scores_from_the_graph_equal_scores_from_the_files(cli: Cli) -> None:
    from_graph = cli("mrarebench", "score", "--format", "json")
    files = sorted(str(p) for p in cli.hand.glob("*.tsv"))
    release = str(cli.hand / "diagnosis" / "diagnosis_opened.tsv")
    from_files = cli("mrarebench", "score", *files, "--release", release, "--format", "json")
    assert from_graph.exit_code == 0 and from_files.exit_code == 0, from_graph.output + from_files.output
    graph_reports = {r["dataset"]: r for r in json.loads(from_graph.output)}
    file_reports = {r["dataset"]: r for r in json.loads(from_files.output)}
    assert set(graph_reports) == {"MRareBench_Diagnosis", "MRareBench_Diagnosis_FD"}
    for dataset, r in graph_reports.items():
        assert r["reference"] == file_reports[dataset]["reference"]
        assert r["grounded"] == file_reports[dataset]["grounded"]
        # the same rows disagree; the graph names them by item id, the files by their index
        assert [d["index"] for d in r["disagreements"]] == [
            f"differential:{d['index']}" for d in file_reports[dataset]["disagreements"]
        ]
    assert graph_reports["MRareBench_Diagnosis"]["reference"]["MRR"] == 0.5  # worked by hand
    mixed = cli("mrarebench", "score", files[0], "--run", MODEL)
    assert mixed.exit_code == 2 and "not both" in mixed.output
