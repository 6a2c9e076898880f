"""Streams one track's TSV row by row: cells parsed, images decoded one at a time into the blob store.

Rows can hold megabytes of base64, so nothing but the current row is kept in memory, and images
leave the reader as metadata only. Every problem names the file, the row (and index) and the column.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmrare.core.blobs import BlobStore
from mmrare.core.mrarebench import EvidencePoint, evidence_points
from mmrare.core.orphanet import parse_codes
from mmrare.core.pandas_cells import is_blank
from mmrare.core.progress import Progress, no_progress
from mmrare.core.tracks import (
    RELATION_TYPES,
    CellError,
    Track,
    parse_image_cell,
    parse_mapping_cell,
    read_list_cell,
    text_entries,
)
from mmrare.importers.benchmark.images import (
    DEFAULT_LIMITS,
    ImageInfo,
    ImageLimits,
    ImageRejected,
    decode_base64,
    inspect_image,
)
from mmrare.importers.problems import ProblemLog

csv.field_size_limit(sys.maxsize)  # a cell holds several base64 images

DROPPED_WITHOUT_IMAGE = "no image cell and no image_path: dropped, as the reference's loader drops it"

# Words in a figure label or image path that tell the imaging modality.
MODALITY_WORDS = {
    "ct": "CT",
    "mri": "MRI",
    "mr": "MRI",
    "xray": "X-ray",
    "x-ray": "X-ray",
    "radiograph": "X-ray",
    "ultrasound": "ultrasound",
    "us": "ultrasound",
    "echo": "ultrasound",
    "histology": "histology",
    "histopathology": "histology",
    "biopsy": "histology",
    "he": "histology",
    "photo": "photograph",
    "clinical": "photograph",
    "fundus": "fundoscopy",
    "oct": "OCT",
    "pet": "PET",
    "ecg": "ECG",
    "eeg": "EEG",
    "angiography": "angiography",
    "endoscopy": "endoscopy",
    "dermoscopy": "dermoscopy",
}


def guess_modality(*texts: str | None) -> str | None:
    for text in texts:
        for word in (text or "").lower().replace("_", " ").replace(".", " ").replace("/", " ").split():
            if word in MODALITY_WORDS:
                return MODALITY_WORDS[word]
    return None


@dataclass(frozen=True)
class ItemImage:
    info: ImageInfo
    order: int
    label: str | None
    path: str | None
    modality: str | None


@dataclass
class ParsedItem:
    track: str
    index: int
    row: int
    props: dict[str, Any]
    images: list[ItemImage] = field(default_factory=list)

    @property
    def item_id(self) -> str:
        return f"{self.track}:{self.index}"


def read_track(
    root: Path,
    track: Track,
    blobs: BlobStore,
    problems: ProblemLog,
    limits: ImageLimits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
) -> Iterator[ParsedItem]:
    """The track's items, row by row; progress is reported in bytes of the file read."""
    path = root / track.file
    size = path.stat().st_size
    # utf-8-sig: a byte-order mark is read as one, not as part of the first column's name
    with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError as exc:
            problems.add(str(path), "header", "(encoding)", _not_utf8(exc))
            return
        missing = track.missing_columns(header)
        if missing:
            problems.add(str(path), "header", ", ".join(missing), "missing column(s)")
            return
        chosen = track.chosen_columns(header)
        extra = [c for c in header if c not in track.known_columns and c not in chosen]
        if extra:
            problems.warn(str(path), "header", ", ".join(extra), "column(s) outside the format, kept on each item")
        seen: dict[int, int] = {}
        rows = enumerate(reader, start=1)
        row_number = 0
        while True:
            try:
                row_number, row = next(rows)
            except StopIteration:
                break
            except UnicodeDecodeError as exc:
                problems.add(str(path), f"row {row_number + 1}", "(encoding)", _not_utf8(exc))
                return
            progress(f"reading {track.name}", raw.tell(), size)
            if None in row or any(v is None for v in row.values()):
                count = len(header) + len(row.get(None, [])) - sum(v is None for v in row.values())
                problems.add(
                    str(path),
                    f"row {row_number}",
                    "(row)",
                    f"{count} fields where the header has {len(header)} (a stray tab or quote?)",
                )
                continue
            item = _row(path, track, row_number, row, blobs, problems, limits, seen, extra, chosen)
            if item is not None:
                yield item


def _not_utf8(exc: UnicodeDecodeError) -> str:
    return f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} cannot be read; Latin-1?): save the file as UTF-8"


