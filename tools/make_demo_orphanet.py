"""Writes cli/demo_data/orphanet_demo.jsonl.gz: a real subset of the December 2025 ORPHApackets for
the demo, chosen so every classification head it touches is reached (each disease comes with all of
its ancestors up to ORPHA:320716 "Rare disorders").

    PYTHONPATH=. python tools/make_demo_orphanet.py [--packets PATH]  (default: the full 2025-12 file in ../shared)
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from mmrare.importers.orphanet.packets import unwrap

HERE = Path(__file__).resolve().parents[1]
DEFAULT = HERE.parent / "shared/data/orphanet/orphapackets/orphapackets_2025-12_all.jsonl.gz"
OUT = HERE / "cli/demo_data/orphanet_demo.jsonl.gz"
PER_HEAD = 6  # disorders per head, for a heatmap with several columns and a few items each


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packets", type=Path, default=DEFAULT)
    args = parser.parse_args()
    packets = {}
    with gzip.open(args.packets, "rt", encoding="utf-8") as fh:
        for line in fh:
            p = json.loads(line)["Orphapacket"]
            packets[int(p["ORPHAcode"])] = p

    def parents(p: dict) -> list[int]:
        found = unwrap(p.get("Parents"), "Parent")
        return [int(q["ORPHAcode"]) for q in found if str(q.get("ORPHAcode", "")).isdigit()]

    heads = sorted(c for c, p in packets.items() if 320716 in parents(p))

    def head_of(code: int, seen: frozenset = frozenset()) -> int | None:
        for parent in parents(packets.get(code, {})):
            if parent in heads:
                return parent
            if parent not in seen:
                found = head_of(parent, seen | {code})
                if found:
                    return found
        return None

    chosen: dict[int, list[int]] = {}
    for code in sorted(packets):
        p = packets[code]
        rich = len(p.get("Phenotypes") or []) >= 5 and p.get("Genes") and p.get("Prevalences")
        if p.get("DisorderType", {}).get("value") != "Disease" or not rich:
            continue
        head = head_of(code)
        if head is not None and len(chosen.setdefault(head, [])) < PER_HEAD:
            chosen[head].append(code)
    keep: set[int] = set()
    todo = [c for codes in list(chosen.values())[:10] for c in codes]
    while todo:
        code = todo.pop()
        if code in keep or code not in packets:
            continue
        keep.add(code)
        todo += parents(packets[code])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:  # mtime 0: the same input gives the same bytes
        for code in sorted(keep):
            fh.write((json.dumps({"Orphapacket": packets[code]}, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{OUT}: {len(keep)} packets, {sum(len(v) for v in list(chosen.values())[:10])} disorders under 10 heads")


if __name__ == "__main__":
    main()
