"""Any item subset back to the release's TSV format; importing the export reproduces the subset."""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from core.blobs import BlobStore
from core.tracks import TRACKS, Track, list_cell
from graph.model import Node, NodeRef
from graph.store import GraphStore


@dataclass(frozen=True)
class TrackFile:
    track: str
    path: str  # relative to the release folder
    text: str
    rows: int


def release_files(store: GraphStore, items: list[Node], blobs: BlobStore) -> list[TrackFile]:
    """The release's TSV text per track file, for the tracks that have items."""
    shows = store.neighbours([i.ref for i in items], "SHOWS")
    by_item: dict[NodeRef, list] = {}
    for rel in shows:
        by_item.setdefault(rel.start, []).append(rel)
    files = []
    for track in TRACKS:
        members = sorted((i for i in items if i.props.get("track") == track.name), key=lambda i: i.props["index"])
        if not members:
            continue
        rows = [
            _row(item, sorted(by_item.get(item.ref, []), key=lambda r: r.rel_props["order"]), blobs, track)
            for item in members
        ]
        # the columns every track has, then figure_mapping and any extra column, in first-seen order
        columns = list(dict.fromkeys([*track.columns, *(c for row in rows for c in row)]))
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, delimiter="\t", lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(rows)
        files.append(TrackFile(track.name, track.file, text.getvalue(), len(rows)))
    return files


def export_items(store: GraphStore, items: list[Node], blobs: BlobStore, out: Path) -> dict[str, int]:
    """Writes one TSV per track that has items; returns the number of rows per track."""
    written = {}
    for f in release_files(store, items, blobs):
        path = out / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.text, encoding="utf-8", newline="")
        written[f.track] = f.rows
    return written


def _row(item: Node, shows: list, blobs: BlobStore, track: Track) -> dict[str, str]:
    p = item.props
    row = {
        "index": str(p["index"]),
        "question": p.get("question", ""),
        "answer": p.get("answer", ""),
        "context": p.get("context", ""),
        "image_path": list_cell(p.get("imagePaths", [])),
        "image": json.dumps([base64.b64encode(blobs.get(str(r.node.key))).decode() for r in shows]),
    }
    for column in track.lists:
        row[column.column] = list_cell(p.get(column.prop, []))
    for column, prop in track.texts:
        row[column] = p.get(prop, "")
    paths = p.get("imagePaths", [])
    mapping = {
        r.rel_props["label"]: (paths[r.rel_props["order"]] if r.rel_props["order"] < len(paths) else "")
        for r in shows
        if r.rel_props.get("label")
    }
    if mapping:
        row["figure_mapping"] = json.dumps(mapping)
    row.update(json.loads(p.get("extraColumns") or "{}"))
    return row
