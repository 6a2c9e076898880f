"""Worked example 1: a disease-stratified subset. Every item whose answer lies anywhere under an
Orphanet class (the class itself or any descendant), counted per track.

    python examples/subset_by_class.py http://127.0.0.1:8000 68367   # Rare inborn errors of metabolism
"""

from __future__ import annotations

import sys

from mmrare.client import MMRareClient


def main(url: str, orpha_code: int, api_key: str | None = None) -> object:
    with MMRareClient(url, api_key) as api:
        items = api.subset(under=orpha_code)
    print(f"{len(items)} items under ORPHA:{orpha_code}")
    if len(items):
        print(items.groupby("track").size().to_string() if hasattr(items, "groupby") else items)
    return items


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
