"""`mmrare coverage` on the hand-built graph of tests/integration/test_coverage.py, in an embedded file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main
from mmrare.graph.embedded import EmbeddedStore
from tests.support.coverage import hand_built


@pytest.fixture(autouse=True)
def graph_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "g.db"
    store = EmbeddedStore(path)
    hand_built(store)
    store.close()
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{path}")
    return path


def test_coverage_under_a_class_in_each_format() -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["coverage", "--by", "class", "--under", "10"])
    assert table.exit_code == 0, table.output
    assert table.output.startswith("coverage of Orphanet by class under ORPHA:10 (")
    assert "Group twenty       2 items       2 cases      2 publications      2 / 3     (1 uncovered)" in table.output
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["coverage", "--by", "class", "--under", "10",
                                                                   "--format", "csv"]).output)))  # fmt: skip
    assert [(r["benchmark"], r["class"], r["disorders_covered"]) for r in rows] == [
        ("MMRareBench", "Group twenty", "1"),
        ("phenopacket-store r1", "Group twenty", "2"),
    ]
    found = json.loads(runner.invoke(main, ["coverage", "--by", "head", "--format", "json"]).output)
    assert found["under"] is None and found["uncovered"] == {"Head ten": 1, "Head eleven": 1}


def test_a_class_goes_with_by_class() -> None:
    runner = CliRunner()
    alone = runner.invoke(main, ["coverage", "--under", "10"])
    assert alone.exit_code == 2 and "--under CODE goes with --by class" in alone.output
    missing = runner.invoke(main, ["coverage", "--by", "class"])
    assert missing.exit_code == 2 and "--under CODE goes with --by class" in missing.output
    unknown = runner.invoke(main, ["coverage", "--by", "class", "--under", "999"])
    assert unknown.exit_code == 1 and "ORPHA:999 is not in the graph" in unknown.output
