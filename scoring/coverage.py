"""A coverage map of every hosted benchmark over Orphanet: per benchmark and release, the items, cases,
publications and distinct diseases under each Orphanet group, the diseases of each group no benchmark
covers, and what two benchmarks share (diseases, publications, images).

Groups: `head` (every classification head a disease descends from: a disease counts under each),
`linearised` (the head of Orphanet's linearisation: one per disease), `prevalence` (the headline
class), or `class` under a code (each child class of it: a disease counts under every child it
descends from; items answered outside the class are left out). A group's size is its Orphanet
disorders (group "Disorder"); a disorder is covered when some item's answer is the disorder or one
of its subtypes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mmrare.core.orphanet import PREVALENCE_CLASSES
from mmrare.core.tracks import TRACK_BY_NAME
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore
from mmrare.scoring.report import child_classes

GROUPINGS = ("head", "linearised", "prevalence", "class")
NO_GROUP = "no group"
DISEASE_FACTS = ("name", "group", "heads", "linearHead", "prevalenceClass")
ITEM_FACTS = ("track", "release", "cluster", "pmcid")


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
    under: int | None = None  # the class whose children are the groups (by class)


@dataclass
class _Cell:
    """What one benchmark has under one group, while the map is counted."""

    items: int = 0
    cases: set[str] = field(default_factory=set)
    publications: set[str] = field(default_factory=set)
    diseases: set[int] = field(default_factory=set)


def _grouping(by: str, under: int | None, diseases: dict[int, dict], store: GraphStore) -> Callable[[int], list[str]]:
    """What groups a disease falls in. A head or a child class counts each disease it holds; a
    disease outside the class (by class) is in no group and out of the map."""
    if by == "class":
        assert under is not None
        children = child_classes(store, under)
        below = store.closure_each(
            [NodeRef("Disease", c) for c in children], "SUBCLASS_OF", Direction.IN, include_self=True
        )
        member_of: dict[int, list[str]] = defaultdict(list)
        for ref, reached in below.items():
            for d in reached:
                member_of[int(d.key)].append(children[int(ref.key)])
        return lambda code: sorted(member_of.get(code, []))
    names = {c: str(p.get("name", f"ORPHA:{c}")) for c, p in diseases.items()}

    def name(code: int) -> str:
        found = names.get(code)
        return found if found is not None else f"ORPHA:{code}"

    if by == "head":
        return lambda code: sorted(name(h) for h in diseases.get(code, {}).get("heads", [])) or [NO_GROUP]
    if by == "linearised":
        return lambda code: (
            [name(diseases[code]["linearHead"])] if "linearHead" in diseases.get(code, {}) else [NO_GROUP]
        )
    return lambda code: [diseases.get(code, {}).get("prevalenceClass") or NO_GROUP]


def coverage(store: GraphStore, by: str = "head", under: int | None = None) -> Coverage:
    if by not in GROUPINGS:
        raise ValueError(f"coverage is by {', '.join(GROUPINGS)}, not {by!r}")
    if (by == "class") != (under is not None):
        raise ValueError("a class (under) goes with coverage by class, and only with it")
    # a few facts of every disease and item, and whole relations: no item's question text is read
    diseases = {int(k): v for k, v in store.properties("Disease", DISEASE_FACTS).items()}
    if under is not None and under not in diseases:
        raise ValueError(f"ORPHA:{under} is not in the graph")
    items = store.properties("Item", ITEM_FACTS)
    answers: dict[str, set[int]] = defaultdict(set)
    for item, disease in store.pairs("ANSWER_IS"):
        answers[str(item)].add(int(disease))
    # a subtype's item covers the disorder above it
    covered_of = _disorders_of({c for cs in answers.values() for c in cs}, diseases, store)
    case_of = {str(item): str(case) for item, case in store.pairs("ABOUT")}
    images: dict[str, set[str]] = defaultdict(set)
    for item, image in store.pairs("SHOWS"):
        images[str(item)].add(str(image))
    grouping = _grouping(by, under, diseases, store)
    group_cache: dict[int, list[str]] = {}

    def groups_of(code: int) -> list[str]:
        if code not in group_cache:
            group_cache[code] = grouping(code)
        return group_cache[code]

    found: dict[tuple[str, str], _Cell] = defaultdict(_Cell)
    by_benchmark: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    names_of: dict[tuple[object, object], str] = {}
    for key, props in items.items():
        item_id = str(key)
        where = (props.get("track"), props.get("release"))
        name = names_of.get(where)
        if name is None:
            track = TRACK_BY_NAME.get(str(where[0]))
            name = track.benchmark if track else "unknown"
            name = names_of[where] = f"{name} {where[1]}" if where[1] else name
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
        if not by_group and by == "class":
            continue  # outside the class
        case = case_of.get(item_id, item_id)
        for group in by_group or {NO_GROUP: set()}:
            cell = found[(name, group)]
            cell.items += 1  # an item is in a group once
            cell.cases.add(case)
            if publication:
                cell.publications.add(str(publication))
            cell.diseases |= by_group.get(group, set())
    sizes: dict[str, set[int]] = defaultdict(set)
    for code, props in diseases.items():
        if props.get("group") == "Disorder":
            for group in groups_of(code):
                sizes[group].add(code)
    all_covered = set().union(*(b["diseases"] for b in by_benchmark.values())) if by_benchmark else set()
    rows = [
        CoverageRow(
            benchmark,
            group,
            cell.items,
            len(cell.cases),
            len(cell.publications),
            len(cell.diseases),
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
    return Coverage(by, rows, uncovered, shared, under)


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
