"""Any item subset back to the release's TSV format (importing the export reproduces the subset), or
to Parquet, one file per track, with the images as bytes and the list columns as lists (what the
`datasets` library's parquet reader loads)."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from mmrare.core.blobs import BlobStore
from mmrare.core.tracks import ALL_TRACKS, OwnReader, Track, TsvRelease, list_cell
from mmrare.graph.model import Node, NodeRef
from mmrare.graph.store import GraphStore


@dataclass(frozen=True)
class TrackFile:
    track: str
    path: str  # relative to the release folder
    text: str
    rows: int


def _by_track(store: GraphStore, items: list[Node]) -> Iterator[tuple[Track, list[Node], dict[NodeRef, list]]]:
    """Per track with items: its items by index, and each item's SHOWS links in figure order."""
    shows: dict[NodeRef, list] = {}
    for rel in store.neighbours([i.ref for i in items], "SHOWS"):
        shows.setdefault(rel.start, []).append(rel)
    for links in shows.values():
        links.sort(key=lambda r: r.rel_props["order"])
    for track in ALL_TRACKS:
        if not isinstance(track.release, TsvRelease):
            continue  # read by its own importer: see not_exported
        members = sorted((i for i in items if i.props.get("track") == track.name), key=lambda i: i.props["index"])
        if members:
            yield track, members, shows


def not_exported(items: list[Node]) -> dict[str, tuple[int, str]]:
    """Per track whose release is not a TSV file: how many of the items are its, and the command that
    reads its release (its items are not written back)."""
    out: dict[str, tuple[int, str]] = {}
    for track in ALL_TRACKS:
        if isinstance(track.release, OwnReader):
            count = sum(1 for i in items if i.props.get("track") == track.name)
            if count:
                out[track.name] = (count, track.release.command)
    return out


def release_files(store: GraphStore, items: list[Node], blobs: BlobStore) -> list[TrackFile]:
    """The release's TSV text per track file, for the tracks that have items. Items of two benchmarks
    go to a folder per benchmark (both have a diagnosis/diagnosis_opened.tsv)."""
    files = []
    groups = list(_by_track(store, items))
    several = len({track.benchmark for track, _, _ in groups}) > 1
    for track, members, shows in groups:
        rows = [_row(item, shows.get(item.ref, []), blobs, track) for item in members]
        # the columns every track has, then figure_mapping and any extra column, in first-seen order
        columns = list(dict.fromkeys([*track.columns, *(c for row in rows for c in row)]))
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, delimiter="\t", lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(rows)
        path = f"{track.benchmark}/{track.file}" if several else track.file
        files.append(TrackFile(track.name, path, text.getvalue(), len(rows)))
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


def _row(item: Node, shows: list, blobs: BlobStore, track: Track, as_text: bool = True) -> dict[str, object]:
    """One release row: every cell text as in the TSV files, or (as_text=False) the index as a
    number, the images as bytes and the list columns as lists, for Parquet."""
    p = item.props
    images = [blobs.get(str(r.node.key)) for r in shows]
    row: dict[str, object] = {
        "index": str(p["index"]) if as_text else int(p["index"]),
        track.question_columns[0]: p.get("question", ""),
        track.answer_columns[0]: p.get("answer", ""),
        "context": p.get("context", ""),
        "image_path": list_cell(p.get("imagePaths", [])) if as_text else list(p.get("imagePaths", [])),
        "image": json.dumps([base64.b64encode(b).decode() for b in images]) if as_text else images,
    }
    for listed in track.lists:
        row[listed.column] = list_cell(p.get(listed.prop, [])) if as_text else list(p.get(listed.prop, []))
    for column, prop in track.texts:
        row[column] = p.get(prop, "")
    for column, prop in track.optional_texts:
        if p.get(prop):
            row[column] = p[prop]
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


