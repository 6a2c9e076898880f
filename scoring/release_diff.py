"""What a newer release of a benchmark changes: cases added, removed, and changed (their features or
their diagnosis), matched by the packet id. Read from the graph, both releases imported."""

from __future__ import annotations

from dataclasses import dataclass, field

from mmrare.core.phenopackets import TRACK
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, Where


@dataclass(frozen=True)
class CaseChange:
    packet_id: str
    diagnosis: tuple[str, str]  # (old, new) OMIM ids; equal when unchanged
    features_added: tuple[str, ...]  # HPO ids, with "not " before an excluded one
    features_removed: tuple[str, ...]


@dataclass
class ReleaseDiff:
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[CaseChange] = field(default_factory=list)
    unchanged: int = 0


def _release_cases(store: GraphStore, release: str) -> dict[str, tuple[str, frozenset[str]]]:
    """packet id -> (diagnosis, features), features as HPO ids ('not HP:...' when excluded)."""
    items = store.select("Item", [Where("track", "eq", TRACK), Where("release", "eq", release)])
    if not items:
        raise ValueError(f"no phenopacket-store release {release!r} in the graph")
    case_of = {str(n.start.key): n.node for n in store.neighbours([n.ref for n in items], "ABOUT")}
    features: dict[NodeRef, set[str]] = {}
    for edge in store.neighbours(list(case_of.values()), "HAS_FEATURE"):
        term = str(edge.node.key)
        features.setdefault(edge.start, set()).add(f"not {term}" if edge.rel_props.get("excluded") else term)
    out = {}
    for node in items:
        case = case_of.get(str(node.ref.key))
        seen = features.get(case, set()) if case is not None else set()
        out[str(node.props["packetId"])] = (str(node.props.get("answerId", "")), frozenset(seen))
    return out


def release_diff(store: GraphStore, old: str, new: str) -> ReleaseDiff:
    before, after = _release_cases(store, old), _release_cases(store, new)
    diff = ReleaseDiff(old, new, sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys()))
    for packet_id in sorted(before.keys() & after.keys()):
        (d0, f0), (d1, f1) = before[packet_id], after[packet_id]
        if d0 == d1 and f0 == f1:
            diff.unchanged += 1
            continue
        diff.changed.append(CaseChange(packet_id, (d0, d1), tuple(sorted(f1 - f0)), tuple(sorted(f0 - f1))))
    return diff
