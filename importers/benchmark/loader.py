"""An MMRareBench release into the graph: read every track, group cases, align, link entities, write once.

Nothing is written when any row has a problem (unless skip_invalid). Image bytes go to the blob
store as they are read (content-addressed, so a rejected import leaves at most unreferenced blobs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmrare.core.blobs import AddedBlobs, BlobStore
from mmrare.core.bulk import in_bulk
from mmrare.core.matching import Alignment, NameIndex, align_by_name
from mmrare.core.orphanet import parse_codes
from mmrare.core.progress import Progress, no_progress
from mmrare.core.tracks import TRACK_BY_NAME, TRACKS, OwnReader, Track, TsvRelease, benchmark_tracks
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore, RelRow, WriteTx
from mmrare.importers.benchmark.entities import EntityMatcher
from mmrare.importers.benchmark.images import DEFAULT_LIMITS, ImageLimits, hex64
from mmrare.importers.benchmark.reader import DROPPED_WITHOUT_IMAGE, ItemImage, ParsedItem, read_track
from mmrare.importers.chunked_writes import replace_rows, write_chunks
from mmrare.importers.problems import ProblemLog


@dataclass
class BenchmarkSummary:
    items: dict[str, int] = field(default_factory=dict)
    images: int = 0
    cases: int = 0
    mentions: int = 0
    aligned: dict[str, int] = field(default_factory=dict)
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # (itemId, answer)
    unknown_codes: list[tuple[str, int]] = field(default_factory=list)  # (itemId, code)
    conflicts: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)  # code vs name
    ambiguous: list[tuple[str, str, tuple[int, ...]]] = field(default_factory=list)  # (itemId, answer, candidates)
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # cells read by a fallback, columns outside the format
    without_image_cell: int = 0  # items read from image_path: the reference drops such rows
    dropped_without_image: int = 0  # rows with no image at all, dropped as the reference drops them


def read_release(
    root: Path,
    blobs: BlobStore,
    problems: ProblemLog,
    limits: ImageLimits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    tracks: tuple[Track, ...] = TRACKS,
) -> list[ParsedItem]:
    own = [(t.benchmark, t.release.command) for t in tracks if isinstance(t.release, OwnReader)]
    if own and len(own) == len(tracks):
        raise ValueError(f"{own[0][0]} is not a TSV release: `{own[0][1]}` reads it")
    tracks = tuple(t for t in tracks if isinstance(t.release, TsvRelease))
    present = [t for t in tracks if (root / t.file).is_file()]
    if not present:
        raise FileNotFoundError(f"{root}: no release file found (expected any of {', '.join(t.file for t in tracks)})")
    items: list[ParsedItem] = []
    for track in present:
        before = len(items), len(problems.problems)
        items += read_track(root, track, blobs, problems, limits, progress)
        if (len(items), len(problems.problems)) == before:
            problems.warn(str(root / track.file), "file", "(rows)", "a header and no rows")
    if items and len(tracks) > 1 and all(_own_disease_names(i) is None for i in items):
        problems.warn(
            str(root / tracks[0].file),
            "file",
            "(rows)",
            "no diagnosis rows: the other tracks' items take their disease from the diagnosis item of their case, "
            "so none of them is aligned to Orphanet",
        )
    return items


def group_cases(items: list[ParsedItem]) -> dict[str, tuple[list[ParsedItem], list[str]]]:
    """Items joined by a shared image, an identical context or the release's own case key (case_id,
    else pmcid, where a release has them) form one case: caseId -> (items, how)."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reasons: dict[int, set[str]] = defaultdict(set)

    def join(members: list[int], reason: str) -> None:
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            if a != b:
                parent[b] = a
        if len(members) > 1:
            reasons[members[0]].add(reason)

    by_image: dict[str, list[int]] = defaultdict(list)
    by_context: dict[str, list[int]] = defaultdict(list)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        source = item.props.get("sourceCase") or item.props.get("pmcid")
        if source:
            by_source[source].append(i)
        for sha in dict.fromkeys(img.info.sha256 for img in item.images):
            by_image[sha].append(i)
        context = " ".join(item.props["context"].split())
        if context:
            by_context[context].append(i)
    for members in by_image.values():
        join(members, "shared-image")
    for members in by_context.values():
        join(members, "same-context")
    for members in by_source.values():
        join(members, "same-source-case")
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    how: dict[int, set[str]] = defaultdict(set)
    for first, why in reasons.items():
        how[find(first)] |= why
    cases = {}
    for root, members in groups.items():
        member_items = sorted((items[i] for i in members), key=lambda it: (it.track, it.index))
        case_id = "case:" + min(it.item_id for it in member_items)
        cases[case_id] = (member_items, sorted(how[root]) or ["single-item"])
    return cases


