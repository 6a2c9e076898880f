"""The dashboard's leaderboard shows the numbers `mmrare report` prints, cell by cell: a graph with two
models, each with its four per-track VLMEvalKit files (synthetic release and predictions from the
Orphanet fixtures), imported and scored through the CLI, then served and read in Chromium."""

from __future__ import annotations

import csv
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmrare.cli.main import main
from tests.support.browser import CHROMIUM, FLAGS, need_browser

FIX = Path(__file__).parents[1] / "fixtures" / "orphanet"
FILES = {"diagnosis": "Diagnosis", "treatment": "Treatment", "crossmodal": "Crossmodal", "examination": "Examination"}
csv.field_size_limit(sys.maxsize)


def _predictions(release: Path, folder: Path, model: str, keep_every: int) -> None:
    """One VLMEvalKit file per track: the answer for every `keep_every`-th row, else a wrong one."""
    for track, dataset in FILES.items():
        path = next((release / track).glob("*.tsv"))
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        with open(folder / f"{model}_MMRarebench_{dataset}.tsv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
            writer.writerow(["index", "prediction"])
            for k, row in enumerate(rows):
                writer.writerow([row["index"], row["answer"] if k % keep_every == 0 else "an unrelated guess"])


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    need_browser()
    import uvicorn

    from mmrare.api.app import create_app
    from mmrare.api.auth import KeyStore
    from mmrare.api.service import GraphService
    from mmrare.core.blobs import FolderBlobStore
    from mmrare.graph.embedded import EmbeddedStore

    tmp = tmp_path_factory.mktemp("two-models")
    db = tmp / "g.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MMRARE_GRAPH", f"embedded:{db}")
        mp.setenv("MMRARE_DATA_DIR", str(tmp / "data"))
        runner = CliRunner()
        for args in (
            ["import", "orphanet", str(FIX)],
            ["generate", "sample", str(tmp / "rel"), "--items", "40", "--seed", "3"],
            ["import", "benchmark", str(tmp / "rel")],
        ):
            assert runner.invoke(main, args).exit_code == 0, args
        outputs = tmp / "outputs"
        outputs.mkdir()
        _predictions(tmp / "rel", outputs, "Model.A-7B", 2)
        _predictions(tmp / "rel", outputs, "Model-B", 3)
        imported = runner.invoke(main, ["import", "predictions", str(outputs), "--domain", "general"])
        assert imported.exit_code == 0, imported.output
        runs = json.loads(runner.invoke(main, ["runs", "--format", "json"]).output)
        assert len(runs) == 8
        for run in runs:
            assert runner.invoke(main, ["score", run["runId"]]).exit_code == 0
        cli = {}
        for metric in ("offline", "token_f1"):
            args = ["report", "--by", "track", "--metric", metric, "--format", "json"]  # the one default
            out = runner.invoke(main, args)
            assert out.exit_code == 0, out.output
            cli[metric] = json.loads(out.output)
    store = EmbeddedStore(db)
    keys = KeyStore(tmp / "keys.json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(GraphService(store, FolderBlobStore(tmp / "data" / "blobs")), keys, tmp / "thumbs")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}/", "cli": cli}
    server.should_exit = True
    store.close()


def _numbers(text: str) -> list[float]:
    """'62.5 [50.0, 75.0]' -> [62.5, 50.0, 75.0]."""
    return [float(x) for x in text.replace("[", " ").replace("]", " ").replace(",", " ").split()]


def test_leaderboard_cells_equal_mmrare_report(graph: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
        tab.goto(f"{graph['url']}#leaderboard")
        tab.wait_for_selector("main[data-loaded='leaderboard'] #board-token_f1", timeout=15000)
        shown = {}
        for board in ("offline", "token_f1"):
            heads = [h.strip() for h in tab.locator(f"#board-{board} thead th").all_inner_texts()]
            for row in tab.locator(f"#board-{board} tbody tr").all():
                model = row.locator("th").inner_text()
                cells = row.locator("td").all_inner_texts()
                shown[(board, model)] = dict(zip(heads[2:], cells[1:], strict=True))  # after rank and model
        chromium.close()
    compared = 0
    for board in ("offline", "token_f1"):  # a board is named by its metric, as the CLI names it
        report = graph["cli"][board]
        assert report["metric"] == board  # the JSON names the metric as the board and --metric do
        assert {m for (b, m) in shown if b == board} == {"Model.A-7B", "Model-B"} == set(report["micro"])
        for line in report["lines"]:
            cell = _numbers(shown[(board, line["model"])][line["group"]])
            # the page shows one decimal: every number within its rounding of the CLI's
            assert cell == pytest.approx([line["mean"], line["ci_low"], line["ci_high"]], abs=0.05 + 1e-9)
            compared += 1
        for model, micro in report["micro"].items():
            low, high = report["micro_ci_low"][model], report["micro_ci_high"][model]
            own = _numbers(shown[(board, model)]["micro (own items)"])
            assert own == pytest.approx([micro, low, high], abs=0.05 + 1e-9)
            low, high = report["common_micro_ci_low"][model], report["common_micro_ci_high"][model]
            common = _numbers(shown[(board, model)]["common items"])
            assert common == pytest.approx([report["common_micro"][model], low, high], abs=0.05 + 1e-9)
            assert int(shown[(board, model)]["n"]) == report["items"][model]
            compared += 1
    assert compared == 2 * 4 + 2 + 2 * 1 + 2  # judge: 2 models x 4 tracks + micro; F1: diagnosis + micro
