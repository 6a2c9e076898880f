"""Fidelity table: a generated paper-scale release, a VLMEvalKit output folder for two models (dotted
names, four track files each, some blank predictions), judged by an LLM judge that is a local
chat-completions server replying in odd formats. Prints the `report --reference` headline per model
and track, writes the per-item scores to a CSV, and recomputes the headline the straightforward way
in the same process (pandas reads the prediction files as the reference does, str() of each cell,
row means) to show both agree, with timings.

    python -m bench.fidelity [--items 1756] [--out fidelity-items.csv]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import orphanet_store
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import import_prediction_files
from mmrare.scoring.judges import JudgeRequest, Verdict
from mmrare.scoring.openai_judge import OpenAIJudge, OpenAISettings
from mmrare.scoring.reference import collect_reference_rows, reference_scores, substring_match
from mmrare.scoring.reply_parsing import PARSERS
from mmrare.scoring.service import score_run
from mmrare.scoring.token_f1 import best_token_f1
from tests.fakes.chat_server import running_chat_server

DATASETS = {t: t.capitalize() for t in ("diagnosis", "treatment", "crossmodal", "examination")}
MODELS = ("Qwen2.5-VL-7B-Instruct", "llava_v1.5_7b")

# Reply shapes a real judge produces, including the ones that reach every fallback step.
REPLY_SHAPES = {
    "diagnosis": ["YES\nYES\nNO", "1. No\n2. Yes\n3. Yes", "no no no", "Score: 2/3", "yes", "3/0", "I cannot tell"],
    "treatment": ["YES\nNO\nYES\nYES\nNO\nNO", "Yes.", "4/6", "80%", "Score: 0.75", "1.5", ".5", "n/a"],
    "crossmodal": ["YES\nYES\nYES\nNO\nNO", "No", "3/4.5", "150%", "overall 0.4", "nothing fits"],
    "examination": [
        "2\n1\n0\n2\n1\n1\n2\n0",
        "1. 2\n2. 1\n3. 1\n4. 0\n5. 1\n6. 2\n7. 1\n8. 1",
        "yes " * 6,
        "12/16",
        "?",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--out", type=Path, default=Path("fidelity-items.csv"))
    args = parser.parse_args()
    store, orphanet = orphanet_store()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_release(store, root / "release", args.items, seed=3, image_size=32)
        import_release(root / "release", store, FolderBlobStore(root / "blobs"))
        files = _write_predictions(store, root / "outputs", rng)
        start = time.perf_counter()
        summaries = import_prediction_files([root / "outputs"], store)
        t_import = time.perf_counter() - start
        print(
            f"{args.items} items; Orphanet from {orphanet.name}; imported {len(summaries)} files from one folder "
            f"with no options in {t_import:.2f} s; blank cells kept: {sum(s.blank for s in summaries)}"
        )
        replies = _judge(store, rng)
        start = time.perf_counter()
        ours = reference_scores(collect_reference_rows(store, [], "openai"), "openai")
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        theirs = _straightforward(store, files, replies)
        t_theirs = time.perf_counter() - start
    print(f"\n{'model':<24} {'track':<12} {'key':<24} {'ours':>20} {'pandas way':>20}")
    agree = True
    for r in ours:
        for key, value in r.values.items():
            other = theirs[(r.model, r.track)][key]
            agree &= value == other
            print(f"{r.model:<24} {r.track:<12} {key:<24} {value!r:>20} {other!r:>20}")
    print(f"\nidentical to the digit: {agree}")
    print(f"headline from the graph {t_ours:.2f} s; the straightforward pandas way {t_theirs:.2f} s "
          f"(ratio {t_theirs / t_ours:.1f}x)")
    _per_item(store, args.out)
    print(f"per-item scores: {args.out}")


def _write_predictions(store: EmbeddedStore, out: Path, rng: random.Random) -> dict[tuple[str, str], Path]:
    items = [n.props for n in store.select("Item")]
    files = {}
    for m, model in enumerate(MODELS):
        folder = out / model / "T20260101-000000"
        folder.mkdir(parents=True)
        for track, dataset in DATASETS.items():
            rows = []
            for item in sorted((i for i in items if i["track"] == track), key=lambda i: i["index"]):
                roll = rng.random()
                text = "" if roll < 0.02 else item["answer"] if roll < 0.5 - 0.2 * m else "a different disease"
                rows.append({"index": item["index"], "question": item["question"], "prediction": text})
            path = folder / f"{model}_MMRarebench_{dataset}.xlsx"
            pd.DataFrame(rows).to_excel(path, index=False)
            files[(model, track)] = path
    return files


def _judge(store: EmbeddedStore, rng: random.Random) -> dict[str, str]:
    """Score every run with the openai judge against a local server that picks a reply shape per
    prediction; returns prediction id -> reply."""
    items = {n.ref.key: n.props for n in store.select("Item")}
    replies = {
        p["predictionId"]: rng.choice(REPLY_SHAPES[items[p["itemId"]]["track"]])
        for p in sorted((n.props for n in store.select("Prediction")), key=lambda p: p["predictionId"])
    }
    with running_chat_server() as server:
        server.responder = lambda prompt: replies[MARKER.search(prompt).group(1)]  # type: ignore[union-attr]
        judge = OpenAIJudge(OpenAISettings(server.url, "judge", backoff=0.01, concurrency=8))
        for run in store.select("Run"):
            score_run(store, str(run.ref.key), _Marked(judge, str(run.ref.key)))
    return replies


MARKER = re.compile(r"\[\[(.+?)\]\]")


class _Marked:
    """The judge with each prediction's id appended to its prompt, so the server can route replies."""

    def __init__(self, judge: OpenAIJudge, run_id: str) -> None:
        self.judge, self.run_id, self.config, self.tracks = judge, run_id, judge.config, judge.tracks

    def _marked(self, request: JudgeRequest) -> JudgeRequest:
        return replace(request, prediction=f"{request.prediction} [[{self.run_id}|{request.item_id}]]")

    def prompt_for(self, request: JudgeRequest) -> str:
        return self.judge.prompt_for(self._marked(request))

    def judge_many(self, requests: list[JudgeRequest]) -> list[Verdict]:
        return self.judge.judge_many([self._marked(r) for r in requests])


