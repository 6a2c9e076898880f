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
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["graph.json.gz", "graph.json.gz.lock", "graph.json.gz.version"]  # no temporary file left
    assert store.get(NodeRef("Gene", "CFTR")) is None  # the failed commit is not half kept in memory either


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


WRITER = textwrap.dedent(
    """
    import sys
    from graph.embedded import EmbeddedStore
    store = EmbeddedStore(sys.argv[1])
    first = int(sys.argv[2])
    for code in range(first, first + 15):  # one commit per node, interleaving with the other writer
        store.upsert_nodes("Disease", [{"orphaCode": code, "name": f"written by {first}"}])
    """
)


def test_two_writing_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.json.gz"
    EmbeddedStore(path).upsert_nodes("Disease", [{"orphaCode": 999, "name": "before"}])
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(first)], cwd=Path(__file__).parents[3])
        for first in (1, 101)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    codes = {n.ref.key for n in EmbeddedStore(path).select("Disease")}
    assert codes == {999, *range(1, 16), *range(101, 116)}


def test_a_reader_sees_another_process_s_commit_without_reopening(tmp_path: Path) -> None:
    path = tmp_path / "g.json.gz"
    server = EmbeddedStore(path)
    assert server.get(NodeRef("Disease", 5)) is None
    cli = EmbeddedStore(path)  # another handle on the file, as another process has
    cli.upsert_nodes("Disease", [{"orphaCode": 5, "name": "from the CLI"}])
    assert server.get(NodeRef("Disease", 5)).props["name"] == "from the CLI"
    server.upsert_nodes("Disease", [{"orphaCode": 6, "name": "from the server"}])
    assert {n.ref.key for n in cli.select("Disease")} == {5, 6}  # the server built on the CLI's write


def test_a_killed_writer_s_temporary_file_is_removed_by_the_next_writer(tmp_path: Path) -> None:
    path = tmp_path / "g.json.gz"
    store = EmbeddedStore(path)
    store.upsert_nodes("Disease", [{"orphaCode": 1, "name": "a"}])
    stale = tmp_path / "g.json.gz.abc123.tmp"
    stale.write_bytes(b"half a graph")
    store.upsert_nodes("Disease", [{"orphaCode": 2, "name": "b"}])
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json.gz", "g.json.gz.lock", "g.json.gz.version"]
