"""The properties of each node label, typed: what the importers write and the rest of the service
reads, so a type checker catches a misspelt property name or a wrong type where a record is read.

A record is the plain property dict the stores return (`GraphStore.get_many`), given its label's type
by the typed readers below; its key property is always there, the others where the node has them.
Properties a benchmark adds (its own list columns, a judge's `score_<judge>`) sit beside these and
are read by name from the track spec or the judge."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NotRequired, TypedDict, cast

from mmrare.graph.store import GraphStore


class ItemRecord(TypedDict):
    itemId: str  # track:index
    track: str
    index: int  # the release's index (every reader gives one: pages are in track, index order)
    question: NotRequired[str]
    context: NotRequired[str]
    answer: NotRequired[str]
    aliases: NotRequired[list[str]]
    releaseOrpha: NotRequired[str]  # the release's ORPHA_code cell
    releaseCategory: NotRequired[str]
    relationType: NotRequired[str]
    mustInclude: NotRequired[list[str]]
    mustNot: NotRequired[list[str]]
    goldenMainline: NotRequired[list[str]]
    keyTests: NotRequired[list[str]]
    redFlags: NotRequired[list[str]]
    evidencePoints: NotRequired[str]
    requiredFindings: NotRequired[list[str]]
    finalDiagnosis: NotRequired[str]
    imagePaths: NotRequired[list[str]]
    extraColumns: NotRequired[str]  # JSON: columns outside the format
    hasImageCell: NotRequired[bool]
    nImages: NotRequired[int]
    modalities: NotRequired[list[str]]
    leakFree: NotRequired[bool]
    sourceCase: NotRequired[str]
    pmcid: NotRequired[str]
    cluster: NotRequired[str]  # phenopackets: the publication a case is resampled with
    release: NotRequired[str]


class PredictionRecord(TypedDict):
    predictionId: str  # runId and itemId
    runId: str
    itemId: str
    text: str
    row: NotRequired[int]  # the place in the prediction file
    tokenF1: NotRequired[float]
    exactMatch: NotRequired[float]


class RunRecord(TypedDict):
    runId: str
    model: str
    dataset: NotRequired[str]
    tracks: NotRequired[list[str]]
    condition: NotRequired[str]  # an input condition the run names (a prompt language)
    createdAt: NotRequired[str]
    sourceFile: NotRequired[str]
    sourceSha256: NotRequired[str]
    owner: NotRequired[str]
    chosen: NotRequired[bool]
    extraRows: NotRequired[str]  # JSON: rows kept apart at import
    blankPredictions: NotRequired[int]


class ModelRecord(TypedDict):
    name: str
    family: NotRequired[str]
    domain: NotRequired[str]


class CaseRecord(TypedDict):
    caseId: str
    context: NotRequired[str]
    groupedBy: NotRequired[list[str]]  # what joined its items: shared-image, same-context, case key
    nItems: NotRequired[int]


class ImageRecord(TypedDict):
    sha256: str
    width: NotRequired[int]
    height: NotRequired[int]
    format: NotRequired[str]
    mode: NotRequired[str]
    byteSize: NotRequired[int]
    modality: NotRequired[str]
    blob: NotRequired[str]
    phash: NotRequired[str]
    dhash: NotRequired[str]
    phashInner: NotRequired[str]
    dhashInner: NotRequired[str]
    pixels: NotRequired[str]
    pixelsInner: NotRequired[str]


class DiseaseRecord(TypedDict):
    orphaCode: int
    name: NotRequired[str]
    synonyms: NotRequired[list[str]]
    group: NotRequired[str]
    type: NotRequired[str]
    prevalenceClass: NotRequired[str]
    heads: NotRequired[list[int]]


class JudgementRecord(TypedDict):
    judgementId: str
    judge: NotRequired[str]
    prompt: NotRequired[str]
    reply: NotRequired[str]
    dims: NotRequired[list[int]]
    score: NotRequired[float]
    error: NotRequired[str]


RECORDS: dict[str, type] = {
    "Item": ItemRecord,
    "Prediction": PredictionRecord,
    "Run": RunRecord,
    "Model": ModelRecord,
    "Case": CaseRecord,
    "Image": ImageRecord,
    "Disease": DiseaseRecord,
    "Judgement": JudgementRecord,
}


def as_item(props: Mapping[str, Any]) -> ItemRecord:
    """An Item node's properties as its record (what a store or a dataloader handed over)."""
    return cast(ItemRecord, props)


def as_prediction(props: Mapping[str, Any]) -> PredictionRecord:
    return cast(PredictionRecord, props)


def _many(store: GraphStore, label: str, keys: Iterable[Any]) -> dict[Any, Any]:
    return store.get_many(label, list(keys))


def items(store: GraphStore, ids: Iterable[str]) -> dict[str, ItemRecord]:
    return cast(dict[str, ItemRecord], _many(store, "Item", ids))


def predictions(store: GraphStore, ids: Iterable[str]) -> dict[str, PredictionRecord]:
    return cast(dict[str, PredictionRecord], _many(store, "Prediction", ids))


def stored_metric(prediction: PredictionRecord, prop: str) -> float | None:
    """A metric stored on a prediction under a name known only at run time (a judge's `score_<judge>`,
    a rank metric of the study's rule), None where the prediction has none."""
    value = cast(Mapping[str, Any], prediction).get(prop)
    return None if value is None else float(value)


def listed(item: ItemRecord, prop: str) -> list[str]:
    """A list property named at run time (a track's rubric list, `Track.covered`); [] where it has none."""
    return list(cast(Mapping[str, Any], item).get(prop) or [])


def stored_scores(prediction: PredictionRecord) -> dict[str, float]:
    """Every judge's score on a prediction, by judge (the `score_<judge>` properties)."""
    props = cast(Mapping[str, Any], prediction)
    return {k.removeprefix("score_"): float(v) for k, v in sorted(props.items()) if k.startswith("score_")}
