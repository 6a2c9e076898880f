from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main


@pytest.fixture
def graph_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "g.db"
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{path}")
    return path


def test_stats_json_counts_every_label(graph_file: Path) -> None:
    from mmrare.graph.embedded import EmbeddedStore

    EmbeddedStore(graph_file).upsert_nodes("Gene", [{"symbol": "FBN1"}, {"symbol": "CFTR"}])
    out = CliRunner().invoke(main, ["graph", "stats", "--format", "json"])
    assert out.exit_code == 0, out.output
    stats = json.loads(out.output)
    assert stats["nodes"]["Gene"] == 2
    assert stats["nodes"]["Disease"] == 0
    assert set(stats["relationships"]) >= {"SUBCLASS_OF", "ANSWER_IS", "MENTIONS"}
    assert stats["generation"] == 1  # one write since the file was made
    EmbeddedStore(graph_file).upsert_nodes("Gene", [{"symbol": "FBN1"}])  # the same again is still a write
    table = CliRunner().invoke(main, ["graph", "stats"]).output
    assert "generation: 2 (moves with every write)" in table


def test_reset_needs_confirmation(graph_file: Path) -> None:
    from mmrare.graph.embedded import EmbeddedStore

    EmbeddedStore(graph_file).upsert_nodes("Gene", [{"symbol": "FBN1"}])
    refused = CliRunner().invoke(main, ["graph", "reset"])
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert EmbeddedStore(graph_file).count_nodes() == 1
    done = CliRunner().invoke(main, ["graph", "reset", "--yes"])
    assert done.exit_code == 0
    assert EmbeddedStore(graph_file).count_nodes() == 0


def test_unreachable_neo4j_is_one_line_naming_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_GRAPH", "neo4j://127.0.0.1:1")
    out = CliRunner().invoke(main, ["graph", "stats"])
    assert out.exit_code == 2
    lines = [line for line in out.output.splitlines() if line]
    assert len(lines) == 1
    assert "neo4j://127.0.0.1:1" in lines[0] and "mmrare neo4j start" in lines[0]


def test_unknown_setting_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_GRAPH", "postgres://x")
    out = CliRunner().invoke(main, ["graph", "stats"])
    assert out.exit_code == 2 and "embedded:<path>" in out.output


def test_version() -> None:
    out = CliRunner().invoke(main, ["--version"])
    assert out.exit_code == 0 and out.output.startswith("mmrare, version ")