def _straightforward(
    store: EmbeddedStore, files: dict[tuple[str, str], Path], replies: dict[str, str]
) -> dict[tuple[str, str], dict[str, float]]:
    """The reference's evaluate() done directly: pandas reads each file, str() of each cell, means."""
    items = {n.ref.key: n.props for n in store.select("Item")}
    runs = {n.props["sourceFile"]: str(n.ref.key) for n in store.select("Run")}
    out = {}
    for (model, track), path in files.items():
        data = pd.read_excel(path)
        data["prediction"] = [str(x) for x in data["prediction"]]
        run_id = runs[path.name]
        judge, f1 = [], []
        for _, row in data.iterrows():
            item = items[f"{track}:{row['index']}"]
            reply = replies[f"{run_id}|{track}:{row['index']}"]
            judge.append(PARSERS[track](reply)[0])
            if track == "diagnosis":
                f1.append(best_token_f1(row["prediction"].strip(), [item["answer"], *item.get("aliases", [])]))
        values = {f"{track}_judge_score": float(np.mean(judge)) if track == "diagnosis" else sum(judge) / len(judge)}
        if track == "diagnosis":
            values["diagnosis_f1"] = float(np.mean(f1) * 100)
        values["n_total"] = len(data)
        out[(model, track)] = values
    return out


def _per_item(store: EmbeddedStore, out: Path) -> None:
    items = {n.ref.key: n.props for n in store.select("Item")}
    runs = {str(n.ref.key): n.props["model"] for n in store.select("Run")}
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["model", "item", "judge_score", "token_f1", "substring_match"])
        for p in sorted((n.props for n in store.select("Prediction")), key=lambda p: p["predictionId"]):
            item = items[p["itemId"]]
            writer.writerow(
                [
                    runs[p["runId"]],
                    p["itemId"],
                    p.get("score_openai"),
                    p.get("tokenF1", ""),
                    substring_match(p["text"], item["answer"]) if item["track"] != "diagnosis" else "",
                ]
            )


if __name__ == "__main__":
    main()
