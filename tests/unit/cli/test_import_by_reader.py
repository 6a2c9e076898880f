"""`mmrare import benchmark` runs a benchmark's own reader when its spec names one (core/tracks.py
OwnReader): phenopacket-store's real excerpt (nine packets, BSD-3, tests/fixtures/phenopackets) read
through the generic command gives the graph `mmrare import phenopackets` gives; export names its
items instead of writing a TSV for them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main
from mmrare.graph.embedded import EmbeddedStore
from tests.support.phenopackets import HERE, PACKETS

ORPHANET = [str(HERE / "orphapackets_excerpt.jsonl.gz"), str(HERE / "mondo_ordo_excerpt.robot.tsv")]


def _graph(tmp: Path, *command: str) -> tuple[dict, str]:
    db = tmp / f"{command[1]}.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{db}")
        mp.setenv("MMRARE_DATA_DIR", str(tmp / "data"))
        runner = CliRunner()
        assert runner.invoke(main, ["import", "orphanet", *ORPHANET]).exit_code == 0
        done = runner.invoke(main, list(command))
        assert done.exit_code == 0, done.output
        exported = runner.invoke(main, ["export", "benchmark", str(tmp / f"out-{command[1]}")])
    store = EmbeddedStore(db)
    items = {n.ref.key: n.props for n in store.select("Item")}
    store.close()
    return items, done.output + exported.output


def test_the_generic_command_runs_the_benchmark_s_reader(tmp_path: Path) -> None:
    generic, said = _graph(
        tmp_path, "import", "benchmark", str(PACKETS), "--benchmark", "phenopacket-store", "--release", "0.1.19"
    )
    own, _ = _graph(tmp_path, "import", "phenopackets", str(PACKETS), "--release", "0.1.19")
    assert len(generic) == 9 and generic == own
    assert "phenopacket-store 0.1.19: 9 packets (9 new items)" in said
    assert "diagnoses aligned to Orphanet:" in said
    assert "exported 0 items" in said
    assert "not exported: 9 phenopacket item(s); their release is not a TSV file (`mmrare import phenopackets`" in said


def test_the_reader_s_own_errors_reach_the_user(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{tmp_path / 'g.db'}")
        done = CliRunner().invoke(main, ["import", "benchmark", str(PACKETS), "--benchmark", "phenopacket-store"])
    assert done.exit_code != 0
    assert "name the release (--release VERSION)" in done.output