@in_bulk
def import_release(
    root: Path,
    store: GraphStore,
    blobs: BlobStore,
    skip_invalid: bool = False,
    limits: ImageLimits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    benchmark: str = "MMRareBench",
) -> BenchmarkSummary:
    """One benchmark's release folder (MMRareBench's four tracks, or MRareBench's two) into the graph.
    An import that fails writes nothing: not to the graph, and not to the blob store either (the
    images it added are taken back)."""
    added = AddedBlobs(blobs)
    try:
        return _import_release(root, store, added, skip_invalid, limits, progress, benchmark)
    except BaseException:
        added.take_back()
        raise


def _import_release(
    root: Path,
    store: GraphStore,
    blobs: BlobStore,
    skip_invalid: bool,
    limits: ImageLimits,
    progress: Progress,
    benchmark: str,
) -> BenchmarkSummary:
    tracks = benchmark_tracks(benchmark)
    problems = ProblemLog()
    items = read_release(root, blobs, problems, limits, progress, tracks)
    if not skip_invalid:
        problems.raise_if_any()
    summary = BenchmarkSummary(
        rejected=[str(p) for p in problems.problems],
        warnings=[str(w) for w in problems.warnings],
        without_image_cell=sum(1 for i in items if not i.props["hasImageCell"]),
        dropped_without_image=sum(1 for w in problems.warnings if w.message == DROPPED_WITHOUT_IMAGE),
    )
    progress("grouping cases", 1, 4)
    cases = group_cases(items)
    progress("aligning", 2, 4)
    alignments = _align(items, cases, store, summary)
    matcher = EntityMatcher.from_store(store)

    seen_images: set[str] = set()
    groups: list[_Rows] = []  # per case, in case order: what it writes (an image with the first case showing it)
    for done, (case_id, (members, how)) in enumerate(sorted(cases.items())):
        progress("linking entities", done, len(cases))
        rows = _Rows()
        groups.append(rows)
        contexts = [m.props["context"] for m in members]
        rows.cases.append(
            {"caseId": case_id, "context": max(contexts, key=len), "groupedBy": how, "nItems": len(members)}
        )
        case_images = list(dict.fromkeys(img.info.sha256 for m in members for img in m.images))
        rows.has_image += [
            RelRow(NodeRef("Case", case_id), NodeRef("Image", sha), {"order": k}) for k, sha in enumerate(case_images)
        ]
        for item in members:
            ref = NodeRef("Item", item.item_id)
            modalities = sorted({img.modality for img in item.images if img.modality})
            rows.items.append({**item.props, "nImages": len(item.images), "modalities": modalities})
            rows.about.append(RelRow(ref, NodeRef("Case", case_id)))
            for img in item.images:
                if img.info.sha256 not in seen_images:
                    seen_images.add(img.info.sha256)
                    rows.images.append(_image_row(img))
                rows.shows.append(
                    RelRow(
                        ref,
                        NodeRef("Image", img.info.sha256),
                        {"order": img.order, "label": img.label},
                        rid=str(img.order),
                    )
                )
            alignment = alignments.get(item.item_id)
            if alignment is not None:
                rows.answer_is += [
                    RelRow(
                        ref, NodeRef("Disease", code), {"method": alignment.method, "confidence": alignment.confidence}
                    )
                    for code in alignment.codes
                ]
            rows.mentions += _mentions(ref, item, matcher)
    summary.items = {t.name: sum(1 for i in items if i.track == t.name) for t in tracks}
    summary.images, summary.cases = len(seen_images), len(cases)
    summary.mentions = sum(len(g.mentions) for g in groups)
    # A re-import replaces what the items point at; cases left without members go too.
    item_refs = [NodeRef("Item", i.item_id) for i in items]
    old_cases = {n.node for n in store.neighbours(item_refs, "ABOUT")} - {NodeRef("Case", c) for c in cases}
    imported = {r.key for r in item_refs}
    items_of: dict[NodeRef, set] = defaultdict(set)  # an old case's items
    for n in store.neighbours(sorted(old_cases), "ABOUT", Direction.IN):
        items_of[n.start].add(n.node.key)
    orphaned = [c for c in old_cases if items_of[c] <= imported]
    _write(store, _packed(groups, store.transaction_rows), orphaned, progress)
    progress("writing", 1, 1)
    return summary


@dataclass
class _Rows:
    """What part of a release writes: its nodes and relationships."""

    images: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    has_image: list[RelRow] = field(default_factory=list)
    about: list[RelRow] = field(default_factory=list)
    shows: list[RelRow] = field(default_factory=list)
    answer_is: list[RelRow] = field(default_factory=list)
    mentions: list[RelRow] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(v) for v in vars(self).values())

    def add(self, other: _Rows) -> None:
        for name, rows in vars(other).items():
            getattr(self, name).extend(rows)


def _packed(groups: list[_Rows], limit: int | None) -> list[_Rows]:
    """Consecutive cases' rows packed into transactions of at most `limit` rows (a case larger than
    the limit is a transaction of its own); all of them in one when there is no limit."""
    chunks = [_Rows()]
    for rows in groups:
        if limit is not None and len(chunks[-1]) and len(chunks[-1]) + len(rows) > limit:
            chunks.append(_Rows())
        chunks[-1].add(rows)
    return chunks


