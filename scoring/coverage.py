"""A coverage map of every hosted benchmark over Orphanet: per benchmark and release, the items, cases,
publications and distinct diseases under each Orphanet group, the diseases of each group no benchmark
covers, and what two benchmarks share (diseases, publications, images).

Groups: `head` (every classification head a disease descends from: a disease counts under each),
`linearised` (the head of Orphanet's linearisation: one per disease), or `prevalence` (the headline
class). A group's size is its Orphanet disorders (group "Disorder"); a disorder is covered when some
item's answer is the disorder or one of its subtypes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from core.orphanet import PREVALENCE_CLASSES
from core.tracks import TRACK_BY_NAME
from graph.model import Direction, NodeRef
from graph.store import GraphStore

GROUPINGS = ("head", "linearised", "prevalence")
NO_GROUP = "no group"


@dataclass(frozen=True)
class CoverageRow:
    benchmark: str  # "benchmark release" where the release is named
    group: str
    items: int
    cases: int
    publications: int
    diseases: int  # distinct disorders covered under the group
    disorders: int  # the group's disorders in Orphanet


@dataclass(frozen=True)
class Coverage:
    by: str
    rows: list[CoverageRow]
    uncovered: dict[str, int]  # group -> its disorders no benchmark covers
    shared: list[tuple[str, str, int, int, int]]  # (a, b, diseases, publications, images) both hold


def _groups(by: str, props: dict, names: dict[int, str]) -> list[str]:
    if by == "head":
        return sorted(names.get(int(h), f"ORPHA:{h}") for h in props.get("heads", [])) or [NO_GROUP]
    if by == "linearised":
        head = props.get("linearHead")
        return [names.get(int(head), f"ORPHA:{head}")] if head is not None else [NO_GROUP]
    return [props.get("prevalenceClass") or NO_GROUP]


def coverage(store: GraphStore, by: str = "head") -> Coverage:
    if by not in GROUPINGS:
        raise ValueError(f"coverage is by {', '.join(GROUPINGS)}, not {by!r}")
    diseases = {int(n.ref.key): n.props for n in store.select("Disease")}
    head_codes = {int(h) for p in diseases.values() for h in p.get("heads", [])}
    head_codes |= {int(p["linearHead"]) for p in diseases.values() if "linearHead" in p}
    names = {c: diseases.get(c, {}).get("name", f"ORPHA:{c}") for c in head_codes}
    items = store.select("Item")
    refs = [n.ref for n in items]
    answers: dict[str, set[int]] = defaultdict(set)
    for n in store.neighbours(refs, "ANSWER_IS"):
        answers[str(n.start.key)].add(int(n.node.key))
    # a subtype's item covers the disorder above it
    covered_of = _disorders_of({c for cs in answers.values() for c in cs}, diseases, store)
    case_of = {str(n.start.key): str(n.node.key) for n in store.neighbours(refs, "ABOUT")}
    images: dict[str, set[str]] = defaultdict(set)
    for n in store.neighbours(refs, "SHOWS"):
        images[str(n.start.key)].add(str(n.node.key))

    group_cache: dict[int, list[str]] = {}

    def groups_of(code: int) -> list[str]:
        if code not in group_cache:
            group_cache[code] = _groups(by, diseases.get(code, {}), names)
        return group_cache[code]

    found: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: defaultdict(set))
    by_benchmark: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for node in items:
        item_id, props = str(node.ref.key), node.props
        track = TRACK_BY_NAME.get(str(props.get("track")))
        name = track.benchmark if track else "unknown"
        name = f"{name} {props['release']}" if props.get("release") else name
        disorders = {d for c in answers.get(item_id, ()) for d in covered_of.get(c, ())}
        publication = props.get("cluster") or props.get("pmcid")
        mine = by_benchmark[name]
        mine["diseases"] |= disorders
        mine["images"] |= images.get(item_id, set())
        if publication:
            mine["publications"].add(str(publication))
        by_group: dict[str, set[int]] = defaultdict(set)
        for d in disorders:
            for g in groups_of(d):
                by_group[g].add(d)
        for group in by_group or {NO_GROUP: set()}:
            cell = found[(name, group)]
            cell["items"].add(item_id)
            cell["cases"].add(case_of.get(item_id, item_id))
            if publication:
                cell["publications"].add(str(publication))
            cell["diseases"] |= by_group.get(group, set())
    sizes: dict[str, set[int]] = defaultdict(set)
    for code, props in diseases.items():
        if props.get("group") == "Disorder":
            for group in _groups(by, props, names):
                sizes[group].add(code)
    all_covered = set().union(*(b["diseases"] for b in by_benchmark.values())) if by_benchmark else set()
    rows = [
        CoverageRow(
            benchmark,
            group,
            len(cell["items"]),
            len(cell["cases"]),
            len(cell["publications"]),
            len(cell["diseases"]),
            len(sizes.get(group, ())),
        )
        for (benchmark, group), cell in found.items()
    ]
    rows.sort(key=lambda r: (r.benchmark, _order(by, r.group)))
    uncovered = {g: len(codes - all_covered) for g, codes in sorted(sizes.items(), key=lambda kv: _order(by, kv[0]))}
    names_sorted = sorted(by_benchmark)
    shared = [
        (
            a,
            b,
            len(by_benchmark[a]["diseases"] & by_benchmark[b]["diseases"]),
            len(by_benchmark[a]["publications"] & by_benchmark[b]["publications"]),
            len(by_benchmark[a]["images"] & by_benchmark[b]["images"]),
        )
        for i, a in enumerate(names_sorted)
        for b in names_sorted[i + 1 :]
    ]
    return Coverage(by, rows, uncovered, shared)


def _order(by: str, group: str) -> tuple:
    if by == "prevalence" and group in PREVALENCE_CLASSES:
        return (0, PREVALENCE_CLASSES.index(group), group)
    return (1 if group == NO_GROUP else 0, 0, group)


def _disorders_of(codes: Iterable[int], diseases: dict[int, dict], store: GraphStore) -> dict[int, set[int]]:
    """Each answer code as the disorders it covers: a disorder itself; a subtype, the disorders above it;
    a group, nothing (it covers no one disorder)."""
    out: dict[int, set[int]] = {}
    subtypes = [c for c in codes if diseases.get(c, {}).get("group") == "Subtype of disorder"]
    above = store.closure_each([NodeRef("Disease", c) for c in subtypes], "SUBCLASS_OF", Direction.OUT)
    for code in codes:
        group = diseases.get(code, {}).get("group")
        if group == "Disorder":
            out[code] = {code}
        elif group == "Subtype of disorder":
            reached = above.get(NodeRef("Disease", code), frozenset())
            out[code] = {int(a.key) for a in reached if diseases.get(int(a.key), {}).get("group") == "Disorder"}
        else:
            out[code] = set()
    return out
