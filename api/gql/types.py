"""GraphQL object types. Fields read through the context's dataloaders; answer-key fields check the
role (maintainer only: answers, aliases, rubrics, alignments, findings, judge prompts and replies)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from mmrare.api.gql.context import answer_key, bounded, ctx, maintainer_only, nodes_of
from mmrare.api.gql.execution import answers_from_known
from mmrare.api.gql.reads import content_only
from mmrare.core.tracks import TRACK_BY_NAME
from mmrare.graph.model import Direction, Neighbour
from mmrare.graph.records import ItemRecord, PredictionRecord, as_item, as_prediction, listed, stored_scores
from mmrare.scoring.judges import judge_origin

if TYPE_CHECKING:
    from mmrare.api.service import Page


@content_only
@strawberry.type
class Phenotype:
    hpo_id: str
    name: str | None


@content_only
@strawberry.type
class PhenotypeLink:
    phenotype: Phenotype
    frequency: str | None


@content_only
@strawberry.type
class GeneLink:
    symbol: str
    name: str | None
    association: str | None


@content_only
@strawberry.type
class Prevalence:
    type: str | None
    prevalence_class: str | None
    geographic: str | None
    validation: str | None
    val_moy: float | None


@content_only
@strawberry.type
class Disease:
    props: strawberry.Private[dict]

    @strawberry.field
    def orpha_code(self) -> int:
        return self.props["orphaCode"]

    @strawberry.field
    def name(self) -> str | None:
        return self.props.get("name")

    @strawberry.field
    def synonyms(self) -> list[str]:
        return self.props.get("synonyms", [])

    @strawberry.field
    def group(self) -> str | None:
        return self.props.get("group")

    @strawberry.field
    def disorder_type(self) -> str | None:
        return self.props.get("disorderType")

    @strawberry.field
    def definition(self) -> str | None:
        return self.props.get("definition")

    @strawberry.field
    def prevalence_class(self) -> str | None:
        return self.props.get("prevalenceClass")

    @strawberry.field
    async def heads(self, info: Info) -> list[Disease]:
        return [Disease(props=p) for p in await nodes_of(info, "Disease", self.props.get("heads", []))]

    @strawberry.field
    async def parents(self, info: Info) -> list[Disease]:
        links = await ctx(info).links("Disease", self.props["orphaCode"], "SUBCLASS_OF")
        return [Disease(props=p) for p in await nodes_of(info, "Disease", [n.node.key for n in links])]

    @strawberry.field
    async def ancestors(self, info: Info) -> list[Disease]:
        codes = await ctx(info).closure(self.props["orphaCode"], Direction.OUT)
        return [Disease(props=p) for p in await nodes_of(info, "Disease", codes)]

    @strawberry.field
    async def descendants(self, info: Info, limit: int = 100) -> list[Disease]:
        codes = await ctx(info).closure(self.props["orphaCode"], Direction.IN)
        return [Disease(props=p) for p in await nodes_of(info, "Disease", codes[: bounded(limit, 1000)])]

    @strawberry.field
    async def phenotypes(self, info: Info, limit: int = 50) -> list[PhenotypeLink]:
        links = (await ctx(info).links("Disease", self.props["orphaCode"], "HAS_PHENOTYPE"))[: bounded(limit, 1000)]
        found = await nodes_of(info, "Phenotype", [n.node.key for n in links])
        by_id = {p["hpoId"]: p for p in found}
        return [
            PhenotypeLink(
                phenotype=Phenotype(hpo_id=n.node.key, name=by_id.get(n.node.key, {}).get("name")),
                frequency=n.rel_props.get("frequency"),
            )
            for n in links
        ]

    @strawberry.field
    async def genes(self, info: Info) -> list[GeneLink]:
        links = await ctx(info).links("Disease", self.props["orphaCode"], "ASSOCIATED_GENE")
        found = {g["symbol"]: g for g in await nodes_of(info, "Gene", [n.node.key for n in links])}
        return [
            GeneLink(symbol=n.node.key, name=found.get(n.node.key, {}).get("name"), association=n.rel_props.get("type"))
            for n in links
        ]

    @strawberry.field
    async def prevalences(self, info: Info) -> list[Prevalence]:
        links = await ctx(info).links("Disease", self.props["orphaCode"], "HAS_PREVALENCE")
        found = await nodes_of(info, "Prevalence", [n.node.key for n in links])
        return [
            Prevalence(
                type=p.get("type"),
                prevalence_class=p.get("class"),
                geographic=p.get("geographic"),
                validation=p.get("validation"),
                val_moy=p.get("valMoy"),
            )
            for p in sorted(found, key=lambda p: p.get("index", 0))
        ]

    @strawberry.field(description="Items whose aligned answer is this disease (maintainer only).")
    async def items(self, info: Info, first: int = 20) -> list[Item]:
        maintainer_only(info)
        links = await ctx(info).links("Disease", self.props["orphaCode"], "ANSWER_IS", Direction.IN)
        return [Item.of(as_item(p)) for p in await nodes_of(info, "Item", [n.node.key for n in links][:first])]


@content_only
@strawberry.type
class Image:
    """Plain fields, filled once: a page shows hundreds of images, and resolver calls add up."""

    sha256: str
    width: int | None
    height: int | None
    format: str | None
    modality: str | None
    url: str
    thumb_url: str

    @classmethod
    def of(cls, props: dict) -> Image:
        sha = props["sha256"]
        return cls(
            sha256=sha,
            width=props.get("width"),
            height=props.get("height"),
            format=props.get("format"),
            modality=props.get("modality"),
            url=f"/images/{sha}",
            thumb_url=f"/images/{sha}?size=thumb",
        )


@content_only
@strawberry.type
class ItemImage:
    order: int
    label: str | None
    image: Image


@content_only
@strawberry.type
class Case:
    case_id: str
    grouped_by: list[str]
    n_items: int


@content_only
@strawberry.type
class Alignment:
    disease: Disease
    method: str | None
    confidence: float | None


@content_only
@strawberry.type
class LeakageFinding:
    kind: str
    severity: str
    explanation: str
    path: list[str]
    item_id: str | None = None

    @classmethod
    def of(cls, props: dict) -> LeakageFinding:
        """A stored LeakageFinding node's properties as the API shows them."""
        return cls(
            kind=props["kind"],
            severity=props["severity"],
            explanation=props["explanation"],
            path=props.get("path", []),
            item_id=props.get("itemId"),
        )