def _write(store: GraphStore, chunks: list[_Rows], orphaned: list[NodeRef], progress: Progress) -> None:
    """Each chunk in a transaction; when there are several and one fails, what the earlier ones wrote
    is taken back (importers/chunked_writes.py), so a failed import leaves the graph as it was."""

    def write(tx: WriteTx, chunk: _Rows, k: int) -> None:
        item_refs = [NodeRef("Item", row["itemId"]) for row in chunk.items]
        if k == len(chunks) - 1:  # once every item has its new case
            tx.delete_nodes(orphaned)
        replace_rows(
            tx,
            [(rel_type, item_refs) for rel_type in ("ABOUT", "SHOWS", "ANSWER_IS", "MENTIONS")],
            [("Image", chunk.images), ("Case", chunk.cases), ("Item", chunk.items)],
            [
                ("HAS_IMAGE", chunk.has_image),
                ("ABOUT", chunk.about),
                ("SHOWS", chunk.shows),
                ("ANSWER_IS", chunk.answer_is),
                ("MENTIONS", chunk.mentions),
            ],
        )

    write_chunks(store, chunks, write, progress)


def _image_row(img: ItemImage) -> dict[str, Any]:
    info = img.info
    return {
        "sha256": info.sha256,
        "width": info.width,
        "height": info.height,
        "format": info.format,
        "mode": info.mode,
        "byteSize": info.byte_size,
        "phash": hex64(info.phash),
        "dhash": hex64(info.dhash),
        "phashInner": hex64(info.phash_inner),
        "dhashInner": hex64(info.dhash_inner),
        "pixels": info.grid.hex(),
        "pixelsInner": info.grid_inner.hex(),
        "modality": img.modality,
        "blob": f"{info.sha256[:2]}/{info.sha256}",
    }


def _mentions(ref: NodeRef, item: ParsedItem, matcher: EntityMatcher) -> list[RelRow]:
    # the context is linked in every track (the audit leaves it out where it is not asked), and so is
    # every column outside the format
    fields = [("question", item.props["question"]), ("context", item.props["context"])]
    fields += [(f, t) for f, t in TRACK_BY_NAME[item.props["track"]].question_side_texts(item.props) if ":" in f]
    fields += [(f"figure:{img.order}", img.label) for img in item.images if img.label]
    rows = []
    for name, text in fields:
        for m in matcher.find(text):
            rows.append(
                RelRow(
                    ref, m.ref, {"field": name, "start": m.start, "end": m.end, "text": m.text}, rid=f"{name}:{m.start}"
                )
            )
    return rows


def _own_disease_names(item: ParsedItem) -> list[str] | None:
    """The names an item's own disease is aligned by, or None where it takes its case's disease."""
    return TRACK_BY_NAME[item.track].anchor.disease_names(item.props)


def _align(
    items: list[ParsedItem],
    cases: dict[str, tuple[list[ParsedItem], list[str]]],
    store: GraphStore,
    summary: BenchmarkSummary,
) -> dict[str, Alignment]:
    named = {i.item_id: names for i in items if (names := _own_disease_names(i)) is not None}
    diagnosis = [i for i in items if i.item_id in named]
    wanted = {c for i in diagnosis for c in parse_codes(i.props.get("releaseOrpha"))[0]}
    known = set(store.get_many("Disease", sorted(wanted)))
    index: NameIndex | None = None
    out: dict[str, Alignment] = {}
    for item in diagnosis:
        codes = parse_codes(item.props.get("releaseOrpha"))[0]
        summary.unknown_codes += [(item.item_id, c) for c in codes if c not in known]
        codes = [c for c in codes if c in known]
        index = index or NameIndex.from_store(store)
        names = named[item.item_id]
        by_name = align_by_name(names, index)
        if codes:
            out[item.item_id] = Alignment(tuple(codes), "code", 1.0)
            if by_name.method in ("name-exact", "name-normalised") and not set(by_name.codes) & set(codes):
                summary.conflicts.append((item.item_id, tuple(codes), by_name.codes))
        elif by_name.codes:
            out[item.item_id] = by_name
        elif by_name.method == "ambiguous":
            summary.ambiguous.append((item.item_id, names[0], by_name.candidates))
        else:
            summary.unresolved.append((item.item_id, names[0]))
    for members, _ in cases.values():
        sources = [out[m.item_id] for m in members if m.item_id in out]
        if not sources:
            continue
        case_codes = tuple(sorted({c for a in sources for c in a.codes}))
        inherited = Alignment(case_codes, "case", min(a.confidence for a in sources))
        for m in members:
            if m.item_id not in named:
                out[m.item_id] = inherited
    for alignment in out.values():
        summary.aligned[alignment.method] = summary.aligned.get(alignment.method, 0) + 1
    return out
