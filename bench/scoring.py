"""Scoring benchmark: 23 runs x 1,756 items of generated predictions. Token F1 for every prediction,
then a stratified report (track x head, and prevalence) with 1,000 case-clustered bootstrap
resamples per cell, against a straightforward per-row pandas implementation of the same numbers in
the same process.

    python -m bench.scoring [--runs 23 --items 1756 --resamples 1000 --baseline-resamples 50]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import orphanet_store
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.scoring.report import ScoreRow, collect_rows, stratify
from mmrare.scoring.token_f1 import best_token_f1, normalise


def noisy(answer: str, rng: random.Random, skill: float) -> str:
    words = answer.split()
    kept = [w if rng.random() < skill else rng.choice(["syndrome", "disease", "type", "rare", "x"]) for w in words]
    return " ".join(kept) if rng.random() < 0.95 else ""


def pandas_f1(row: pd.Series) -> float:
    """The per-row way: normalise, count, intersect, for every gold, inside DataFrame.apply."""
    best = 0.0
    pred = normalise(row["prediction"]).split()
    for gold in row["golds"]:
        ref = normalise(gold).split()
        common = Counter(pred) & Counter(ref)
        same = sum(common.values())
        if same == 0:
            continue
        p, r = same / len(pred), same / len(ref)
        best = max(best, 2 * p * r / (p + r))
    return best


def pandas_report(df: pd.DataFrame, keys: list[str], resamples: int, seed: int) -> pd.DataFrame:
    """Group; per group, sum the scores of each case once, then draw cases with DataFrame.sample
    for every resample and re-average."""
    out = []
    rng = np.random.default_rng(seed)
    for key, group in df.groupby(keys):
        per_case = group.groupby("case")["f1"].agg(["sum", "count"])
        means = []
        for _ in range(resamples):
            drawn = per_case.sample(n=len(per_case), replace=True, random_state=rng)
            means.append(drawn["sum"].sum() / drawn["count"].sum())
        out.append(
            (
                *key,
                len(group),
                100 * group["f1"].mean(),
                100 * np.percentile(means, 2.5),
                100 * np.percentile(means, 97.5),
            )
        )
    return pd.DataFrame(out, columns=[*keys, "n", "mean", "low", "high"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=23)
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--baseline-resamples", type=int, default=20)
    args = parser.parse_args()
    store, orphanet = orphanet_store()
    with tempfile.TemporaryDirectory() as tmp:
        generate_release(store, Path(tmp), args.items, seed=2, image_size=32)
        import_release(Path(tmp), store, FolderBlobStore(Path(tmp) / "blobs"))
    items = {n.ref.key: n.props for n in store.select("Item")}
    # one row per (run, item) with its stratification keys, read from the graph once
    template = {r.item_id: r for r in _rows_without_runs(store)}
    rng = random.Random(9)
    predictions = []
    for run in range(args.runs):
        skill = 0.3 + 0.6 * run / max(1, args.runs - 1)
        for item_id, item in items.items():
            golds = [item["answer"], *item.get("aliases", [])]
            predictions.append((f"run{run:02d}", item_id, noisy(item["answer"], rng, skill), golds))
    print(f"{len(predictions):,} predictions ({args.runs} runs x {len(items):,} items); Orphanet from {orphanet.name}")

    start = time.perf_counter()
    f1 = [best_token_f1(pred, golds) for _, _, pred, golds in predictions]
    t_f1 = time.perf_counter() - start
    rows = [
        ScoreRow(
            run,
            f"model-{run}",
            "general",
            item_id,
            template[item_id].track,
            template[item_id].case_id,
            template[item_id].codes,
            template[item_id].heads,
            template[item_id].classes,
            template[item_id].prevalence,
            template[item_id].modalities,
            template[item_id].n_images,
            None,
            {"tokenF1": value},
        )
        for (run, item_id, _, _), value in zip(predictions, f1, strict=True)
    ]
    start = time.perf_counter()
    by_head = stratify(rows, "track,head", "tokenF1", resamples=args.resamples)
    by_prev = stratify(rows, "prevalence", "tokenF1", resamples=args.resamples)
    t_report = time.perf_counter() - start
    print(
        f"ours:     token F1 {t_f1:.2f} s + report {t_report:.2f} s = {t_f1 + t_report:.2f} s "
        f"({len(by_head.lines) + len(by_prev.lines)} cells, {args.resamples} resamples each)"
    )

    df = pd.DataFrame(
        [
            {
                "run": run,
                "item": item_id,
                "prediction": pred,
                "golds": golds,
                "track": template[item_id].track,
                "case": template[item_id].case_id,
                "heads": list(template[item_id].heads) or ["no head"],
                "prevalence": template[item_id].prevalence,
            }
            for run, item_id, pred, golds in predictions
        ]
    )
    start = time.perf_counter()
    df["f1"] = df.apply(pandas_f1, axis=1)
    t_pf1 = time.perf_counter() - start
    heads = df.explode("heads")
    start = time.perf_counter()
    base_head = pandas_report(heads, ["run", "track", "heads"], args.baseline_resamples, 1)
    base_prev = pandas_report(df, ["run", "prevalence"], args.baseline_resamples, 1)
    t_preport = time.perf_counter() - start
    scaled = t_preport * args.resamples / args.baseline_resamples
    print(
        f"pandas:   token F1 {t_pf1:.2f} s + report {t_preport:.2f} s at {args.baseline_resamples} resamples "
        f"(x{args.resamples // args.baseline_resamples} -> {scaled:.0f} s at {args.resamples})"
    )
    print(
        f"ratio pandas/ours: token F1 {t_pf1 / t_f1:.1f}x; report {scaled / t_report:.0f}x; "
        f"total {(t_pf1 + scaled) / (t_f1 + t_report):.0f}x"
    )
    ours = {(line.runs[0], *line.group.split(" / ")): (line.n, round(line.mean, 9)) for line in by_head.lines}
    theirs = {(r.run, r.track, r.heads): (r.n, round(r.mean, 9)) for r in base_head.itertuples()}
    same_prev = sorted((line.runs[0], line.group, line.n, round(line.mean, 9)) for line in by_prev.lines) == sorted(
        (r.run, r.prevalence, r.n, round(r.mean, 9)) for r in base_prev.itertuples()
    )
    print(
        f"same cells, n and means as pandas: track x head {ours == theirs}, prevalence {same_prev}; "
        f"token F1 identical {list(df['f1']) == f1}"
    )


def _rows_without_runs(store: EmbeddedStore) -> list[ScoreRow]:
    """The stratification keys of every item, via the report's own reader (one dummy prediction each)."""
    from mmrare.importers.predictions import ModelInfo, import_predictions

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keys.jsonl"
        path.write_text(
            "".join(f'{{"item": "{k}", "prediction": ""}}\n' for k in (n.ref.key for n in store.select("Item")))
        )
        run = import_predictions(path, store, ModelInfo("keys"))
    return [r for r in collect_rows(store, [run.run_id])]


if __name__ == "__main__":
    main()