@strawberry.type
class Judgement:
    props: strawberry.Private[dict]

    @strawberry.field
    def judge(self) -> str:
        return self.props.get("judge", "")

    @strawberry.field(description="How this judge's numbers relate to the reference evaluator.")
    def judge_origin(self) -> str:
        return judge_origin(self.props.get("judge"))

    @strawberry.field
    def config_hash(self) -> str:
        return self.props.get("configHash", "")

    @strawberry.field
    def score(self) -> float:
        return self.props.get("score", 0.0)

    @strawberry.field
    def dims(self) -> list[int]:
        return self.props.get("dims", [])

    @strawberry.field
    def error(self) -> str | None:
        return self.props.get("error")

    @strawberry.field(description="Maintainer only: the prompt holds the answer key.")
    def prompt(self, info: Info) -> str:
        maintainer_only(info)
        return self.props.get("prompt", "")

    @strawberry.field(description="Maintainer only.")
    def reply(self, info: Info) -> str:
        maintainer_only(info)
        return self.props.get("reply", "")


def per_item_scores(info: Info) -> None:
    """On a held-out release one prediction's score is an answer oracle: maintainers only."""
    ctx(info).service.policy.check_answer_derived(ctx(info).principal, "a prediction's own score or judgement")


@strawberry.type
class Prediction:
    props: strawberry.Private[PredictionRecord]

    @strawberry.field
    def run_id(self) -> str:
        return self.props["runId"]

    @strawberry.field
    def item_id(self) -> str:
        return self.props["itemId"]

    @strawberry.field
    def text(self) -> str:
        return self.props.get("text", "")

    @strawberry.field(description="Not on a held-out release (maintainers aside): one item's score reveals its answer.")
    def token_f1(self, info: Info) -> float | None:
        per_item_scores(info)
        return self.props.get("tokenF1")

    @strawberry.field(description="Not on a held-out release (maintainers aside): one item's score reveals its answer.")
    def scores(self, info: Info) -> list[JudgeScore]:
        per_item_scores(info)
        return [JudgeScore(judge=judge, score=score) for judge, score in stored_scores(self.props).items()]

    @strawberry.field(description="Not on a held-out release (maintainers aside): one item's score reveals its answer.")
    async def judgements(self, info: Info) -> list[Judgement]:
        per_item_scores(info)
        links = await ctx(info).links("Prediction", self.props["predictionId"], "JUDGED")
        return [Judgement(props=p) for p in await nodes_of(info, "Judgement", [n.node.key for n in links])]


