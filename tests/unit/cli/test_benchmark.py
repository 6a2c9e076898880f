from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{tmp_path / 'g.db'}")
    monkeypatch.setenv("MMRARE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_generate_import_export(isolated: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["import", "orphanet", str(FIX)]).exit_code == 0
    gen = runner.invoke(
        main, ["generate", "sample", str(isolated / "rel"), "--items", "16", "--seed", "3", "--plant-leaks"]
    )
    assert gen.exit_code == 0, gen.output
    leaks = json.loads((isolated / "rel" / "leak_manifest.json").read_text())
    assert "16 items" in gen.output and f"{len(leaks)} planted leaks" in gen.output
    imported = runner.invoke(main, ["import", "benchmark", str(isolated / "rel")])
    assert imported.exit_code == 0, imported.output
    assert "items 4 diagnosis, 3 treatment, 5 crossmodal, 4 examination" in imported.output
    alignment = "alignment: case 12, code 4; unresolved 0; ambiguous 0 (not linked); unknown codes 0; conflicts 0"
    assert alignment in imported.output
    assert any((isolated / "data" / "blobs").rglob("*"))
    out = runner.invoke(main, ["export", "benchmark", str(isolated / "ex"), "--track", "diagnosis"])
    assert out.exit_code == 0 and "exported 4 items" in out.output
    parquet = runner.invoke(main, ["export", "benchmark", str(isolated / "pq"), "--format", "parquet"])
    assert parquet.exit_code == 0 and "exported 16 items" in parquet.output
    assert sorted(p.name for p in (isolated / "pq").iterdir()) == [
        "crossmodal.parquet", "diagnosis.parquet", "examination.parquet", "treatment.parquet"
    ]  # fmt: skip
    assert (isolated / "ex" / "diagnosis" / "diagnosis_opened.tsv").is_file()
    assert not (isolated / "ex" / "treatment").exists()
    bad = runner.invoke(main, ["export", "benchmark", str(isolated / "ex2"), "--under", "marfan"])
    assert bad.exit_code == 2 and "'marfan' is not an ORPHAcode" in bad.output


def test_generate_needs_orphanet(isolated: Path) -> None:
    out = CliRunner().invoke(main, ["generate", "sample", str(isolated / "rel")])
    assert out.exit_code == 2 and "import Orphanet first" in out.output


def test_import_benchmark_of_an_empty_folder(isolated: Path) -> None:
    (isolated / "empty").mkdir()
    out = CliRunner().invoke(main, ["import", "benchmark", str(isolated / "empty")])
    assert out.exit_code == 2 and "no release file found" in out.output
