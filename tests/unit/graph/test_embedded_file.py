"""The embedded store's file: all-or-nothing commits across kill -9, many processes on one file,
refusal of foreign files, and the upgrade from the earlier gzip JSON format."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import mmrare.graph.embedded
from mmrare.cli.main import main as mmrare_cli
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.errors import StoreUnavailableError
from mmrare.graph.model import NodeRef

REPO = Path(__file__).resolve().parents[3]
BATCH = 2000

BATCH_WRITER = textwrap.dedent(
    f"""
    import sys
    from mmrare.graph.embedded import EmbeddedStore
    store = EmbeddedStore(sys.argv[1])
    for batch in range(1000):  # big commits, one after another, until killed
        rows = [{{"orphaCode": batch * {BATCH} + i + 1, "name": f"batch {{batch}}"}} for i in range({BATCH})]
        store.upsert_nodes("Disease", rows)
        if batch == 0:
            print("first", flush=True)
    """
)


@pytest.mark.slow  # other processes
def test_kill_9_mid_commit_leaves_whole_commits_only(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    rng = random.Random(2)
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", BATCH_WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline() == "first\n"
        time.sleep(rng.uniform(0.05, 0.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        sizes: dict[str, int] = {}
        for node in EmbeddedStore(path).select("Disease"):
            sizes[node.props["name"]] = sizes.get(node.props["name"], 0) + 1
        assert sizes and set(sizes.values()) == {BATCH}  # every batch whole: none half-written
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert {p.name for p in tmp_path.iterdir()} <= {"graph.db", "graph.db-wal", "graph.db-shm"}


def test_a_failed_commit_writes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    store.upsert_nodes("Gene", [{"symbol": "FBN1"}])
    with pytest.raises(ValueError), store.transaction() as tx:
        tx.upsert_nodes("Gene", [{"symbol": "CFTR"}])
        raise ValueError("the caller gives up")
    from mmrare.graph.errors import MissingEndpointError
    from mmrare.graph.store import RelRow

    with pytest.raises(MissingEndpointError, match="Disease:404"), store.transaction() as tx:
        tx.upsert_nodes("Gene", [{"symbol": "CFTR"}])
        tx.upsert_rels("ASSOCIATED_GENE", [RelRow(NodeRef("Disease", 404), NodeRef("Gene", "CFTR"))])
    assert [n.ref.key for n in EmbeddedStore(tmp_path / "graph.db").select("Gene")] == ["FBN1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a graph at all, just some text", "is not an mmrare graph file"),
        (gzip.compress(b'{"format": "mmrare-graph", "version": 1}', mtime=0), "mmrare graph upgrade"),
    ],
)
def test_foreign_or_old_file_is_refused_with_its_path(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "graph.db"
    path.write_bytes(content)
    with pytest.raises(StoreUnavailableError, match=message) as refused:
        EmbeddedStore(path)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == content  # left as it was


def test_another_program_s_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (id INTEGER)")
    with pytest.raises(StoreUnavailableError, match="another program"):
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
    from mmrare.graph.embedded import EmbeddedStore
    store = EmbeddedStore(sys.argv[1])
    first = int(sys.argv[2])
    for code in range(first, first + 15):  # one commit per node, interleaving with the other writer
        store.upsert_nodes("Disease", [{"orphaCode": code, "name": f"written by {first}"}])
    """
)


@pytest.mark.slow  # other processes
def test_two_writing_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    EmbeddedStore(path).upsert_nodes("Disease", [{"orphaCode": 999, "name": "before"}])
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(first)], cwd=REPO) for first in (1, 101)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    codes = {n.ref.key for n in EmbeddedStore(path).select("Disease")}
    assert codes == {999, *range(1, 16), *range(101, 116)}