@strawberry.type
class JudgeScore:
    judge: str
    score: float


@content_only
@strawberry.type
class Item:
    """The item's own text fields are plain, filled once (`Item.of`): a page shows fifty items, and
    resolver calls add up; what depends on the caller (leak status, answer key) stays a resolver.

    `known` holds resolver fields' values that whoever made the item already worked out (a page
    knows its items' images, case and leak status at once): the resolver answers from it, and the
    executor (api/gql/execution.py) takes it without calling the resolver at all."""

    props: strawberry.Private[ItemRecord]
    known: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict, kw_only=True)
    id: str
    track: str
    benchmark: str = strawberry.field(description="The benchmark the item belongs to (MMRareBench or MRareBench).")
    index: int
    question: str
    context: str | None = strawberry.field(description="The case text, where the track asks with it.")
    n_images: int
    modalities: list[str]

    @classmethod
    def of(cls, props: ItemRecord, known: dict[str, Any] | None = None) -> Item:
        track = TRACK_BY_NAME[props["track"]]
        return cls(
            props=props,
            known=known or {},
            id=props["itemId"],
            track=props["track"],
            benchmark=track.benchmark,
            index=props["index"],
            question=props.get("question", ""),
            context=props.get("context") if track.question_side_context else None,
            n_images=props.get("nImages", 0),
            modalities=props.get("modalities", []),
        )

    @strawberry.field(description="The leakage audit's verdict (hidden on a held-out release but for maintainers).")
    @answers_from_known  # the page works out leak status with the caller's policy (service.items)
    def leak_free(self, info: Info) -> bool | None:
        if "leak_free" in self.known:
            return self.known["leak_free"]
        return leak_status(self.props, ctx(info).service.policy.hides_answers_from(ctx(info).principal))

    @strawberry.field(description="Maintainer only.")
    def answer(self, info: Info) -> str:
        return answer_key(info, self.props.get("answer", ""))

    @strawberry.field(description="Maintainer only.")
    def aliases(self, info: Info) -> list[str]:
        return answer_key(info, self.props.get("aliases", []))

    @strawberry.field(description="Maintainer only: must-include, must-not, key tests, red flags, key findings.")
    def rubric(self, info: Info) -> list[str]:
        maintainer_only(info)
        p = self.props
        props = TRACK_BY_NAME[p["track"]].rubric_props
        return [f"must not: {x}" if prop == "mustNot" else x for prop in props for x in listed(p, prop)]

    # images and case: what the item's page brought, else through the dataloaders (a resolver may
    # return a value or an awaitable)
    @strawberry.field
    @answers_from_known
    def images(self, info: Info) -> list[ItemImage]:
        if "images" in self.known:
            return self.known["images"]
        return self._images_later(info)  # type: ignore[return-value]

    async def _images_later(self, info: Info) -> list[ItemImage]:
        links = await ctx(info).links("Item", self.props["itemId"], "SHOWS")
        found = {i["sha256"]: i for i in await nodes_of(info, "Image", [n.node.key for n in links])}
        return _item_images(links, found)

    @strawberry.field
    @answers_from_known
    def case(self, info: Info) -> Case | None:
        if "case" in self.known:
            return self.known["case"]
        return self._case_later(info)  # type: ignore[return-value]

    async def _case_later(self, info: Info) -> Case | None:
        links = await ctx(info).links("Item", self.props["itemId"], "ABOUT")
        return _case(links, await ctx(info).node("Case", links[0].node.key) if links else None)

    @strawberry.field(description="Maintainer only: the Orphanet disease the answer is aligned to.")
    async def alignment(self, info: Info) -> list[Alignment]:
        maintainer_only(info)
        links = await ctx(info).links("Item", self.props["itemId"], "ANSWER_IS")
        found = {d["orphaCode"]: d for d in await nodes_of(info, "Disease", [n.node.key for n in links])}
        return [
            Alignment(
                disease=Disease(props=found[n.node.key]),
                method=n.rel_props.get("method"),
                confidence=n.rel_props.get("confidence"),
            )
            for n in links
            if n.node.key in found
        ]

    @strawberry.field(description="Maintainer only: findings name the answer.")
    async def findings(self, info: Info) -> list[LeakageFinding]:
        maintainer_only(info)
        links = await ctx(info).links("Item", self.props["itemId"], "HAS_FINDING")
        found = await nodes_of(info, "LeakageFinding", [n.node.key for n in links])
        return [LeakageFinding.of(f) for f in found]

    @strawberry.field(description="Predictions of runs you may read: all for maintainers, your own for evaluators.")
    async def predictions(self, info: Info) -> list[Prediction]:
        principal = ctx(info).principal
        if principal.role == "public":
            return []
        links = await ctx(info).links("Item", self.props["itemId"], "ANSWERS", Direction.IN)
        preds = await nodes_of(info, "Prediction", [n.node.key for n in links])
        if principal.is_maintainer:
            return [Prediction(props=as_prediction(p)) for p in preds]
        runs = {r["runId"]: r for r in await nodes_of(info, "Run", sorted({p["runId"] for p in preds}))}
        owned = [p for p in preds if runs.get(p["runId"], {}).get("owner") == principal.name]
        return [Prediction(props=as_prediction(p)) for p in owned]


