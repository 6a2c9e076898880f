"""The Python client and the two worked examples against a served demo (uvicorn on loopback)."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from examples import report_by_category, subset_by_class
from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore
from mmrare.api.service import GraphService
from mmrare.client import MMRareClient, MMRareError
from mmrare.graph.subsets import ItemFilter, select_items
from tests.support.demo_graph import DemoGraphs

METABOLISM = 68367  # "Rare inborn errors of metabolism", a head the demo data reaches


@pytest.fixture(scope="module")
def served(demo_graphs: DemoGraphs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, GraphService]]:
    import uvicorn

    tmp = tmp_path_factory.mktemp("client")
    store, blobs = demo_graphs.copy(tmp)
    service = GraphService(store, blobs)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(service, KeyStore(tmp / "k.json"), tmp / "t"), host="127.0.0.1", port=port)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", service
    server.should_exit = True


def test_subset_pages_through_every_item_under_a_class(served: tuple[str, GraphService]) -> None:
    url, service = served
    expected = {str(n.ref.key) for n in select_items(service.store, ItemFilter(under=(METABOLISM,)))}
    assert expected  # the demo has items under this head
    frame = subset_by_class.main(url, METABOLISM)
    assert set(frame["item"]) == expected and frame["item"].is_unique
    with MMRareClient(url) as api:
        diagnosis = api.subset(under=METABOLISM, track="diagnosis", as_frame=False)
        everything = api.subset(as_frame=False)
        successor = api.subset(benchmark="MRareBench", as_frame=False)
    assert {r["item"] for r in diagnosis} == {i for i in expected if i.startswith("diagnosis:")}
    # the demo's 60 MMRareBench items, and MRareBench's 60 T1 and 30 T2
    assert len(everything) == service.store.count_nodes("Item") == 150
    assert Counter((r["benchmark"], r["track"]) for r in successor) == {
        ("MRareBench", "differential"): 60,
        ("MRareBench", "evidence"): 30,
    }


def test_report_by_head_and_by_class(served: tuple[str, GraphService]) -> None:
    url, service = served
    by_head, inside = report_by_category.main(url, METABOLISM)
    from mmrare.api.auth import PUBLIC

    truth = service.report(PUBLIC, [], "head", "score_offline", None, False, 1000)
    assert sorted(zip(by_head["model"], by_head["group"], by_head["n"], strict=True)) == sorted(
        (line.model, line.group, line.n) for line in truth.lines
    )
    assert set(inside["group"]) and "Rare inborn errors of metabolism" not in set(inside["group"])


def test_errors_carry_the_service_message(served: tuple[str, GraphService]) -> None:
    url, _ = served
    with MMRareClient(url) as api, pytest.raises(MMRareError, match="unknown grouping 'colour'"):
        api.report(by="colour")


@pytest.mark.slow  # other processes
def test_the_examples_run_as_scripts(served: tuple[str, GraphService]) -> None:
    import subprocess
    import sys

    url, _ = served
    root = Path(__file__).resolve().parents[2]
    for script in ("examples/subset_by_class.py", "examples/report_by_category.py"):
        done = subprocess.run(
            [sys.executable, script, url, str(METABOLISM)], cwd=root, capture_output=True, text=True, timeout=120,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"ORPHA:{METABOLISM}" in done.stdout
