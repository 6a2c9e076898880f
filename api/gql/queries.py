"""The GraphQL Query type: every field calls one service method; none queries the store."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.types import Info

from mmrare.api.gql.context import ctx
from mmrare.api.gql.paging import (
    FindingConnection,
    FindingEdge,
    ItemConnection,
    ItemEdge,
    cursor_at,
    offset_after,
    page_info,
)
from mmrare.api.gql.reads import CONTENT_ONLY
from mmrare.api.gql.types import (
    BenchmarkSpec,
    BoardSpec,
    ConditionContrast,
    CoverageCell,
    CoverageMap,
    CoverageOverlap,
    Disease,
    Item,
    KindCount,
    LeakageFinding,
    LeakageSummaryRow,
    ModelMeans,
    ReferenceMetric,
    ReferenceResult,
    ReportResult,
    ReportRow,
    Run,
    StudyTable,
    SubmissionQuota,
    TrackSpec,
    finite_or_none,
    page_items,
)
from mmrare.api.service import MAX_PAGE
from mmrare.core.tracks import BENCHMARKS, select_tracks
from mmrare.graph.records import as_item
from mmrare.graph.subsets import ItemFilter
from mmrare.scoring.conditions import contrast_metrics
from mmrare.scoring.judge_choice import canonical_metric, metric_origin
from mmrare.scoring.stats import RESAMPLES


@strawberry.type
class Query:
    @strawberry.field(description="The caller's role: public, evaluator or maintainer.", metadata=CONTENT_ONLY)
    def role(self, info: Info) -> str:
        return ctx(info).principal.role

    @strawberry.field(metadata=CONTENT_ONLY)
    async def disease(self, info: Info, orpha_code: int) -> Disease | None:
        props = await ctx(info).node("Disease", orpha_code)
        return Disease(props=props) if props else None

    @strawberry.field(metadata=CONTENT_ONLY)
    def diseases(
        self,
        info: Info,
        search: str | None = None,
        under: int | None = None,
        prevalence_class: str | None = None,
        limit: int = 20,
    ) -> list[Disease]:
        if not 0 < limit <= MAX_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
        return [Disease(props=p) for p in ctx(info).service.diseases(search, under, prevalence_class, limit)]

    @strawberry.field(metadata=CONTENT_ONLY)
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        props = await ctx(info).node("Item", str(id))
        return Item.of(as_item(props)) if props else None

    @strawberry.field(
        description=f"A page of items (Relay connection; at most {MAX_PAGE} per page).", metadata=CONTENT_ONLY
    )
    def items(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        track: str | None = None,
        under: int | None = None,
        prevalence_class: str | None = None,
        modality: str | None = None,
        min_images: int | None = None,
        max_images: int | None = None,
        leak_free: bool | None = None,
        aligned: bool | None = None,
        benchmark: str | None = None,
    ) -> ItemConnection:
        f = ItemFilter(
            tracks=select_tracks((track,) if track else (), benchmark),
            under=(under,) if under else (),
            prevalence_classes=(prevalence_class,) if prevalence_class else (),
            min_images=min_images,
            max_images=max_images,
            modalities=(modality,) if modality else (),
            leak_free=leak_free,
            aligned=aligned,
        )
        c = ctx(info)
        page = c.service.items(c.principal, f, first, offset_after(after))
        nodes = page_items(page, c.service.policy.hides_answers_from(c.principal))
        edges = [ItemEdge(cursor=cursor_at(page.offset + k), node=node) for k, node in enumerate(nodes)]
        return ItemConnection(
            edges=edges, page_info=page_info(page.offset, len(edges), page.total), total_count=page.total
        )

    @strawberry.field(
        description=f"Maintainer only: a page of leakage findings (at most {MAX_PAGE}), in item order.",
        metadata=CONTENT_ONLY,
    )
    def leakage_findings(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        track: str | None = None,
        kind: str | None = None,
        severity: str | None = None,
    ) -> FindingConnection:
        offset = offset_after(after)
        found, total = ctx(info).service.findings(ctx(info).principal, track, kind, severity, first, offset)
        edges = [FindingEdge(cursor=cursor_at(offset + k), node=LeakageFinding.of(f)) for k, f in enumerate(found)]
        return FindingConnection(edges=edges, page_info=page_info(offset, len(edges), total), total_count=total)

    @strawberry.field
    def runs(self, info: Info, mine: bool = False) -> list[Run]:
        principal = ctx(info).principal
        if mine and principal.name is None:
            raise PermissionError("mine: true needs an API key (the public caller owns no runs)")
        return [Run(props=r) for r in ctx(info).service.runs(principal.name if mine else None)]

    @strawberry.field(
        description="The graph's generation: it moves with every write, so equal values mean an unchanged graph "
        "(a response's ETag is the generation of what it reads: for item pages, the content's, which runs do not move)."
    )
    def graph_version(self, info: Info) -> int:
        return ctx(info).service.generation()

    @strawberry.field(
        description="open: the answers are public; held-out: nothing derived from them is served.",
        metadata=CONTENT_ONLY,
    )
    def release_mode(self, info: Info) -> str:
        return ctx(info).service.policy.mode

    @strawberry.field(description="An evaluator's submissions left in the last 24 hours (null: no limit).")
    def submission_quota(self, info: Info) -> SubmissionQuota | None:
        principal = ctx(info).principal
        if not principal.can_write:
            raise PermissionError("an API key is required")
        quota = ctx(info).service.quota(principal)
        return None if quota is None else SubmissionQuota(limit=quota.limit, remaining=quota.remaining)

    @strawberry.field
    def report(
        self,
        info: Info,
        runs: list[str] | None = None,
        by: str = "track",
        metric: str = "offline",
        under: int | None = None,
        leak_free: bool = False,
        resamples: int = RESAMPLES,
        track: str | None = None,
    ) -> ReportResult:
        who = ctx(info).principal
        result = ctx(info).service.report(who, runs or [], by, metric, under, leak_free, min(resamples, 5000), track)
        models = list(result.micro)
        meta = dict(zip(models, ctx(info).service.nodes("Model", models), strict=True))
        return ReportResult(
            by=result.by,
            metric=canonical_metric(result.metric),
            judge_origin=metric_origin(metric),
            rows=[
                ReportRow(
                    model=r.model,
                    runs=list(r.runs),
                    group=r.group,
                    n=r.n,
                    mean=r.mean,
                    ci_low=finite_or_none(r.ci_low),
                    ci_high=finite_or_none(r.ci_high),
                )
                for r in result.lines
            ],
            means=[
                ModelMeans(
                    model=model,
                    runs=list(result.runs[model]),
                    micro=finite_or_none(result.micro[model]),
                    macro=finite_or_none(result.macro[model]),
                    n=result.items.get(model, 0),
                    micro_ci_low=finite_or_none(result.micro_ci.get(model, (float("nan"),) * 2)[0]),
                    micro_ci_high=finite_or_none(result.micro_ci.get(model, (float("nan"),) * 2)[1]),
                    family=(meta[model] or {}).get("family"),
                    domain=(meta[model] or {}).get("domain"),
                    params=(meta[model] or {}).get("params"),
                    common_micro=finite_or_none(result.common_micro[model]),
                    common_micro_ci_low=finite_or_none(result.common_micro_ci[model][0]),
                    common_micro_ci_high=finite_or_none(result.common_micro_ci[model][1]),
                    complete=result.complete[model],
                )
                for model in models
            ],
            common_items=result.common_items,
        )

    @strawberry.field(
        description="The hosted benchmarks: their tracks, each track's metrics and input conditions.",
        metadata=CONTENT_ONLY,
    )
    def benchmarks(self) -> list[BenchmarkSpec]:
        return [
            BenchmarkSpec(
                name=name,
                tracks=[
                    TrackSpec(
                        name=t.name,
                        reference=t.reference.evaluator,
                        metrics=list(t.metrics),
                        conditions=list(t.conditions),
                        contrast_metrics=contrast_metrics(t) if t.conditions else [],
                    )
                    for t in spec.tracks
                ],
                boards=[BoardSpec(metric=b.metric, title=b.title, label=b.label) for b in spec.boards],
            )
            for name, spec in BENCHMARKS.items()
        ]

    @strawberry.field(
        metadata=CONTENT_ONLY,
        description="Every hosted benchmark over Orphanet: per benchmark and release, items, cases, publications "
        "and distinct disorders under each group (by head, linearised, prevalence, or class with under: the children "
        "of that class), the disorders no benchmark covers, and what two benchmarks share. Maintainers only on a "
        "held-out release.",
    )
    def coverage(self, info: Info, by: str = "head", under: int | None = None) -> CoverageMap:
        found = ctx(info).service.coverage(ctx(info).principal, by, under)
        return CoverageMap(
            by=found.by,
            under=found.under,
            cells=[
                CoverageCell(
                    benchmark=r.benchmark,
                    group=r.group,
                    items=r.items,
                    cases=r.cases,
                    publications=r.publications,
                    diseases=r.diseases,
                    disorders=r.disorders,
                    uncovered=found.uncovered.get(r.group, 0),
                )
                for r in found.rows
            ],
            shared=[CoverageOverlap(a=a, b=b, diseases=d, publications=p, images=i) for a, b, d, p, i in found.shared],
        )

    @strawberry.field(
        description="phenopacket-store: per run (model and prompt language), the pheval.llm study's own table "
        "counted by its authors' rule, and ours beside it (docs/phenopackets.md)."
    )
    def study_tables(self, info: Info, runs: list[str] | None = None) -> list[StudyTable]:
        return [
            StudyTable(
                model=r.model,
                condition=r.condition,
                run=r.run_id,
                tracks=list(r.tracks),
                metrics=[ReferenceMetric(key=k, value=finite_or_none(float(v))) for k, v in r.values.items()],
                ours=[ReferenceMetric(key=k, value=finite_or_none(float(v))) for k, v in r.grounded.items()],
                unmatched_labels=r.unmatched,
            )
            for r in ctx(info).service.study_tables(ctx(info).principal, runs or [])
        ]

    @strawberry.field(
        description="Per model and track, the keys and scale of the reference evaluator's evaluate(); rows "
        "without an image cell are dropped as the reference drops them. Judge: a judge name, or none for F1 "
        "and substring_match."
    )
    def reference_scores(
        self, info: Info, runs: list[str] | None = None, judge: str | None = None, benchmark: str | None = None
    ) -> list[ReferenceResult]:
        tracks = select_tracks((), benchmark) if benchmark else ()
        return [
            ReferenceResult(
                model=r.model,
                track=r.track,
                dataset=r.dataset,
                label=r.label,
                runs=list(r.runs),
                metrics=[
                    ReferenceMetric(key=k, value=finite_or_none(v))
                    for k, v in r.values.items()
                    if k not in ("n_total", "det_backend")
                ],
                n_total=int(r.values["n_total"]),
                det_backend=cast("str | None", r.values.get("det_backend")),  # T2's one text among the numbers
                dropped_without_image=r.dropped_without_image,
                judge_errors=r.judge_errors,
                rows_apart=r.apart,
                rows_apart_not_judged=r.apart_not_judged,
                empty_vocabulary=r.empty_vocabulary,
            )
            for r in ctx(info).service.reference_scores(ctx(info).principal, runs or [], judge, tracks)
        ]

    @strawberry.field(
        description="MRareBench: per model, T1 FD - baseline (textual leakage) and baseline - TO (the value of "
        "the images), per item by metric rr or hit@k; T2 gold - NoDx (what the diagnosis adds) and gold - TO, "
        "per item by a det_ metric (det_required_recall@0.5, ...); with case-clustered 95% intervals; by "
        "head, prevalence or none."
    )
    def condition_contrasts(
        self,
        info: Info,
        runs: list[str] | None = None,
        metric: str = "rr",
        by: str = "head",
        under: int | None = None,
        resamples: int = RESAMPLES,
    ) -> list[ConditionContrast]:
        found = ctx(info).service.condition_contrasts(
            ctx(info).principal, runs or [], metric, by, under, min(resamples, 5000)
        )
        return [
            ConditionContrast(
                model=c.model,
                measures=c.measures,
                stratum=c.stratum,
                n=c.comparison.n,
                mean_a=c.comparison.mean_a,
                mean_b=c.comparison.mean_b,
                difference=c.comparison.difference,
                ci_low=finite_or_none(c.comparison.ci_low),
                ci_high=finite_or_none(c.comparison.ci_high),
                p_value=finite_or_none(c.comparison.p_value),
            )
            for c in found
        ]

    @strawberry.field(metadata=CONTENT_ONLY)
    def leakage_summary(self, info: Info) -> list[LeakageSummaryRow]:
        from mmrare.audit import KINDS

        return [
            LeakageSummaryRow(
                track=track,
                items=row.get("items", 0),
                flagged=row.get("flagged", 0),
                leak_free=row.get("leak-free", 0),
                kinds=[KindCount(kind=k, items=row.get(k, 0)) for k in KINDS],
            )
            for track, row in sorted(ctx(info).service.leakage_summary(ctx(info).principal).items())
        ]