@strawberry.type
class Model:
    name: str
    family: str | None
    domain: str | None
    params: str | None


@strawberry.type
class Run:
    props: strawberry.Private[dict]

    @strawberry.field
    def run_id(self) -> str:
        return self.props["runId"]

    @strawberry.field
    def created_at(self) -> str | None:
        return self.props.get("createdAt")

    @strawberry.field(description="The VLMEvalKit dataset of its file (for MRareBench, the input condition).")
    def dataset(self) -> str | None:
        return self.props.get("dataset")

    @strawberry.field
    def tracks(self) -> list[str]:
        return self.props.get("tracks", [])

    @strawberry.field
    def source_file(self) -> str | None:
        return self.props.get("sourceFile")

    @strawberry.field
    async def model(self, info: Info) -> Model:
        m = await ctx(info).node("Model", self.props["model"]) or {"name": self.props["model"]}
        return Model(name=m["name"], family=m.get("family"), domain=m.get("domain"), params=m.get("params"))


@strawberry.type
class ReportRow:
    model: str
    runs: list[str]  # the model's runs pooled in this row
    group: str
    n: int
    mean: float
    ci_low: float | None = strawberry.field(description="95% interval over cases; null below MIN_CASES (5) cases.")
    ci_high: float | None = None


@strawberry.type
class ModelMeans:
    model: str
    runs: list[str]
    micro: float | None  # None where a model has no item in the report (no mean to show)
    macro: float | None
    n: int = 0  # the items under micro
    micro_ci_low: float | None = None  # 95%, resampling cases
    micro_ci_high: float | None = None
    family: str | None = None  # the model's metadata, as imported
    domain: str | None = None
    params: str | None = None
    common_micro: float | None = strawberry.field(
        default=None, description="The mean over the items every model of the report answered (x100): rank by this."
    )
    common_micro_ci_low: float | None = None
    common_micro_ci_high: float | None = None
    complete: bool = strawberry.field(
        default=True, description="Whether the model answered every item some model of the report answered."
    )


