"""What the API serves, over the store protocol. Resolvers and routes call these; no Cypher here.

Batch methods take many keys and make one store call each, for the per-request dataloaders.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from mmrare.api.auth import Principal
from mmrare.api.derived_cache import DerivedCache, entries_from_env
from mmrare.api.policy import Quota, QuotaExceeded, ReleasePolicy
from mmrare.api.run_facts import RunFacts
from mmrare.audit import audit_and_store
from mmrare.audit.model import KINDS, SEVERITIES, leakage_summary
from mmrare.core.blobs import BlobStore
from mmrare.core.items import natural_key, track_of
from mmrare.core.orphanet import checked_prevalence_class
from mmrare.core.tracks import TRACK_BY_NAME
from mmrare.graph.errors import StoreBusyError
from mmrare.graph.model import CONTENT, Direction, Neighbour, NodeRef
from mmrare.graph.store import GraphStore, Where
from mmrare.graph.subsets import ItemFilter
from mmrare.importers.predictions import ModelInfo, PredictionSource, RunSummary, import_prediction_sources
from mmrare.scoring.condition_runs import graph_contrasts
from mmrare.scoring.conditions import ConditionContrast
from mmrare.scoring.coverage import Coverage, coverage
from mmrare.scoring.judge_choice import make_judge, metric_property
from mmrare.scoring.judges import OFFLINE_JUDGES
from mmrare.scoring.ladder import laddered_report
from mmrare.scoring.reference import ReferenceScores, reference_headline
from mmrare.scoring.report import Report, collect_rows, stratified_report, stratify
from mmrare.scoring.run_choice import resolve_runs
from mmrare.scoring.service import ScoreSummary, score_run
from mmrare.scoring.study_table import StudyRow, study_rows

MAX_PAGE = 100


@dataclass(frozen=True)
class Page:
    nodes: list[dict[str, Any]]
    total: int
    offset: int
    links: dict[str, list[Neighbour]] = field(default_factory=dict)  # the page's SHOWS and ABOUT
    linked: dict[NodeRef, dict[str, Any]] = field(default_factory=dict)  # their images and cases


MAX_RUNS_NAMED = 1_000


SERVER_WRITE_WAIT = 5.0  # seconds a server write waits for another writer before answering 503


class GraphService:
    def __init__(
        self,
        store: GraphStore,
        blobs: BlobStore,
        policy: ReleasePolicy | None = None,
        derived: DerivedCache | None = None,
    ) -> None:
        self.store, self.blobs = store, blobs
        self.policy = policy or ReleasePolicy()
        self.write_lock = threading.Lock()  # one writer at a time (the embedded store is one file)
        # reports, contrasts, the reference headline and coverage, once per generation and inputs
        self.derived = derived if derived is not None else DerivedCache(entries_from_env())
        self.run_facts = RunFacts(store)  # each run's report facts, kept across uploads of other runs

    def _derived(self, work: Callable[..., Any], *args: Hashable, reads: frozenset[str] | None = None) -> Any:
        """work(store, *args), or its value for these arguments at the present generation of the parts
        of the graph it `reads` (labels and relationship types; None: the whole graph)."""
        return self.derived.get_or_compute(
            lambda: (work, self.store.generation(reads), *args), lambda: work(self.store, *args)
        )

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time; a write that cannot start within SERVER_WRITE_WAIT is StoreBusyError."""
        if not self.write_lock.acquire(timeout=SERVER_WRITE_WAIT):
            raise StoreBusyError("another write is under way; try again shortly")
        try:
            yield
        finally:
            self.write_lock.release()

    # -- lookups in batches (dataloaders) -------------------------------------------------------
    def nodes(self, label: str, keys: Sequence[Any]) -> list[dict[str, Any] | None]:
        found = self.store.get_many(label, keys)
        return [found.get(k) for k in keys]

    def links(
        self, label: str, keys: Sequence[Any], rel_type: str, direction: Direction = Direction.OUT
    ) -> list[list[Neighbour]]:
        found: dict[Any, list[Neighbour]] = defaultdict(list)
        for n in self.store.neighbours([NodeRef(label, k) for k in keys], rel_type, direction):
            found[n.start.key].append(n)
        return [found.get(k, []) for k in keys]

    def closures(self, codes: Sequence[int], direction: Direction) -> list[list[int]]:
        found = self.store.closure_each([NodeRef("Disease", c) for c in codes], "SUBCLASS_OF", direction)
        return [sorted(int(r.key) for r in found.get(NodeRef("Disease", c), ())) for c in codes]

    # -- queries --------------------------------------------------------------------------------
    def generation(self) -> int:
        return self.store.generation()

    def diseases(self, search: str | None, under: int | None, prevalence: str | None, limit: int) -> list[dict]:
        return self.store.disease_search(search, under, prevalence, limit)  # one statement on either store

    def items(self, who: Principal, f: ItemFilter, first: int, offset: int) -> Page:
        if not 0 < first <= MAX_PAGE:
            raise ValueError(f"first must be between 1 and {MAX_PAGE}")
        self.policy.check_item_filter(who, f)
        f = self.checked_filter(f)
        page = self.store.item_page_linked(f, offset, first)  # one statement on Neo4j
        return Page([n.props for n in page.items], page.total, offset, page.links, page.linked)

    def checked_filter(self, f: ItemFilter) -> ItemFilter:
        """A filter whose every value means something: a class that is not in the graph, or a
        prevalence class that does not exist, is an error (never an empty or unfiltered page);
        prevalence classes are taken however they are spaced, as the CLI takes them."""
        self.check_classes(f.under)
        return replace(f, prevalence_classes=tuple(checked_prevalence_class(c) for c in f.prevalence_classes))

    def check_classes(self, codes: Sequence[int]) -> None:
        if not codes:
            return  # nothing to check: no store call
        known = self.store.get_many("Disease", list(codes))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"ORPHA:{unknown[0]} is not in the graph (diseases(search:) finds a class by name)")

    def findings(
        self, who: Principal, track: str | None, kind: str | None, severity: str | None, first: int, offset: int
    ) -> tuple[list[dict], int]:
        """A page of leakage findings (maintainers only: they name the answers), in natural item order,
        then kind; and how many match."""
        if not who.is_maintainer:
            raise PermissionError("the maintainer role is required to read findings (they name the answers)")
        if not 0 < first <= MAX_PAGE:
            raise ValueError(f"first must be between 1 and {MAX_PAGE}")
        if track is not None and track not in TRACK_BY_NAME:
            raise ValueError(f"unknown track {track!r}; known: {', '.join(TRACK_BY_NAME)}")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
        if severity is not None and severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}; known: {', '.join(SEVERITIES)}")
        where = [Where(prop, "eq", value) for prop, value in (("kind", kind), ("severity", severity)) if value]
        found = [n.props for n in self.store.select("LeakageFinding", where)]
        if track:
            found = [f for f in found if track_of(f["itemId"]) == track]
        found.sort(key=lambda f: (natural_key(f["itemId"]), KINDS.index(f["kind"]), f["findingId"]))
        return found[offset : offset + first], len(found)

    def runs(self, owner: str | None = None) -> list[dict]:
        # a submitter's own runs only: every upload asks twice (the quota), and the whole list grows
        where = [] if owner is None else [Where("owner", "eq", owner)]
        return [n.props for n in self.store.select("Run", where, order_by="createdAt")]

    def _visible_runs(self, who: Principal, runs: Sequence[str]) -> list[str]:
        # refused before any work: a caller who may see no score, and a list no report needs
        if self.policy.hides_answers_from(who) and who.name is None:
            self.policy.report_runs(who, [], [])  # raises: scores are their owners' only
        if len(runs) > MAX_RUNS_NAMED:
            raise ValueError(f"{len(runs):,} runs named; a report takes at most {MAX_RUNS_NAMED:,}")
        owned = [r["runId"] for r in self.runs(who.name)] if who.name else []
        # a model, or no name, stands for its reported runs; on a held-out release, among the caller's own
        among = owned if self.policy.hides_answers_from(who) else None
        return self.policy.report_runs(who, resolve_runs(self.store, runs, among), owned)

    def report(
        self,
        who: Principal,
        runs: Sequence[str],
        by: str,
        metric: str,
        under: int | None,
        leak_free: bool,
        resamples: int,
        track: str | None = None,
    ) -> Report:
        self.policy.check_report(who, by, under, leak_free)
        self.check_classes([under] if under else [])
        metric = metric_property(metric)  # the CLI's names too: offline, token_f1, judge:ontology
        if track is not None and track not in TRACK_BY_NAME:
            raise ValueError(f"unknown track {track!r}; known: {', '.join(TRACK_BY_NAME)}")
        chosen = self._visible_runs(who, runs)
        tracks = (track,) if track else ()
        if not self.policy.hides_answers_from(who):
            inputs = (tuple(chosen), under, tracks, by, metric, leak_free, resamples)
            return self._derived(stratified_report, *inputs, self.run_facts)
        # on a held-out release (no class, no leak-free subset) a submitter sees the Ladder's values over
        # all of their submissions; the runs asked for are among them, so their rows are read once
        submitted = [
            r["runId"] for r in sorted(self.runs(who.name), key=lambda r: (r.get("createdAt", ""), r["runId"]))
        ]
        history = collect_rows(self.store, submitted, (), tracks)
        asked = set(chosen)
        report = stratify([r for r in history if r.run_id in asked], by, metric, None, False, resamples)
        return laddered_report(self.policy.trim_report(who, report), history, submitted)

    def reference_scores(
        self, who: Principal, runs: Sequence[str], judge: str | None, tracks: Sequence[str] = ()
    ) -> list[ReferenceScores]:
        self.policy.check_exact_means(who, "the reference evaluator's keys")
        visible = self._visible_runs(who, runs)
        found = self._derived(reference_headline, tuple(visible), judge, tuple(tracks))
        if self.policy.hides_answers_from(who):  # a mean over a few items is their answers (MR is one rank)
            found = [r for r in found if r.values.get("n_total", 0) >= self.policy.min_group]
        return found

    def coverage(self, who: Principal, by: str, under: int | None = None) -> Coverage:
        """The coverage map; it counts the answers' diseases, so a held-out release shows it to maintainers."""
        self.policy.check_answer_derived(who, "the coverage map")
        self.check_classes([under] if under else [])
        return self._derived(coverage, by, under, reads=CONTENT)  # benchmarks over Orphanet: no runs in it

    def study_tables(self, who: Principal, runs: Sequence[str]) -> list[StudyRow]:
        """The study's table of every visible run that has one; a run of fewer cases than the minimum
        group is left out for callers who may not see answers (its rates are its cases' outcomes)."""
        self.policy.check_exact_means(who, "the study's table")
        found = study_rows(self.store, self._visible_runs(who, runs))
        if self.policy.hides_answers_from(who):
            found = [r for r in found if int(r.values["num_cases"]) >= self.policy.min_group]
        return found

    def condition_contrasts(
        self, who: Principal, runs: Sequence[str], metric: str, by: str, under: int | None, resamples: int
    ) -> list[ConditionContrast]:
        """MRareBench input conditions compared per model (FD - baseline, baseline - TO), overall and
        per stratum; on a held-out release, the caller's runs, coarse strata and big groups only."""
        if by not in ("head", "prevalence", "none"):
            raise ValueError(f"strata are by head, prevalence or none, not {by!r}")
        self.policy.check_report(who, "all" if by == "none" else by, under, False)
        self.policy.check_exact_means(who, "condition contrasts")
        self.check_classes([under] if under else [])
        visible = self._visible_runs(who, runs)
        found = self._derived(graph_contrasts, tuple(visible), metric, by, under, resamples)
        if self.policy.hides_answers_from(who):
            found = [c for c in found if c.comparison.n >= self.policy.min_group]
        return found

    def leakage_summary(self, who: Principal) -> dict[str, dict[str, int]]:
        self.policy.check_answer_derived(who, "the leakage summary")
        items = self.store.select("Item", [Where("leakFree", "exists", True)])
        kinds = {(f.props["itemId"], f.props["kind"]) for f in self.store.select("LeakageFinding")}
        audited = [str(i.ref.key) for i in items]
        return leakage_summary(audited, {str(i.ref.key) for i in items if not i.props["leakFree"]}, kinds)

    # -- writes ---------------------------------------------------------------------------------
    def quota(self, who: Principal) -> Quota | None:
        return self.policy.quota(who, [r.get("createdAt", "") for r in self.runs(who.name)] if who.name else [])

    def import_run(
        self, who: Principal, source: PredictionSource, model: ModelInfo | None, track: str | None
    ) -> tuple[RunSummary, Quota | None]:
        """One submission; an evaluator's count against the quota (an unchanged re-upload is free)."""
        with self.writing():
            quota = self.quota(who)
            if quota is not None and quota.remaining == 0:
                raise QuotaExceeded(f"{quota.limit} submissions per 24 hours per key are used up; try again later")
            before = self.store.generation()
            (summary,) = import_prediction_sources(
                [source], self.store, model, track, owner=who.name, may_describe_models=who.is_maintainer
            )
            if summary.created and self.policy.hides_answers_from(who):
                # scored once, here, by the offline judge: scoring again at will would be a free oracle
                score_run(self.store, summary.run_id, make_judge(OFFLINE_JUDGES[0], self.store))
            elif summary.created and not summary.model_changed:
                self.run_facts.only_added_a_run(before, self.store.generation())
            return summary, self.quota(who)

    def run(self, run_id: str) -> dict | None:
        return self.store.get_many("Run", [run_id]).get(run_id)

    def score(self, who: Principal, run_id: str, judge: str) -> ScoreSummary:
        if self.policy.hides_answers_from(who):
            raise PermissionError(
                "on a held-out release a run is scored once, when it is submitted (by the offline judge)"
            )
        if judge not in OFFLINE_JUDGES:
            raise ValueError(f"the API runs the offline judges ({', '.join(OFFLINE_JUDGES)}); use the CLI for openai")
        with self.writing():
            return score_run(self.store, run_id, make_judge(judge, self.store))

    def audit(self, tracks: Sequence[str]) -> int:
        with self.writing():
            return len(audit_and_store(self.store, tracks).findings)
