from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"


def test_audit_table_json_and_rerun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{tmp_path / 'g.db'}")
    monkeypatch.setenv("MMRARE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    runner.invoke(main, ["import", "orphanet", str(FIX)])
    runner.invoke(main, ["generate", "sample", str(tmp_path / "rel"), "--items", "24", "--plant-leaks"])
    runner.invoke(main, ["import", "benchmark", str(tmp_path / "rel")])
    table = runner.invoke(main, ["audit", "leakage", "--show", "2"])
    assert table.exit_code == 0, table.output
    assert table.output.startswith("leakage audit (config ") and "track" in table.output
    data = json.loads(runner.invoke(main, ["audit", "leakage", "--format", "json"]).output)
    planted = json.loads((tmp_path / "rel" / "leak_manifest.json").read_text())
    flagged = {f["item_id"] for f in data["findings"]}
    assert planted and {p["itemId"] for p in planted} <= flagged
    assert sum(row["items"] for row in data["summary"].values()) == 24
    only = json.loads(runner.invoke(main, ["audit", "leakage", "--track", "treatment", "--format", "json"]).output)
    assert set(only["summary"]) == {"treatment"}
    leak = runner.invoke(main, ["report", "--by", "leak"])
    assert leak.exit_code == 0  # no runs yet: an empty report, not an error
