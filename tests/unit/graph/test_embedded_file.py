"""The embedded store's file: atomic replacement, crash safety, refusal of foreign files."""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailableError
from graph.model import NodeRef

CRASHING_WRITER = textwrap.dedent(
    """
    import os, sys
    from graph.embedded import EmbeddedStore
    store = EmbeddedStore(sys.argv[1])
    store.upsert_nodes("Disease", [{"orphaCode": 1, "name": "committed"}])
    # Die (no cleanup, no exception handlers) in the middle of the next commit, after the
    # temp file is written but before it replaces the graph file.
    os.fsync = lambda fd: os._exit(17)
    store.upsert_nodes("Disease", [{"orphaCode": 2, "name": "lost"}])
    """
)


def test_crash_mid_write_leaves_previous_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "graph.json.gz"
    done = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(path)], capture_output=True, text=True)
    assert done.returncode == 17, done.stderr
    store = EmbeddedStore(path)
    assert store.get(NodeRef("Disease", 1)).props["name"] == "committed"
    assert store.get(NodeRef("Disease", 2)) is None


def test_failed_save_keeps_file_and_removes_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph.json.gz"
    store = EmbeddedStore(path)
    store.upsert_nodes("Gene", [{"symbol": "FBN1"}])
    before = path.read_bytes()

    def refuse(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("graph.embedded.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        store.upsert_nodes("Gene", [{"symbol": "CFTR"}])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json.gz"]


def test_same_graph_gives_same_bytes(tmp_path: Path) -> None:
    a, b = EmbeddedStore(tmp_path / "a.json.gz"), EmbeddedStore(tmp_path / "b.json.gz")
    for store in (a, b):
        store.upsert_nodes("Gene", [{"symbol": "FBN1", "name": "fibrillin 1"}])
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


@pytest.mark.parametrize("content", [b"not gzip at all", gzip.compress(b'{"format": "other"}'), gzip.compress(b"{")])
def test_foreign_or_corrupt_file_is_refused_with_its_path(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "graph.json.gz"
    path.write_bytes(content)
    with pytest.raises(StoreUnavailableError, match=str(path)):
        EmbeddedStore(path)


def test_memory_store_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = EmbeddedStore(None)
    store.upsert_nodes("Gene", [{"symbol": "FBN1"}])
    assert store.count_nodes("Gene") == 1
    assert list(tmp_path.iterdir()) == []