def _row(
    path: Path,
    track: Track,
    row_number: int,
    row: dict[str, str],
    blobs: BlobStore,
    problems: ProblemLog,
    limits: ImageLimits,
    seen: dict[int, int],
    extra: list[str],
    chosen: tuple[str, str],
) -> ParsedItem | None:
    file, before = str(path), len(problems.problems)
    where = f"row {row_number}"
    raw_index = (row.get("index") or "").strip()
    try:
        index = int(raw_index)
    except ValueError:
        problems.add(file, where, "index", f"not an integer: {raw_index!r}")
        return None
    where = f"row {row_number} (index {index})"
    if index in seen:
        problems.add(file, where, "index", f"duplicate index, first used in row {seen[index]}")
        return None
    seen[index] = row_number
    props: dict[str, Any] = {
        "itemId": f"{track.name}:{index}",
        "track": track.name,
        "index": index,
        "question": row[chosen[0]] or "",
        "answer": row[chosen[1]] or "",
        "context": row["context"] or "",
    }
    if not props["question"].strip():
        problems.add(file, where, chosen[0], "empty question")
    for column, value in row.items():
        if value and "\x00" in value:  # a NUL is no text a model is shown; it is a broken file
            problems.add(file, where, column, "holds a NUL character")
    for listed in track.lists:
        cell = read_list_cell(row[listed.column])
        if cell.fallback:
            problems.warn(file, where, listed.column, f"read as the reference does, from {cell.fallback}")
        try:
            props[listed.prop] = listed.entries(cell.values)
        except CellError as exc:
            problems.add(file, where, listed.column, str(exc))
    for column, prop in track.texts:
        props[prop] = (row[column] or "").strip()
    for column, prop in track.optional_texts:
        if (row.get(column) or "").strip():
            props[prop] = row[column].strip()
    if "releaseOrpha" in props:
        _, bad = parse_codes(props["releaseOrpha"])
        if bad:  # the reference never reads this cell: a warning, and the item is aligned by name
            column = next(c for c, p in (*track.texts, *track.optional_texts) if p == "releaseOrpha")
            problems.warn(file, where, column, f"not ORPHA codes: {', '.join(map(repr, bad))} (aligned by name)")
    if "evidencePoints" in props:
        points = _checked_points(file, where, props["evidencePoints"], problems)
        # what a good answer must say, for the audit: a context that already says it leaks it
        props["requiredFindings"] = [p.finding for p in points if p.required]
    if "relationType" in props:  # a cross-modal item's relation
        # the reference lowercases the relation and scores any value; an unexpected one is a warning
        props["relationType"] = props["relationType"].lower()
        if props["relationType"] not in RELATION_TYPES:
            problems.warn(
                file, where, "relation_type", f"{props['relationType']!r} is not one of {', '.join(RELATION_TYPES)}"
            )
    mapping: dict[str, str] = {}
    try:
        mapping = parse_mapping_cell(row.get("figure_mapping"))
    except CellError as exc:
        problems.add(file, where, "figure_mapping", str(exc))
    if extra:
        props["extraColumns"] = json.dumps({c: row[c] for c in extra}, ensure_ascii=False)
    try:
        paths = text_entries(read_list_cell(row.get("image_path")).values)
    except CellError as exc:
        problems.add(file, where, "image_path", str(exc))
        paths = []
    props["imagePaths"] = paths
    # The reference drops rows whose image cell is empty; reading image_path instead is our extension.
    props["hasImageCell"] = not is_blank(row["image"]) and bool(row["image"].strip())
    if not props["hasImageCell"] and not paths:
        # nothing to show a model, and a row the reference's loader drops: dropped here too, and counted
        problems.warn(file, where, "image", DROPPED_WITHOUT_IMAGE)
        return None
    images = _images(path, where, row, paths, mapping, blobs, problems, limits)
    if not images and len(problems.problems) == before:
        problems.add(file, where, "image", "no image could be read")
    if len(problems.problems) > before:
        return None
    return ParsedItem(track.name, index, row_number, props, images)


def _checked_points(file: str, where: str, cell: str, problems: ProblemLog) -> tuple[EvidencePoint, ...]:
    """acceptable_evidence_points: the reference reads it as a list and scores its object entries;
    anything it would skip is a warning, a row left with no point an error (nothing to score). The
    points read are returned."""
    values = read_list_cell(cell).values
    skipped = [k for k, v in enumerate(values) if not isinstance(v, dict) or not str(v.get("point", "") or "").strip()]
    if skipped:
        problems.warn(
            file,
            where,
            "acceptable_evidence_points",
            f"entries {skipped} are not points with text (skipped, as the reference does)",
        )
    points = evidence_points(values)
    if not points:  # the reference scores such a row with no point
        problems.warn(
            file, where, "acceptable_evidence_points", "no evidence point: scored with none, as the reference does"
        )
    return points


def _images(
    path: Path,
    where: str,
    row: dict[str, str],
    paths: list[str],
    mapping: dict[str, str],
    blobs: BlobStore,
    problems: ProblemLog,
    limits: ImageLimits,
) -> list[ItemImage]:
    file = str(path)
    label_of_path = {p: label for label, p in mapping.items()}
    labels_in_order = list(mapping)
    try:
        encoded = parse_image_cell(row["image"])
    except CellError as exc:
        problems.add(file, where, "image", str(exc))
        return []
    sources: list[tuple[str, bytes | None]] = []
    if encoded:
        for k, text in enumerate(encoded):
            try:
                sources.append((f"image[{k}]", decode_base64(text)))
            except ImageRejected as exc:
                problems.add(file, where, f"image[{k}]", str(exc))
    else:
        root = path.parent.parent.resolve()
        for k, rel in enumerate(paths):
            candidates = [(p.parent / rel).resolve() for p in (path, path.parent)]
            inside = [c for c in candidates if c.is_relative_to(root)]
            if not inside:
                problems.add(file, where, f"image_path[{k}]", f"{rel!r} points outside the release folder")
                continue
            found = next((c for c in inside if c.is_file()), None)
            if found is None:
                problems.add(file, where, f"image_path[{k}]", f"no file {rel!r} beside the release")
                continue
            sources.append((f"image_path[{k}]", found.read_bytes()))
    images = []
    for k, (column, data) in enumerate(sources):
        try:
            info = inspect_image(data, limits)  # type: ignore[arg-type]
        except ImageRejected as exc:
            problems.add(file, where, column, str(exc))
            continue
        blobs.put(data)  # type: ignore[arg-type]
        at = paths[k] if k < len(paths) else None
        label = label_of_path.get(at or "") or (labels_in_order[k] if k < len(labels_in_order) else None)
        images.append(ItemImage(info, k, label, at, guess_modality(label, at)))
    return images
