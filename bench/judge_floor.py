"""The offline judges' floor and ceiling on a synthetic release: per track, the mean score of three
made-up models over the same items, so a judge that rewards non-answers or wrong answers shows it.

- verbatim: the gold answer itself (should score near 1);
- non-answer: "I am not sure." (should score 0);
- wrong: another item's gold answer of the same track, about another disease (should score near 0).

    python -m bench.judge_floor [--items 400 --seed 7]

Run it at two commits to compare judges (the figures are deterministic for a seed).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.common import orphanet_store
from mmrare.core.blobs import FolderBlobStore
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.scoring.judges import JudgeRequest
from mmrare.scoring.offline_judges import OfflineJudge, gold_codes


def wrong_answer(items: list[dict], k: int, codes: dict[str, tuple[int, ...]]) -> str:
    """The next item's answer whose disease differs from item k's (its own answer if none does)."""
    mine = set(codes.get(items[k]["itemId"], ()))
    for step in range(1, len(items)):
        other = items[(k + step) % len(items)]
        if not mine & set(codes.get(other["itemId"], ())):
            return str(other["answer"])
    return str(items[k]["answer"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    store, orphanet = orphanet_store()
    with tempfile.TemporaryDirectory() as tmp:
        generate_release(store, Path(tmp) / "release", items=args.items, seed=args.seed, image_size=48)
        import_release(Path(tmp) / "release", store, FolderBlobStore(Path(tmp) / "blobs"))
    items = [n.props for n in store.select("Item", order_by="itemId")]
    codes = gold_codes(store, [i["itemId"] for i in items])
    by_track: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_track[item["track"]].append(item)
    judge = OfflineJudge(store)
    print(f"offline judge {judge.config.hash} on {len(items)} synthetic items (seed {args.seed}; Orphanet: {orphanet})")
    print(f"  {'track':<12} {'n':>4}  {'verbatim':>8}  {'non-answer':>10}  {'wrong':>6}")
    for track, members in sorted(by_track.items()):
        answers = {
            "verbatim": [str(i["answer"]) for i in members],
            "non-answer": ["I am not sure." for _ in members],
            "wrong": [wrong_answer(members, k, codes) for k in range(len(members))],
        }
        means = {}
        for policy, replies in answers.items():
            requests = [
                JudgeRequest(i["itemId"], track, i, reply, codes.get(i["itemId"], ()))
                for i, reply in zip(members, replies, strict=True)
            ]
            means[policy] = float(np.mean([v.score for v in judge.judge_many(requests)]))
        print(
            f"  {track:<12} {len(members):>4}  {means['verbatim']:>8.3f}  {means['non-answer']:>10.3f}  "
            f"{means['wrong']:>6.3f}"
        )


if __name__ == "__main__":
    main()
