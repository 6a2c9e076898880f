"""Shared fixtures: the `store` fixture runs a test once on each store (the conformance suite).

Neo4j tests use MMRARE_TEST_NEO4J (default neo4j://127.0.0.1:7687). Without a server they skip with
a message, except in CI (CI=true) or with MMRARE_REQUIRE_NEO4J=1, where they fail.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pytest

from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.errors import StoreUnavailableError
from mmrare.graph.store import GraphStore

if TYPE_CHECKING:
    from tests.support.demo_graph import DemoGraphs

NEO4J_URI = os.environ.get("MMRARE_TEST_NEO4J", "neo4j://127.0.0.1:7687")
FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(os.environ.get("MMRARE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def neo4j_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("MMRARE_REQUIRE_NEO4J") == "1"


class _Neo4jTurn:
    """One test on the test Neo4j at a time, across processes: pytest-xdist's workers (pyproject's
    addopts) and two runs at once all clear the same database. An exclusive lock on a file named
    after the server, held from a test's setup to its teardown; taken again by the holder, it nests."""

    def __init__(self, uri: str) -> None:
        self.path = Path(tempfile.gettempdir()) / f"mmrare-tests-{hashlib.sha256(uri.encode()).hexdigest()[:12]}.lock"
        self.depth = 0
        self.file: IO[str] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        if self.depth == 0:
            self.file = self.path.open("a")
            fcntl.flock(self.file, fcntl.LOCK_EX)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if self.depth == 0 and self.file is not None:
                fcntl.flock(self.file, fcntl.LOCK_UN)
                self.file.close()
                self.file = None


NEO4J_TURN = _Neo4jTurn(NEO4J_URI)


@pytest.fixture(autouse=True)
def _neo4j_turn(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("neo4j") is None:
        yield
        return
    with NEO4J_TURN.held():
        yield


@pytest.fixture(scope="session")
def neo4j_store() -> Iterator[GraphStore]:
    from mmrare.graph.neo4j_store import Neo4jStore

    try:
        store = Neo4jStore(NEO4J_URI)
    except StoreUnavailableError as exc:
        if neo4j_required():
            pytest.fail(f"Neo4j is required here but unavailable: {exc}")
        pytest.skip(f"Neo4j tests skipped: {exc}. Enable them with `mmrare neo4j start`.")
    with NEO4J_TURN.held():  # the constraints, made once per process (a session fixture may come first)
        store.init()
    yield store
    store.close()


def _open(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    if kind == "neo4j":
        store = request.getfixturevalue("neo4j_store")
        store.clear()
        return store
    return EmbeddedStore(tmp_path / "store" / "graph.db")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    """A fresh, empty store of each kind."""
    return _open(request.param, request, tmp_path)


@pytest.fixture
def reopen(store: GraphStore, tmp_path: Path) -> Iterator[Callable[[], GraphStore]]:
    """Open the same graph again, as a new process would (each one closed after the test)."""
    opened: list[GraphStore] = []

    def _reopen() -> GraphStore:
        if isinstance(store, EmbeddedStore):
            opened.append(EmbeddedStore(store.path))
        else:
            from mmrare.graph.neo4j_store import Neo4jStore

            opened.append(Neo4jStore(NEO4J_URI))
        return opened[-1]

    yield _reopen
    for again in opened:
        again.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the full data in {SHARED_DATA}")
    return SHARED_DATA


def with_orphanet(store: GraphStore) -> GraphStore:
    """The store with the bundled real Orphanet fixtures imported."""
    from mmrare.importers.orphanet.detect import read_all
    from mmrare.importers.orphanet.loader import load

    facts, files = read_all([FIXTURES / "orphanet"])
    load(facts, store, files)
    return store


@pytest.fixture(scope="session")
def demo_graphs(tmp_path_factory: pytest.TempPathFactory) -> DemoGraphs:
    """Copies of the demo graph, built at the first copy a process asks for."""
    from tests.support.demo_graph import DemoGraphs

    return DemoGraphs(tmp_path_factory.mktemp("demo-graph"))


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded synthetic 40-item release (with planted leaks) generated from the Orphanet fixtures."""
    from mmrare.importers.benchmark.generator import generate_release

    out = tmp_path_factory.mktemp("release")
    generate_release(with_orphanet(EmbeddedStore(None)), out, items=40, seed=11, plant_leaks=True, image_size=96)
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The dashboard's tests drive a browser: marked `browser` and `slow` by where they live."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests on Neo4j say so in the JUnit report, so CI counts exactly those (not names with 'neo4j')."""
    if item.get_closest_marker("neo4j") is not None:
        item.user_properties.append(("store", "neo4j"))
