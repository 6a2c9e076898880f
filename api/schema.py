"""The GraphQL schema (strawberry). Resolvers are thin: they read through per-request dataloaders
over api/service.py and check roles; there is no store query and no Cypher here.

Open: questions, context, images, diseases, runs and public reports. Maintainer only: gold answers,
aliases, rubrics, the Orphanet alignment of items, leakage findings, judge prompts and replies.
An evaluator sees the predictions and scores of its own runs.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from api.auth import Principal
from api.service import MAX_PAGE, GraphService
from core.tracks import TRACK_BY_NAME
from graph.model import Direction
from graph.subsets import ItemFilter
from scoring.judges import judge_origin


class Context(BaseContext):
    def __init__(self, service: GraphService, principal: Principal) -> None:
        super().__init__()
        self.service, self.principal = service, principal
        self._loaders: dict[tuple, DataLoader] = {}

    def loader(self, key: tuple, batch: Callable[[list], list]) -> DataLoader:
        """One dataloader per kind of lookup and request: a page of items costs one store call per kind."""
        if key not in self._loaders:

            async def load(keys: list) -> list:
                return batch(list(keys))

            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]

    def node(self, label: str, key: Any) -> Awaitable[dict | None]:
        return self.loader(("node", label), lambda ks: self.service.nodes(label, ks)).load(key)

    def links(self, label: str, key: Any, rel: str, direction: Direction = Direction.OUT) -> Awaitable[list]:
        return self.loader(
            ("links", label, rel, direction), lambda ks: self.service.links(label, ks, rel, direction)
        ).load(key)

    def closure(self, code: int, direction: Direction) -> Awaitable[list[int]]:
        return self.loader(("closure", direction), lambda ks: self.service.closures(ks, direction)).load(code)


def ctx(info: Info) -> Context:
    return info.context


def maintainer_only(info: Info) -> None:
    if not ctx(info).principal.is_maintainer:
        raise PermissionError("the maintainer role is required to read the answer key")


async def _nodes(info: Info, label: str, keys: list) -> list[dict]:
    found = await asyncio.gather(*(ctx(info).node(label, k) for k in keys))
    return [f for f in found if f is not None]


@strawberry.type
class Phenotype:
    hpo_id: str
    name: str | None


@strawberry.type
class PhenotypeLink:
    phenotype: Phenotype
    frequency: str | None


@strawberry.type
class GeneLink:
    symbol: str
    name: str | None
    association: str | None


@strawberry.type
class Prevalence:
    type: str | None
    prevalence_class: str | None
    geographic: str | None
    validation: str | None
    val_moy: float | None


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
        return [Disease(props=p) for p in await _nodes(info, "Disease", self.props.get("heads", []))]

    @strawberry.field
    async def parents(self, info: Info) -> list[Disease]:
        links = await ctx(info).links("Disease", self.props["orphaCode"], "SUBCLASS_OF")
        return [Disease(props=p) for p in await _nodes(info, "Disease", [n.node.key for n in links])]

    @strawberry.field
    async def ancestors(self, info: Info) -> list[Disease]:
        codes = await ctx(info).closure(self.props["orphaCode"], Direction.OUT)
        return [Disease(props=p) for p in await _nodes(info, "Disease", codes)]

    @strawberry.field
    async def descendants(self, info: Info, limit: int = 100) -> list[Disease]:
        codes = await ctx(info).closure(self.props["orphaCode"], Direction.IN)
        return [Disease(props=p) for p in await _nodes(info, "Disease", codes[: min(limit, 1000)])]

    @strawberry.field
    async def phenotypes(self, info: Info, limit: int = 50) -> list[PhenotypeLink]:
        links = (await ctx(info).links("Disease", self.props["orphaCode"], "HAS_PHENOTYPE"))[:limit]
        found = await _nodes(info, "Phenotype", [n.node.key for n in links])
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
        found = {g["symbol"]: g for g in await _nodes(info, "Gene", [n.node.key for n in links])}
        return [
            GeneLink(symbol=n.node.key, name=found.get(n.node.key, {}).get("name"), association=n.rel_props.get("type"))
            for n in links
        ]

    @strawberry.field
    async def prevalences(self, info: Info) -> list[Prevalence]:
        links = await ctx(info).links("Disease", self.props["orphaCode"], "HAS_PREVALENCE")
        found = await _nodes(info, "Prevalence", [n.node.key for n in links])
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
        return [Item(props=p) for p in await _nodes(info, "Item", [n.node.key for n in links][:first])]


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


@strawberry.type
class ItemImage:
    order: int
    label: str | None
    image: Image


@strawberry.type
class Case:
    case_id: str
    grouped_by: list[str]
    n_items: int


@strawberry.type
class Alignment:
    disease: Disease
    method: str | None
    confidence: float | None


@strawberry.type
class LeakageFinding:
    kind: str
    severity: str
    explanation: str
    path: list[str]


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


@strawberry.type
class Prediction:
    props: strawberry.Private[dict]

    @strawberry.field
    def run_id(self) -> str:
        return self.props["runId"]

    @strawberry.field
    def item_id(self) -> str:
        return self.props["itemId"]

    @strawberry.field
    def text(self) -> str:
        return self.props.get("text", "")

    @strawberry.field
    def token_f1(self) -> float | None:
        return self.props.get("tokenF1")

    @strawberry.field
    def scores(self) -> list[JudgeScore]:
        return [
            JudgeScore(judge=k.removeprefix("score_"), score=v)
            for k, v in sorted(self.props.items())
            if k.startswith("score_")
        ]

    @strawberry.field
    async def judgements(self, info: Info) -> list[Judgement]:
        links = await ctx(info).links("Prediction", self.props["predictionId"], "JUDGED")
        return [Judgement(props=p) for p in await _nodes(info, "Judgement", [n.node.key for n in links])]


@strawberry.type
class JudgeScore:
    judge: str
    score: float


def _answer_key(info: Info, value: Any) -> Any:
    maintainer_only(info)
    return value


@strawberry.type
class Item:
    props: strawberry.Private[dict]

    @strawberry.field
    def id(self) -> str:
        return self.props["itemId"]

    @strawberry.field
    def track(self) -> str:
        return self.props["track"]

    @strawberry.field
    def index(self) -> int:
        return self.props["index"]

    @strawberry.field
    def question(self) -> str:
        return self.props.get("question", "")

    @strawberry.field
    def context(self) -> str | None:
        return self.props.get("context") if TRACK_BY_NAME[self.props["track"]].question_side_context else None

    @strawberry.field
    def n_images(self) -> int:
        return self.props.get("nImages", 0)

    @strawberry.field
    def modalities(self) -> list[str]:
        return self.props.get("modalities", [])

    @strawberry.field
    def leak_free(self) -> bool | None:
        return self.props.get("leakFree")

    @strawberry.field(description="Maintainer only.")
    def answer(self, info: Info) -> str:
        return _answer_key(info, self.props.get("answer", ""))

    @strawberry.field(description="Maintainer only.")
    def aliases(self, info: Info) -> list[str]:
        return _answer_key(info, self.props.get("aliases", []))

    @strawberry.field(description="Maintainer only: must-include, must-not, key tests, red flags, key findings.")
    def rubric(self, info: Info) -> list[str]:
        maintainer_only(info)
        p = self.props
        props = TRACK_BY_NAME[p["track"]].rubric_props
        return [f"must not: {x}" if prop == "mustNot" else x for prop in props for x in p.get(prop, [])]

    @strawberry.field
    async def images(self, info: Info) -> list[ItemImage]:
        links = sorted(
            await ctx(info).links("Item", self.props["itemId"], "SHOWS"), key=lambda n: n.rel_props.get("order", 0)
        )
        found = {i["sha256"]: i for i in await _nodes(info, "Image", [n.node.key for n in links])}
        return [
            ItemImage(
                order=n.rel_props.get("order", 0), label=n.rel_props.get("label"), image=Image.of(found[n.node.key])
            )
            for n in links
            if n.node.key in found
        ]

    @strawberry.field
    async def case(self, info: Info) -> Case | None:
        links = await ctx(info).links("Item", self.props["itemId"], "ABOUT")
        if not links:
            return None
        props = await ctx(info).node("Case", links[0].node.key) or {}
        return Case(case_id=links[0].node.key, grouped_by=props.get("groupedBy", []), n_items=props.get("nItems", 0))

    @strawberry.field(description="Maintainer only: the Orphanet disease the answer is aligned to.")
    async def alignment(self, info: Info) -> list[Alignment]:
        maintainer_only(info)
        links = await ctx(info).links("Item", self.props["itemId"], "ANSWER_IS")
        found = {d["orphaCode"]: d for d in await _nodes(info, "Disease", [n.node.key for n in links])}
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
        found = await _nodes(info, "LeakageFinding", [n.node.key for n in links])
        return [
            LeakageFinding(kind=f["kind"], severity=f["severity"], explanation=f["explanation"], path=f.get("path", []))
            for f in found
        ]

    @strawberry.field(description="Predictions of runs you may read: all for maintainers, your own for evaluators.")
    async def predictions(self, info: Info) -> list[Prediction]:
        principal = ctx(info).principal
        if principal.role == "public":
            return []
        links = await ctx(info).links("Item", self.props["itemId"], "ANSWERS", Direction.IN)
        preds = await _nodes(info, "Prediction", [n.node.key for n in links])
        if principal.is_maintainer:
            return [Prediction(props=p) for p in preds]
        runs = {r["runId"]: r for r in await _nodes(info, "Run", sorted({p["runId"] for p in preds}))}
        return [Prediction(props=p) for p in preds if runs.get(p["runId"], {}).get("owner") == principal.name]


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
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ItemEdge:
    cursor: str
    node: Item


@strawberry.type
class ItemConnection:
    edges: list[ItemEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class ReportRow:
    model: str
    runs: list[str]  # the model's runs pooled in this row
    group: str
    n: int
    mean: float
    ci_low: float
    ci_high: float


@strawberry.type
class ModelMeans:
    model: str
    runs: list[str]
    micro: float | None  # None where a model has no item in the report (no mean to show)
    macro: float | None


@strawberry.type
class ReportResult:
    by: str
    metric: str
    judge_origin: str
    rows: list[ReportRow]
    means: list[ModelMeans]


@strawberry.type
class ReferenceMetric:
    key: str  # as the reference's evaluate() names it: diagnosis_f1, <track>_judge_score, substring_match
    value: float | None


@strawberry.type
class ReferenceResult:
    model: str
    track: str
    runs: list[str]
    metrics: list[ReferenceMetric]
    n_total: int
    dropped_without_image: int
    judge_errors: int


@strawberry.type
class KindCount:
    kind: str
    items: int


@strawberry.type
class LeakageSummaryRow:
    track: str
    items: int
    flagged: int
    leak_free: int
    kinds: list[KindCount]


def _number(value: float) -> float | None:
    """GraphQL floats cannot be NaN: an undefined mean is null."""
    return None if value != value else value


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("offset:")) + 1
    except ValueError:
        raise ValueError("not a cursor from this API") from None


@strawberry.type
class Query:
    @strawberry.field(description="The caller's role: public, evaluator or maintainer.")
    def role(self, info: Info) -> str:
        return ctx(info).principal.role

    @strawberry.field
    async def disease(self, info: Info, orpha_code: int) -> Disease | None:
        props = await ctx(info).node("Disease", orpha_code)
        return Disease(props=props) if props else None

    @strawberry.field
    def diseases(
        self,
        info: Info,
        search: str | None = None,
        under: int | None = None,
        prevalence_class: str | None = None,
        limit: int = 20,
    ) -> list[Disease]:
        limit = min(limit, MAX_PAGE)
        return [Disease(props=p) for p in ctx(info).service.diseases(search, under, prevalence_class, limit)]

    @strawberry.field
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        props = await ctx(info).node("Item", str(id))
        return Item(props=props) if props else None

    @strawberry.field(description=f"A page of items (Relay connection; at most {MAX_PAGE} per page).")
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
    ) -> ItemConnection:
        f = ItemFilter(
            tracks=(track,) if track else (),
            under=(under,) if under else (),
            prevalence_classes=(prevalence_class,) if prevalence_class else (),
            min_images=min_images,
            max_images=max_images,
            modalities=(modality,) if modality else (),
            leak_free=leak_free,
            aligned=aligned,
        )
        page = ctx(info).service.items(f, first, _offset(after))
        edges = [ItemEdge(cursor=_cursor(page.offset + k), node=Item(props=p)) for k, p in enumerate(page.nodes)]
        has_next = page.offset + len(page.nodes) < page.total
        return ItemConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
            total_count=page.total,
        )

    @strawberry.field
    def runs(self, info: Info, mine: bool = False) -> list[Run]:
        principal = ctx(info).principal
        return [Run(props=r) for r in ctx(info).service.runs(principal.name if mine else None)]

    @strawberry.field
    def report(
        self,
        info: Info,
        runs: list[str] | None = None,
        by: str = "track",
        metric: str = "score_offline",
        under: int | None = None,
        leak_free: bool = False,
        resamples: int = 1000,
    ) -> ReportResult:
        result = ctx(info).service.report(runs or [], by, metric, under, leak_free, min(resamples, 5000))
        return ReportResult(
            by=result.by,
            metric=result.metric,
            judge_origin=judge_origin(metric.removeprefix("score_").replace("_", "-")),
            rows=[
                ReportRow(
                    model=r.model,
                    runs=list(r.runs),
                    group=r.group,
                    n=r.n,
                    mean=r.mean,
                    ci_low=r.ci_low,
                    ci_high=r.ci_high,
                )
                for r in result.lines
            ],
            means=[
                ModelMeans(
                    model=model,
                    runs=list(result.runs[model]),
                    micro=_number(result.micro[model]),
                    macro=_number(result.macro[model]),
                )
                for model in result.micro
            ],
        )

    @strawberry.field(
        description="Per model and track, the keys and scale of the reference evaluator's evaluate(); rows "
        "without an image cell are dropped as the reference drops them. Judge: a judge name, or none for F1 "
        "and substring_match."
    )
    def reference_scores(
        self, info: Info, runs: list[str] | None = None, judge: str | None = None
    ) -> list[ReferenceResult]:
        return [
            ReferenceResult(
                model=r.model,
                track=r.track,
                runs=list(r.runs),
                metrics=[ReferenceMetric(key=k, value=_number(v)) for k, v in r.values.items() if k != "n_total"],
                n_total=int(r.values["n_total"]),
                dropped_without_image=r.dropped_without_image,
                judge_errors=r.judge_errors,
            )
            for r in ctx(info).service.reference_scores(runs or [], judge)
        ]

    @strawberry.field
    def leakage_summary(self, info: Info) -> list[LeakageSummaryRow]:
        from audit import KINDS

        return [
            LeakageSummaryRow(
                track=track,
                items=row.get("items", 0),
                flagged=row.get("flagged", 0),
                leak_free=row.get("leak-free", 0),
                kinds=[KindCount(kind=k, items=row.get(k, 0)) for k in KINDS],
            )
            for track, row in sorted(ctx(info).service.leakage_summary().items())
        ]


@strawberry.type
class ScoreResult:
    run_id: str
    judge: str
    judged: int
    cached: int
    errors: int


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Score a run with an offline judge (needs an API key; evaluators: own runs).")
    def score_run(self, info: Info, run_id: str, judge: str = "offline") -> ScoreResult:
        principal = ctx(info).principal
        if not principal.can_write:
            raise PermissionError("an API key is required for mutations")
        run = ctx(info).service.run(run_id)
        if run is None:
            raise LookupError(f"no run {run_id!r}")
        if not principal.is_maintainer and run.get("owner") != principal.name:
            raise PermissionError("evaluators may score only their own runs")
        s = ctx(info).service.score(run_id, judge)
        return ScoreResult(run_id=s.run_id, judge=s.judge, judged=s.judged, cached=s.cached, errors=s.errors)

    @strawberry.mutation(description="Import predictions given as JSONL text (needs an API key).")
    def import_predictions(self, info: Info, model: str, content: str, domain: str | None = None) -> Run:
        from importers.predictions import ModelInfo, PredictionSource

        principal = ctx(info).principal
        if not principal.can_write:
            raise PermissionError("an API key is required for mutations")
        if len(content) > 20_000_000:
            raise ValueError("content over 20 MB: upload the file with POST /runs")
        # the model name only names the run: it never becomes a path
        source = PredictionSource("predictions.jsonl", content.encode("utf-8"), "importPredictions content")
        summary = ctx(info).service.import_run(source, ModelInfo(model, domain=domain), None, principal.name)
        return Run(props=ctx(info).service.run(summary.run_id) or {})

    @strawberry.mutation(description="Run the leakage audit (maintainer only). Returns the number of findings.")
    def run_leakage_audit(self, info: Info, tracks: list[str] | None = None) -> int:
        maintainer_only(info)
        return ctx(info).service.audit(tracks or [])
