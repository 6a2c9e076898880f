from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.api.auth import KeyStore
from mmrare.cli.main import main


def test_demo_fills_an_empty_graph_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_GRAPH", f"embedded:{tmp_path / 'g.db'}")
    monkeypatch.setenv("MMRARE_DATA_DIR", str(tmp_path / "data"))
    first = CliRunner().invoke(main, ["serve", "--demo", "--no-run"])
    assert first.exit_code == 0, first.output
    assert "demo: a generated (synthetic) sample of 60 items" in first.output
    assert first.output.count("scored (") == 3 and "leakage audit" in first.output
    key = next(line.split(": ")[1].strip() for line in first.output.splitlines() if "maintainer key" in line)
    assert KeyStore(tmp_path / "data" / "api_keys.json").authenticate(key).role == "maintainer"
    assert key not in (tmp_path / "data" / "api_keys.json").read_text()  # only the hash is kept
    assert "(open release)" not in first.output  # --no-run serves nothing; the mode is still chosen
    again = CliRunner().invoke(main, ["serve", "--demo", "--no-run"])
    assert again.exit_code == 0 and "scored (" not in again.output
    assert "already has items, so nothing was loaded" in again.output and "mmrare apikey create" in again.output


def test_apikey_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_DATA_DIR", str(tmp_path))
    out = CliRunner().invoke(main, ["apikey", "create", "alice", "--role", "evaluator"])
    assert out.exit_code == 0 and out.output.startswith("mmr_")
    principal = KeyStore(tmp_path / "api_keys.json").authenticate(out.output.strip())
    assert (principal.name, principal.role) == ("alice", "evaluator")
    assert KeyStore(tmp_path / "api_keys.json").authenticate("mmr_wrong") is None
    twice = CliRunner().invoke(main, ["apikey", "create", "alice", "--role", "maintainer"])
    assert twice.exit_code == 2 and "a key named 'alice' exists already" in twice.output


def test_apikey_list_and_revoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    alice = runner.invoke(main, ["apikey", "create", "alice", "--role", "evaluator"]).output.strip()
    runner.invoke(main, ["apikey", "create", "bob", "--role", "maintainer"])
    listed = runner.invoke(main, ["apikey", "list"])
    assert listed.output.splitlines() == ["alice  evaluator", "bob  maintainer"] and "mmr_" not in listed.output
    assert runner.invoke(main, ["apikey", "revoke", "alice"]).output == "revoked the key 'alice'\n"
    assert KeyStore(tmp_path / "api_keys.json").authenticate(alice) is None  # refused at once
    assert runner.invoke(main, ["apikey", "list"]).output == "bob  maintainer\n"
    again = runner.invoke(main, ["apikey", "revoke", "alice"])
    assert again.exit_code == 2 and "no key named 'alice'" in again.output