def export_parquet(store: GraphStore, items: list[Node], blobs: BlobStore, out: Path) -> dict[str, int]:
    """One Parquet file per track that has items (`<track>.parquet`); returns the rows per track."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for track, members, shows in _by_track(store, items):
        rows = [_row(item, shows.get(item.ref, []), blobs, track, as_text=False) for item in members]
        columns = list(dict.fromkeys(c for row in rows for c in row))
        table = pa.table({c: [row.get(c, "") for row in rows] for c in columns})
        pq.write_table(table, out / f"{track.name}.parquet")
        written[track.name] = len(rows)
    return written


HF_LICENCE = "cc-by-4.0"  # Orphanet's data licence; the synthetic text and images are ours to give


def export_hf(store: GraphStore, items: list[Node], blobs: BlobStore, out: Path) -> dict[str, int]:
    """A folder that `datasets.load_dataset(out)` loads as it is (and `huggingface-cli upload` could
    push): one config per track (`<track>/data.parquet`, written by `datasets` with its features, so
    images load as images), each row with its item id, case and aligned ORPHAcodes, and a dataset card
    (README.md) whose YAML names the configs, the licence and the attribution."""
    try:
        from datasets import Dataset, Features, Image, List, Value
    except ImportError as exc:  # an optional extra: pip install 'mmrare-graph[hf]'
        raise ValueError("--format hf needs the datasets package: pip install 'mmrare-graph[hf]'") from exc
    refs = [i.ref for i in items]
    cases = {str(n.start.key): str(n.node.key) for n in store.neighbours(refs, "ABOUT")}
    codes: dict[str, list[int]] = {}
    for n in store.neighbours(refs, "ANSWER_IS"):
        codes.setdefault(str(n.start.key), []).append(int(n.node.key))
    written: dict[str, int] = {}
    for track, members, shows in _by_track(store, items):
        rows = []
        for item in members:
            row = _row(item, shows.get(item.ref, []), blobs, track, as_text=False)
            images = cast(list[bytes], row.pop("image"))  # as_text=False: the images as bytes
            rows.append(
                {
                    "item_id": str(item.ref.key),
                    "case_id": cases.get(str(item.ref.key), ""),
                    "orpha_codes": sorted(codes.get(str(item.ref.key), [])),
                    "images": [{"bytes": b, "path": None} for b in images],
                    **{k: v if isinstance(v, list) else str(v) for k, v in row.items()},
                }
            )
        columns = list(dict.fromkeys(c for row in rows for c in row))
        features = {
            "item_id": Value("string"),
            "case_id": Value("string"),
            "orpha_codes": List(Value("int64")),
            "images": List(Image()),
        }
        for column in columns:
            if column not in features:
                features[column] = List(Value("string")) if isinstance(rows[0].get(column), list) else Value("string")
        data = {c: [row.get(c, [] if isinstance(features[c], List) else "") for row in rows] for c in columns}
        (out / track.name).mkdir(parents=True, exist_ok=True)
        Dataset.from_dict(data, features=Features(features)).to_parquet(str(out / track.name / "data.parquet"))
        written[track.name] = len(rows)
    (out / "README.md").write_text(_dataset_card(written), encoding="utf-8")
    return written


def _dataset_card(written: dict[str, int]) -> str:
    configs = "".join(
        f"  - config_name: {track}\n    data_files:\n      - split: test\n        path: {track}/data.parquet\n"
        for track in written
    )
    counts = "".join(f"| {track} | {n} |\n" for track, n in written.items())
    return (
        f"---\nlicense: {HF_LICENCE}\npretty_name: MMRare graph export\nconfigs:\n{configs}---\n\n"
        "# MMRare graph export\n\n"
        "Items exported by `mmrare export benchmark --format hf` from an MMRare graph: one config per track "
        "(split `test`). Every row carries its `item_id`, its `case_id` (the items of one case share images "
        "and narrative: resample by case), the ORPHAcodes its answer is aligned to (`orpha_codes`; empty "
        "where none), the release's own columns, and its images as images.\n\n"
        "| config | rows |\n|---|---|\n" + counts + "\n"
        "## How it was made\n\nThe rows are the graph's items as imported from a benchmark release (the "
        "release's columns kept, cells read as the reference evaluator reads them) and aligned to Orphanet "
        "(`ANSWER_IS`). An export of the synthetic demo or generator data is synthetic: its text and images "
        "were generated, only the disease facts are real.\n\n"
        "## Licence and attribution\n\nDisease names, codes and classification come from Orphanet "
        "(Orphadata, INSERM), licensed CC BY 4.0: https://www.orphadata.com. A release imported from "
        "elsewhere keeps its own licence; check it before publishing.\n"
    )
