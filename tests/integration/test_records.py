"""The record types of graph/records.py against what the importers really write: every property a
record declares has its declared type on every node of the demo graph (MMRareBench and MRareBench,
SYNTHETIC, scored and audited) and of the real phenopacket excerpt with GPT-4o's answers; every
required property is there, the key typed as the store keys the label."""

from __future__ import annotations

import types
import typing
from pathlib import Path

import pytest

from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NODES
from mmrare.graph.records import RECORDS
from mmrare.graph.store import GraphStore
from mmrare.importers.pheval_results import import_study_results
from tests.support.demo_graph import DemoGraphs
from tests.support.phenopackets import RESULTS, with_packets


def _conforms(value: object, declared: object) -> bool:
    """Whether a stored value has the declared type (str, int, float, bool and lists of them)."""
    origin = typing.get_origin(declared)
    if origin is typing.NotRequired:
        return _conforms(value, typing.get_args(declared)[0])
    if origin is list:
        (entry,) = typing.get_args(declared)
        return isinstance(value, list) and all(_conforms(v, entry) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, option) for option in typing.get_args(declared))
    if declared is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if declared is int:
        return isinstance(value, int) and not isinstance(value, bool)
    assert isinstance(declared, type)
    return isinstance(value, declared)


def _mismatches(store: GraphStore) -> list[str]:
    out = []
    for label, record in RECORDS.items():
        hints = typing.get_type_hints(record, include_extras=True)
        # (TypedDict's own __required_keys__ misses NotRequired in postponed annotations: read the hints)
        required = {name for name, hint in hints.items() if typing.get_origin(hint) is not typing.NotRequired}
        key = NODES[label].key
        assert key in required and hints[key] is NODES[label].key_type, label
        for node in store.select(label):
            out += [f"{label} {node.ref.key}: no {name}" for name in sorted(required - set(node.props))]
            for name, declared in hints.items():
                if name in node.props and not _conforms(node.props[name], declared):
                    out.append(f"{label} {node.ref.key}: {name} = {node.props[name]!r} is not {declared}")
    return out


@pytest.fixture(scope="module")
def demo(demo_graphs: DemoGraphs, tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    store, _ = demo_graphs.copy(tmp_path_factory.mktemp("demo"))
    return store


def test_the_demo_graph_matches_the_record_types(demo: GraphStore) -> None:
    assert {label: demo.count_nodes(label) > 0 for label in RECORDS} == dict.fromkeys(RECORDS, True)
    assert _mismatches(demo) == []


def test_the_phenopacket_graph_matches_the_record_types(tmp_path: Path) -> None:
    store = with_packets(EmbeddedStore(None))
    import_study_results([RESULTS], store, model="gpt-4o")
    assert store.count_nodes("Prediction") > 0
    assert _mismatches(store) == []


def test_a_wrong_type_is_named() -> None:
    store = EmbeddedStore(None)
    store.upsert_nodes("Item", [{"itemId": "diagnosis:1", "track": "diagnosis", "index": "1", "aliases": "MFS"}])
    store.upsert_nodes("Case", [{"caseId": "case:1", "groupedBy": [1]}])
    store.upsert_nodes("Run", [{"runId": "r1"}])
    assert _mismatches(store) == [
        "Item diagnosis:1: index = '1' is not <class 'int'>",
        "Item diagnosis:1: aliases = 'MFS' is not typing.NotRequired[list[str]]",
        "Run r1: no model",
        "Case case:1: groupedBy = [1] is not typing.NotRequired[list[str]]",
    ]
