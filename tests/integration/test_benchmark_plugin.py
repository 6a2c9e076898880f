"""A benchmark brought by an installed package (tests/fixtures/plugin, SYNTHETIC): its own module and
one `mmrare.benchmarks` entry point, no change to the service. In a fresh interpreter whose path holds
the package and its dist-info, the benchmark is read, aligned, exported and read back, scored by the
reference's rule its spec names, judged by the offline judge it names, and listed by GraphQL.

Hand-worked: the three predictions' best token F1 over answer and aliases are 1 ("Marfan syndrome"
for Marfan syndrome), 2/3 ("marfan": precision 1, recall 1/2) and 0 (a blank answer is read as
'nan', as the reference reads it), so syndrome_f1 = (1 + 2/3 + 0) / 3 x 100 = 55.5...%."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SCRIPT = r"""
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient

from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore
from mmrare.api.service import GraphService
from mmrare.core.blobs import FolderBlobStore
from mmrare.core.tracks import BENCHMARKS
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NodeRef
from mmrare.importers.benchmark.export import export_items
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.predictions import import_prediction_files
from mmrare.scoring.offline_judges import OfflineJudge
from mmrare.scoring.reference import collect_reference_rows, reference_scores
from mmrare.scoring.service import score_run

work, fixtures = Path(sys.argv[1]), Path(sys.argv[2])
facts, files = read_all([fixtures / "orphanet"])


def fresh():
    store = EmbeddedStore(None)
    load(facts, store, files)
    return store


blobs = FolderBlobStore(work / "blobs")
store = fresh()
summary = import_release(work / "release", store, blobs, benchmark="ExampleBench")
items = {n.ref.key: n.props for n in store.select("Item")}
answer_is = {str(n.start.key): n.node.key for n in store.neighbours([NodeRef("Item", k) for k in items], "ANSWER_IS")}
written = export_items(store, store.select("Item"), blobs, work / "export")
again = fresh()
import_release(work / "export", again, blobs, benchmark="ExampleBench")
(run,) = import_prediction_files([work / "gen-model_ExampleBench_Syndrome.tsv"], store)
judged = score_run(store, run.run_id, OfflineJudge(store))
keys = reference_scores(collect_reference_rows(store, [run.run_id], None), None)
client = TestClient(create_app(GraphService(store, blobs), KeyStore(work / "keys.json"), work / "thumbs"))
query = "{ benchmarks { name tracks { name reference metrics } boards { metric } } }"
listed = client.post("/graphql", json={"query": query})
print(json.dumps({
    "benchmarks": list(BENCHMARKS),
    "items": sorted(items),
    "answer_is": answer_is,
    "written": written,
    "same_after_export": {n.ref.key: n.props for n in again.select("Item")} == items,
    "run_tracks": list(run.tracks),
    "judged": judged.judged,
    "keys": [(k.model, k.label, k.values) for k in keys],
    "graphql": listed.json(),
}))
"""


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def _installed(site: Path, entry: str) -> None:
    """The plugin module and a dist-info that registers `entry` under mmrare.benchmarks."""
    site.mkdir(parents=True)
    shutil.copy(FIXTURES / "plugin" / "mmrare_example_benchmark.py", site)
    info = site / "mmrare_example_benchmark-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mmrare-example-benchmark\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[mmrare.benchmarks]\n{entry}\n")


def _release(root: Path) -> None:
    image = json.dumps([_png()])
    header = ["index", "image", "image_path", "question", "answer", "context"]
    header += ["answer_aliases", "key_signs", "ORPHA_code"]
    rows = [
        ["0", image, '["a.png"]', "Which syndrome?", "Marfan syndrome", "Tall, lens dislocation.", '["MFS"]',
         '["ectopia lentis"]', "ORPHA:558"],
        ["1", image, '["b.png"]', "Which syndrome?", "Marfan syndrome", "Aortic root dilatation.", '["MFS"]',
         '["aortic dilatation"]', "ORPHA:558"],
        ["2", image, '["c.png"]', "Which syndrome?", "Shprintzen-Goldberg syndrome", "Craniosynostosis.", "[]",
         '["craniosynostosis"]', ""],
    ]  # fmt: skip
    path = root / "release" / "syndrome" / "syndrome_cases.tsv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    predictions = ["index\tquestion\tprediction", "0\tq\tMarfan syndrome", "1\tq\tmarfan", "2\tq\t"]
    (root / "gen-model_ExampleBench_Syndrome.tsv").write_text("\n".join(predictions) + "\n", encoding="utf-8")


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
def test_an_installed_benchmark_is_read_exported_scored_and_listed(tmp_path: Path) -> None:
    _installed(tmp_path / "site", "example = mmrare_example_benchmark:BENCHMARK")
    _release(tmp_path)
    done = _run(tmp_path / "site", "-c", SCRIPT, str(tmp_path), str(FIXTURES))
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["benchmarks"] == ["MMRareBench", "MRareBench", "phenopacket-store", "ExampleBench"]
    assert got["items"] == ["syndrome:0", "syndrome:1", "syndrome:2"]
    # the code aligns rows 0 and 1; row 2 by its exact name (Shprintzen-Goldberg syndrome is ORPHA:2462)
    assert got["answer_is"] == {"syndrome:0": 558, "syndrome:1": 558, "syndrome:2": 2462}
    assert got["written"] == {"syndrome": 3} and got["same_after_export"]
    assert got["run_tracks"] == ["syndrome"] and got["judged"] == 3
    ((model, label, values),) = got["keys"]
    assert (model, label) == ("gen-model", "syndrome")
    assert values["n_total"] == 3
    assert values["syndrome_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3 * 100, abs=1e-12)
    listed = {b["name"]: b for b in got["graphql"]["data"]["benchmarks"]}
    (track,) = listed["ExampleBench"]["tracks"]
    assert track == {"name": "syndrome", "reference": "VLMEvalKit", "metrics": ["offline", "ontology", "token_f1"]}
    assert listed["ExampleBench"]["boards"] == [{"metric": "token_f1"}]


@pytest.mark.slow
def test_an_installed_benchmark_that_clashes_is_refused_naming_its_entry_point(tmp_path: Path) -> None:
    # a track named like a built-in one would give its items the built-in track's ids
    site = tmp_path / "site"
    _installed(site, "clash = mmrare_example_benchmark:CLASH")
    module = site / "mmrare_example_benchmark.py"
    module.write_text(
        module.read_text() + '\nCLASH = Benchmark("Clash", (Track("diagnosis", "d.tsv", benchmark="Clash"),))\n'
    )
    done = _run(site, "-c", "import mmrare.core.tracks")
    assert done.returncode != 0
    assert "entry point clash = 'mmrare_example_benchmark:CLASH' (mmrare.benchmarks)" in done.stderr
    assert "the track name 'diagnosis' is already a track of MMRareBench" in done.stderr