@strawberry.type
class ReportResult:
    by: str
    metric: str
    judge_origin: str
    rows: list[ReportRow]
    means: list[ModelMeans]
    common_items: int = strawberry.field(default=0, description="The items every model of the report answered.")


@strawberry.type(description="One model's items under two MRareBench input conditions, paired.")
class ConditionContrast:
    model: str
    measures: str  # "textual leakage (FD - baseline)" or "value of the images (baseline - TO)"
    stratum: str  # "all items", an Orphanet head or a prevalence class
    n: int
    mean_a: float = strawberry.field(description="The subtracted condition's mean (baseline, or TO).")
    mean_b: float
    difference: float = strawberry.field(description="mean_b - mean_a")
    ci_low: float | None
    ci_high: float | None = None
    p_value: float | None


@strawberry.type
class ReferenceMetric:
    key: str  # as the reference's evaluate() names it: diagnosis_f1, <track>_judge_score, substring_match
    value: float | None


@content_only
@strawberry.type
class TrackSpec:
    name: str
    reference: str = strawberry.field(description="Whose evaluator `referenceScores`/`studyTables` reproduce.")
    metrics: list[str] = strawberry.field(description="The metric names the track offers (report, compare).")
    conditions: list[str] = strawberry.field(description="Its input conditions, where runs answer it under several.")
    contrast_metrics: list[str] = strawberry.field(
        description="The item metrics `conditionContrasts` compares its conditions by (none without conditions)."
    )


@content_only
@strawberry.type
class BoardSpec:
    metric: str = strawberry.field(description="The report metric the board ranks by.")
    title: str
    label: str = strawberry.field(description="Its short name (a heatmap's heading, a metric select).")


@content_only
@strawberry.type
class BenchmarkSpec:
    name: str
    tracks: list[TrackSpec]
    boards: list[BoardSpec] = strawberry.field(
        description="The boards its leaderboard ranks models by; none where its runs are compared per input "
        "condition only (conditionContrasts, referenceScores)."
    )


@content_only
@strawberry.type
class CoverageCell:
    benchmark: str = strawberry.field(description="The benchmark, and its release where one is named.")
    group: str
    items: int
    cases: int
    publications: int
    diseases: int = strawberry.field(description="Distinct Orphanet disorders the benchmark covers under the group.")
    disorders: int = strawberry.field(description="The group's disorders in Orphanet.")
    uncovered: int = strawberry.field(description="The group's disorders no hosted benchmark covers.")


@content_only
@strawberry.type
class CoverageOverlap:
    a: str
    b: str
    diseases: int
    publications: int
    images: int


@content_only
@strawberry.type
class CoverageMap:
    by: str
    under: int | None = strawberry.field(description="The class whose children are the groups (by class).")
    cells: list[CoverageCell]
    shared: list[CoverageOverlap]