def test_a_reader_sees_another_process_s_commit_without_reopening(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    server = EmbeddedStore(path)
    assert server.get(NodeRef("Disease", 5)) is None
    server.upsert_nodes("Disease", [{"orphaCode": 1, "name": "root"}])
    # the server has walked the graph (and cached the walk) before the CLI writes
    assert server.closure([NodeRef("Disease", 1)], "SUBCLASS_OF", include_self=True) == {NodeRef("Disease", 1)}
    cli = EmbeddedStore(path)  # another handle on the file, as another process has
    from mmrare.graph.store import RelRow

    with cli.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 5, "name": "from the CLI"}])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(NodeRef("Disease", 5), NodeRef("Disease", 1))])
    assert server.get(NodeRef("Disease", 5)).props["name"] == "from the CLI"
    # the walk cache of the server is renewed too
    assert server.closure([NodeRef("Disease", 1)], "SUBCLASS_OF", "in") == {NodeRef("Disease", 5)}
    server.upsert_nodes("Disease", [{"orphaCode": 6, "name": "from the server"}])
    assert {n.ref.key for n in cli.select("Disease")} == {1, 5, 6}


def test_a_writer_waits_for_another_and_then_commits(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    store = EmbeddedStore(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of its commit
    done = threading.Event()
    worker = threading.Thread(
        target=lambda: (store.upsert_nodes("Gene", [{"symbol": "FBN1"}]), done.set()), daemon=True
    )
    worker.start()
    time.sleep(0.3)
    assert not done.is_set()  # waiting, not failing
    holder.execute("COMMIT")
    worker.join(timeout=10)
    assert done.is_set() and store.count_nodes("Gene") == 1


def test_a_writer_that_waits_too_long_is_told_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "g.db"
    EmbeddedStore(path)
    monkeypatch.setattr(mmrare.graph.embedded, "WRITE_LOCK_WAIT", 0.2)
    store = EmbeddedStore(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreUnavailableError, match="another process has been writing"):
            store.upsert_nodes("Gene", [{"symbol": "FBN1"}])
    finally:
        holder.execute("ROLLBACK")
    assert store.count_nodes("Gene") == 0


def test_upgrade_copies_an_old_file(tmp_path: Path) -> None:
    old = tmp_path / "old.json.gz"
    doc = {
        "format": "mmrare-graph",
        "version": 1,
        "nodes": [
            ["Disease", 558, {"orphaCode": 558, "name": "Marfan syndrome", "synonyms": ["MFS"]}],
            ["Phenotype", "HP:0001166", {"hpoId": "HP:0001166", "name": "Arachnodactyly"}],
        ],
        "rels": [["HAS_PHENOTYPE", "Disease:558", "Phenotype:HP:0001166", "", {"frequency": "Very frequent"}]],
    }
    old.write_bytes(gzip.compress(json.dumps(doc).encode()))
    new = tmp_path / "new.db"
    done = CliRunner().invoke(mmrare_cli, ["graph", "upgrade", str(old), str(new)])
    assert done.exit_code == 0, done.output
    assert "2 nodes and 1 relationships" in done.output
    store = EmbeddedStore(new)
    assert store.get(NodeRef("Disease", 558)).props == {
        "orphaCode": 558,
        "name": "Marfan syndrome",
        "synonyms": ["MFS"],
    }
    [link] = store.neighbours([NodeRef("Disease", 558)], "HAS_PHENOTYPE")
    assert link.node == NodeRef("Phenotype", "HP:0001166") and link.rel_props == {"frequency": "Very frequent"}
    again = CliRunner().invoke(mmrare_cli, ["graph", "upgrade", str(old), str(new)])
    assert again.exit_code != 0 and "exists" in again.output


def test_properties_read_back_as_written_through_orjson(tmp_path: Path) -> None:
    """orjson encodes and decodes rows on the fast path: non-ASCII text, small floats, the largest and
    smallest 64-bit ints and lists read back as written (a longer int is refused: the conformance test)."""
    store = EmbeddedStore(tmp_path / "graph.db")
    rows = [
        {"orphaCode": 1, "name": "Café-au-lait ß", "prevalence": 1e-05, "mondo": ["MONDO:1", "MONDO:2"]},
        {"orphaCode": 2, "name": "the edges of 64 bits", "size": 2**63 - 1, "sizes": [-(2**63), 2**63 - 1]},
    ]
    store.upsert_nodes("Disease", rows)
    found = store.get_many("Disease", [1, 2])
    assert found[1]["name"] == "Café-au-lait ß" and found[1]["prevalence"] == 1e-05
    assert found[1]["mondo"] == ["MONDO:1", "MONDO:2"]
    assert found[2]["size"] == 9223372036854775807 and found[2]["sizes"] == [-9223372036854775808, 9223372036854775807]
    assert type(found[2]["size"]) is int


def _pragma(store: EmbeddedStore, name: str) -> int:
    with store._connection() as db:
        return int(db.execute(f"PRAGMA {name}").fetchone()[0])


def test_bulk_syncs_once_at_its_end_and_restores_the_settings(tmp_path: Path) -> None:
    """Inside bulk() a commit is written to the log unsynced and nothing is copied into the file
    (synchronous NORMAL, no automatic checkpoint); at the end one checkpoint copies every frame
    (the log is synced first), and the settings are back, after an error too; blocks nest."""
    store = EmbeddedStore(tmp_path / "graph.db")
    full, normal = 2, 1
    assert (_pragma(store, "synchronous"), _pragma(store, "wal_autocheckpoint")) == (full, 1000)
    with store.bulk():
        with store.bulk():  # nested: the outer block's end is the one that syncs
            store.upsert_nodes("Disease", [{"orphaCode": c, "name": f"d{c}"} for c in range(1, 500)])
        assert (_pragma(store, "synchronous"), _pragma(store, "wal_autocheckpoint")) == (normal, 0)
        store.upsert_nodes("Disease", [{"orphaCode": 1000, "name": "last"}])
    assert (_pragma(store, "synchronous"), _pragma(store, "wal_autocheckpoint")) == (full, 1000)
    shutil.copy(tmp_path / "graph.db", tmp_path / "file-alone.db")  # the file without its log
    with sqlite3.connect(tmp_path / "file-alone.db") as alone:
        assert alone.execute("SELECT count(*) FROM node WHERE label = 'Disease'").fetchone()[0] == 500
    with pytest.raises(RuntimeError, match="import failed"), store.bulk():
        raise RuntimeError("import failed")
    assert (_pragma(store, "synchronous"), _pragma(store, "wal_autocheckpoint")) == (full, 1000)


def test_a_page_s_total_is_kept_until_anyone_commits(tmp_path: Path) -> None:
    """The count of a subset is kept between pages; a commit, by this store or another process's,
    makes the next page count again."""
    from mmrare.graph.subsets import ItemFilter

    store = EmbeddedStore(tmp_path / "graph.db")
    rows = [{"itemId": f"diagnosis:{k}", "track": "diagnosis", "index": k, "nImages": k % 3} for k in range(1, 8)]
    store.upsert_nodes("Item", rows)
    two_or_more = ItemFilter(min_images=2)
    assert store.item_page(ItemFilter(), 0, 3)[1] == 7
    assert store.item_page(two_or_more, 0, 3)[1] == 2  # k = 2, 5
    assert store.item_page(ItemFilter(), 3, 3)[1] == 7  # the next page: the count kept
    store.upsert_nodes("Item", [{"itemId": "diagnosis:8", "track": "diagnosis", "index": 8, "nImages": 2}])
    assert store.item_page(two_or_more, 0, 3)[1] == 3
    EmbeddedStore(tmp_path / "graph.db").upsert_nodes(  # another writer, as another process would be
        "Item", [{"itemId": "diagnosis:9", "track": "diagnosis", "index": 9, "nImages": 0}]
    )
    assert store.item_page(ItemFilter(), 0, 3)[1] == 9
