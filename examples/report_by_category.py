"""Worked example 2: results stratified by Orphanet category. Each model's judge score by
classification head, and within one head by its child classes.

    python examples/report_by_category.py http://127.0.0.1:8000 68367
"""

from __future__ import annotations

import sys

from mmrare.client import MMRareClient


def main(url: str, head: int, api_key: str | None = None) -> tuple[object, object]:
    with MMRareClient(url, api_key) as api:
        by_head = api.report(by="head", metric="score_offline")
        inside = api.report(by="class", metric="score_offline", under=head)
    print("judge score by head (x100):")
    print(by_head.pivot_table(index="model", columns="group", values="mean").round(1).to_string())
    print(f"\nwithin ORPHA:{head}, by child class:")
    print(inside[["model", "group", "n", "mean", "ci_low", "ci_high"]].round(1).to_string(index=False))
    return by_head, inside


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
