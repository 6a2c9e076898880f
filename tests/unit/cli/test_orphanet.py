from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main

FIX = Path(__file__).parents[2] / "fixtures" / "orphanet"


@pytest.fixture(autouse=True)
def graph_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "g.db"
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{path}")
    return path


def test_import_then_show() -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["import", "orphanet", str(FIX)])
    assert done.exit_code == 0, done.output
    assert "read 8 file(s) as ordo-owl+orphadata-xml+orphapacket" in done.output
    shown = runner.invoke(main, ["orphanet", "show", "ORPHA:166024", "--limit", "2"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "ORPHA:166024  Multiple epiphyseal dysplasia-macrocephaly-facial dysmorphism syndrome"
    assert "  icd10: Q77.3" in lines
    assert "  prevalence (headline): <1 / 1 000 000" in lines
    assert "    KIF7 kinesin family member 7 [Disease-causing germline mutation(s) in]" in lines
    # in the fixture, the product 3 (150) excerpt's root, a parentless Category, is a head
    cdg = runner.invoke(main, ["orphanet", "show", "79318"]).output.splitlines()
    assert (
        "    PMM2-CDG (ORPHA:79318) > Disorder of protein N-glycosylation (ORPHA:309347) > "
        "Congenital disorder of glycosylation (ORPHA:137) > Rare inborn errors of metabolism (ORPHA:68367)"
    ) in cdg


def test_show_unknown_and_malformed_codes() -> None:
    runner = CliRunner()
    runner.invoke(main, ["import", "orphanet", str(FIX / "packets_marfan_sample.json")])
    missing = runner.invoke(main, ["orphanet", "show", "424242"])
    assert missing.exit_code == 1 and "ORPHA:424242 is not in the graph" in missing.output
    bad = runner.invoke(main, ["orphanet", "show", "marfan"])
    assert bad.exit_code == 2 and "'marfan' is not an ORPHAcode" in bad.output


def test_rejected_import_lists_problems_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"Orphapacket": {"ORPHAcode": "x1", "Label": "a"}}\n')
    out = CliRunner().invoke(main, ["import", "orphanet", str(bad)])
    assert out.exit_code == 2
    assert "1 problem(s); nothing was written" in out.output
    assert f"{bad}: line 1: ORPHAcode: not an ORPHAcode: 'x1'" in out.output


def test_unknown_file_format(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    out = CliRunner().invoke(main, ["import", "orphanet", str(odd)])
    assert out.exit_code == 2 and "not a recognised Orphanet file" in out.output