@strawberry.type
class StudyTable:
    """A run's row of a study's own table (phenopacket-store: the pheval.llm study's n1..n10, nf,
    grounding_failed, num_cases, top-k and mrr), and ours beside it (Orphanet-grounded top-k)."""

    model: str
    condition: str = strawberry.field(description="The run's input condition: the prompt language.")
    run: str
    tracks: list[str] = strawberry.field(description="The tracks the run answers.")
    metrics: list[ReferenceMetric] = strawberry.field(description="The study's keys, by its authors' rule.")
    ours: list[ReferenceMetric] = strawberry.field(
        description="Ours: strict and lenient Orphanet-grounded top-k; disagreements with the study's rule by reason."
    )
    unmatched_labels: int


@strawberry.type
class ReferenceResult:
    model: str
    track: str
    dataset: str = strawberry.field(description="The VLMEvalKit dataset (for MRareBench, the input condition).")
    label: str = strawberry.field(description="What the result is called: its track, or its input condition.")
    runs: list[str]
    metrics: list[ReferenceMetric]
    n_total: int
    det_backend: str | None = strawberry.field(
        default=None,
        description="MRareBench T2: the similarity the keys were computed with, as the reference names it.",
    )
    dropped_without_image: int
    judge_errors: int
    rows_apart: int = strawberry.field(
        default=0, description="Rows of an unknown or repeated index, kept apart at import and scored here."
    )
    rows_apart_not_judged: int = strawberry.field(
        default=0, description="Such rows left out because a judge was asked for (no judge scores them)."
    )
    empty_vocabulary: int = strawberry.field(
        default=0, description="MRareBench T2 rows whose similarity texts were all stop words (the reference stops)."
    )


@content_only
@strawberry.type
class KindCount:
    kind: str
    items: int


@content_only
@strawberry.type
class LeakageSummaryRow:
    track: str
    items: int
    flagged: int
    leak_free: int
    kinds: list[KindCount]


def finite_or_none(value: float) -> float | None:
    """GraphQL floats cannot be NaN: an undefined mean is null."""
    return None if value != value else value


@strawberry.type
class SubmissionQuota:
    limit: int
    remaining: int


def page_items(page: Page, hides_answers: bool) -> list[Item]:
    """A page's items, with what the page brought already worked out: the images and case (where
    the page holds every node they lead to) and the leak status as this caller may see it."""
    by_item: dict[tuple[str, str], list[Neighbour]] = {}
    for rel_type, found in page.links.items():
        for n in found:
            by_item.setdefault((str(n.start.key), rel_type), []).append(n)
    nodes = {(ref.label, ref.key): props for ref, props in page.linked.items()}
    items = []
    for props in page.nodes:
        key = props["itemId"]
        known: dict[str, Any] = {"leak_free": leak_status(props, hides_answers)}
        shows = by_item.get((key, "SHOWS"), [])
        images = {n.node.key: nodes.get(("Image", n.node.key)) for n in shows}
        if "SHOWS" in page.links and all(v is not None for v in images.values()):
            known["images"] = _item_images(shows, images)
        about = by_item.get((key, "ABOUT"), [])
        case = nodes.get(("Case", about[0].node.key)) if about else None
        if "ABOUT" in page.links and (not about or case is not None):
            known["case"] = _case(about, case)
        items.append(Item.of(as_item(props), known))
    return items


def leak_status(props: ItemRecord | dict, hides_answers: bool) -> bool | None:
    """The audit's verdict on an item, or None where the caller may not see it."""
    return None if hides_answers else props.get("leakFree")


def _item_images(links: list, found: dict) -> list[ItemImage]:
    ordered = sorted(links, key=lambda n: n.rel_props.get("order", 0))
    return [
        ItemImage(order=n.rel_props.get("order", 0), label=n.rel_props.get("label"), image=Image.of(found[n.node.key]))
        for n in ordered
        if found.get(n.node.key)
    ]


def _case(links: list, props: dict | None) -> Case | None:
    if not links:
        return None
    props = props or {}
    return Case(case_id=links[0].node.key, grouped_by=props.get("groupedBy", []), n_items=props.get("nItems", 0))
