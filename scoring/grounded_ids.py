"""Orphanet-grounded scoring of ranked disease ids (ours, reported beside the study's own rule).

Each candidate id becomes ORPHAcodes: a Mondo id through the graph's Mondo mappings (`Disease.mondo`,
from mondo-ingest and Mondo's SSSOM), an OMIM id through the ORPHApackets' cross-references (only a
unique mapping, core/omim_alignment.py), an ORPHA id as it is. Against the case's gold ORPHAcode:

- strict: the candidate maps to the gold's ORPHAcode;
- lenient: strict, or the candidate maps to an Orphanet group that contains the gold and has at most
  `max_members` member disorders (RareArena's rule takes 10), or to a subtype of the gold.

Where the study's judgement (the file's is_correct) and the strict rule disagree on whether the case
was found in the list, the reason is named (`disagreement`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mmrare.core.omim_alignment import OMIM_PROPERTIES, align_omim, omim_index
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore

MAX_MEMBERS = 10  # RareArena's rule: a group of at most ten disorders earns partial credit

NOT_ALIGNED = "the diagnosis has no Orphanet code"
UNMAPPED = "the study's correct id has no Orphanet code"
GROUP = "the study credits a broader id; Orphanet counts a group, not the disorder"
OTHER_CODE = "the study's correct id maps to another ORPHAcode"
ORPHANET_BROADER = "an id the study judged wrong maps to the gold's ORPHAcode"


@dataclass(frozen=True)
class GroundedOutcome:
    strict_rank: int | None  # the best rank of a candidate mapped to the gold's ORPHAcode
    lenient_rank: int | None  # the same, counting small groups that contain the gold and its subtypes
    disagreement: str  # why the study's judgement and the strict rule differ on "found", "" when they agree

    def strict_hit(self, k: int) -> float:
        return 1.0 if self.strict_rank is not None and self.strict_rank <= k else 0.0

    def lenient_hit(self, k: int) -> float:
        return 1.0 if self.lenient_rank is not None and self.lenient_rank <= k else 0.0

    def metrics(self) -> dict[str, float]:
        """The Prediction properties the grounded metrics read (scoring/judge_choice.RANKED_METRICS)."""
        return {
            **{f"groundedHit{k}": self.strict_hit(k) for k in (1, 3, 10)},
            **{f"lenientHit{k}": self.lenient_hit(k) for k in (1, 3, 10)},
            "groundedRR": 1.0 / self.strict_rank if self.strict_rank else 0.0,
        }


@dataclass(frozen=True)
class OrphanetView:
    """What grounding needs of the graph, read once: id indexes, each gold's ancestors and the member
    disorders of the groups above them."""

    mondo: Mapping[str, tuple[int, ...]]  # Mondo id -> ORPHAcodes
    omim: Mapping[str, Mapping[int, str]]  # OMIM number -> {ORPHAcode: relation}
    ancestors: Mapping[int, frozenset[int]]  # gold code -> its classes (itself excluded)
    members: Mapping[int, int]  # group code -> member disorders below it

    def codes(self, term: str) -> tuple[int, ...]:
        prefix, _, local = term.strip().partition(":")
        kind = prefix.upper()
        if kind == "MONDO":
            return tuple(self.mondo.get(f"MONDO:{local}", ()))
        if kind == "OMIM":
            alignment = align_omim(self.omim, f"OMIM:{local}")
            return alignment.codes if alignment.aligned else ()
        if kind in ("ORPHA", "ORPHANET") and local.isdigit():
            return (int(local),)
        return ()


def grounded_outcome(
    view: OrphanetView,
    gold: int | None,
    terms: Sequence[str],
    ranks: Sequence[int],
    study_correct: Sequence[bool],
    max_members: int = MAX_MEMBERS,
) -> GroundedOutcome:
    """One case's strict and lenient ranks, and the reason the study's rule and the strict rule
    disagree on whether the list holds the answer."""
    strict: int | None = None
    lenient: int | None = None
    for term, rank in zip(terms, ranks, strict=True):
        codes = view.codes(term)
        if gold is None or not codes:
            continue
        if gold in codes:
            strict = rank if strict is None else min(strict, rank)
            lenient = rank if lenient is None else min(lenient, rank)
            continue
        above = view.ancestors.get(gold, frozenset())
        small_group = any(c in above and view.members.get(c, max_members + 1) <= max_members for c in codes)
        subtype = any(gold in view.ancestors.get(c, frozenset()) for c in codes)
        if small_group or subtype:
            lenient = rank if lenient is None else min(lenient, rank)
    found_by_study = any(study_correct)
    reason = ""
    if found_by_study and strict is None:
        first = next(t for t, ok in zip(terms, study_correct, strict=True) if ok)
        codes = view.codes(first)
        if gold is None:
            reason = NOT_ALIGNED
        elif not codes:
            reason = UNMAPPED
        elif any(c in view.ancestors.get(gold, frozenset()) for c in codes):
            reason = GROUP
        else:
            reason = OTHER_CODE
    elif strict is not None and not found_by_study:
        reason = ORPHANET_BROADER
    return GroundedOutcome(strict, lenient, reason)


def grounded_table(outcomes: Sequence[GroundedOutcome]) -> dict[str, float | int]:
    """Ours, over the cases a run answers that match a case of the release: strict and lenient top-k,
    and the cases where the study's judgement and the strict rule disagree, by reason."""
    n = len(outcomes)
    row: dict[str, float | int] = {"cases": n}
    for k in (1, 3, 10):
        row[f"strict_top{k}"] = sum(o.strict_hit(k) for o in outcomes) / n if n else 0.0
        row[f"lenient_top{k}"] = sum(o.lenient_hit(k) for o in outcomes) / n if n else 0.0
    for reason in (NOT_ALIGNED, UNMAPPED, GROUP, OTHER_CODE, ORPHANET_BROADER):
        row[f"disagree: {reason}"] = sum(o.disagreement == reason for o in outcomes)
    return row


def orphanet_view(store: GraphStore, golds: set[int], terms: set[str] | None) -> OrphanetView:
    """The graph's Mondo and OMIM indexes, the classes above each gold and above each candidate, and
    the member disorders of the candidates that are groups above a gold. Without terms, every disease
    is a candidate (for ids not read yet: the view then answers any of them as it would have)."""
    diseases = {int(k): p for k, p in store.properties("Disease", ["mondo", "group", *OMIM_PROPERTIES]).items()}
    mondo: dict[str, list[int]] = {}
    for code, props in diseases.items():
        for mondo_id in props.get("mondo", []):
            mondo.setdefault(str(mondo_id), []).append(code)
    view = OrphanetView({k: tuple(sorted(v)) for k, v in mondo.items()}, omim_index(diseases.items()), {}, {})
    candidates = set(diseases) if terms is None else {c for t in terms for c in view.codes(t)}
    starts = [NodeRef("Disease", c) for c in sorted(golds | candidates)]
    closure = store.closure_each(starts, "SUBCLASS_OF", Direction.OUT)
    ancestors = {int(ref.key): frozenset(int(a.key) for a in reached) for ref, reached in closure.items()}
    above_golds = {a for g in golds for a in ancestors.get(g, frozenset())}
    groups = sorted(candidates & above_golds)  # only these can earn the small-group credit
    below = store.closure_each([NodeRef("Disease", g) for g in groups], "SUBCLASS_OF", Direction.IN)
    members = {
        int(ref.key): sum(1 for d in reached if diseases.get(int(d.key), {}).get("group") == "Disorder")
        for ref, reached in below.items()
    }
    return OrphanetView(view.mondo, view.omim, ancestors, members)
