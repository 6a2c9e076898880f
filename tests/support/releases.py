"""A benchmark release on disk and in the graph: what a graph holds of its items, a track file's rows,
and a release copied with one track's file changed."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from mmrare.core.tracks import TRACKS
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore


def snapshot(store: GraphStore, item_ids: list[str] | None = None) -> dict:
    items = {n.ref.key: n.props for n in store.select("Item")}
    keys = sorted(item_ids or items)
    refs = [NodeRef("Item", k) for k in keys]
    rel = {
        t: sorted(
            (n.start.uid, n.node.uid, n.rid, json.dumps(n.rel_props, sort_keys=True)) for n in store.neighbours(refs, t)
        )
        for t in ("SHOWS", "ANSWER_IS", "MENTIONS")
    }
    images = {n.ref.key: n.props for n in store.select("Image")}
    return {
        "items": {k: items[k] for k in keys},
        "rels": rel,
        "images": {k: v for k, v in images.items() if any(k in r[1] for r in rel["SHOWS"])},
    }


def edit(release: Path, tmp_path: Path, track: str, change) -> Path:
    """A copy of the release with one track's rows changed by `change(rows) -> rows`."""
    copy = tmp_path / "edited"
    shutil.copytree(release, copy)
    t = next(t for t in TRACKS if t.name == track)
    data = change(rows(copy / t.file))
    with open(copy / t.file, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    return copy


def diagnosis_rows(release: Path) -> list[dict[str, str]]:
    with open(release / "diagnosis" / "diagnosis_opened.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))
