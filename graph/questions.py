"""Whole questions a store answers at once: what a report needs of each prediction, and a disease
search. The functions here compose the store primitives; that is the meaning both stores must give
(the Neo4j store answers each in one statement, cypher/report_facts.cypher and
cypher/disease_search.cypher; the embedded store answers the search in one SQL statement).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mmrare.graph.model import Direction, NodeRef, Props
from mmrare.graph.store import Where

if TYPE_CHECKING:
    from mmrare.graph.store import GraphStore


@dataclass(frozen=True)
class PredictionFacts:
    """One prediction with what a stratified report needs of its run, model, item and answer (of the
    prediction and the item, only what a report reads: report_prediction, report_item)."""

    run_id: str
    model: str
    domain: str | None
    prediction: Props
    item: Props
    case_id: str | None
    codes: tuple[int, ...]  # the answer's ORPHAcodes, ascending
    classes: frozenset[int]  # every class an answer disease descends from, itself included
    prevalence: str | None  # the headline class of the first answer code that has one
    heads: tuple[str, ...]  # names of the answer's classification heads, sorted


# What a report reads of an item; of a prediction, its ids and its numbers (scores and metrics), never
# its text or candidate lists. cypher/report_facts.cypher picks the same.
REPORT_ITEM_FIELDS = ("track", "cluster", "modalities", "nImages", "leakFree", "nObserved", "cohort")
PREDICTION_IDS = ("predictionId", "itemId")


def report_item(props: Props) -> Props:
    return {k: props[k] for k in REPORT_ITEM_FIELDS if props.get(k) is not None}


def report_prediction(props: Props) -> Props:
    return {k: v for k, v in props.items() if k in PREDICTION_IDS or isinstance(v, int | float)}


@dataclass(frozen=True)
class CodeFacts:
    """What a report needs of one answer code."""

    classes: frozenset[int]  # every class it descends from, itself included
    prevalence: str | None  # its headline prevalence class
    heads: frozenset[str]  # the names of its classification heads


def code_facts(store: GraphStore, codes: set[int]) -> dict[int, CodeFacts]:
    """The facts of each code, from the store's primitives (a report has a few hundred codes at most)."""
    diseases = store.get_many("Disease", codes)
    head_names = {
        int(k): v.get("name", str(k))
        for k, v in store.get_many("Disease", {h for d in diseases.values() for h in d.get("heads", [])}).items()
    }
    refs = [NodeRef("Disease", c) for c in codes]
    closure = store.closure_each(refs, "SUBCLASS_OF", Direction.OUT, include_self=True)
    classes_of = {int(ref.key): frozenset(int(a.key) for a in reached) for ref, reached in closure.items()}
    out = {}
    for code in codes:
        disease = diseases.get(code, {})
        heads = frozenset(head_names[h] for h in disease.get("heads", []) if h in head_names)
        out[code] = CodeFacts(classes_of.get(code, frozenset()), disease.get("prevalenceClass") or None, heads)
    return out


@dataclass(frozen=True)
class Answer:
    """An item's answer codes (ascending) with what a report needs of them together: every class they
    descend from, the prevalence of the first code that has one, their heads' names (sorted)."""

    codes: tuple[int, ...]
    classes: frozenset[int]
    prevalence: str | None
    heads: tuple[str, ...]


class Answers:
    """The answers of a report's items from the facts of their codes, each set of codes worked out
    once: the runs of a report answer the same items."""

    def __init__(self, known: dict[int, CodeFacts]) -> None:
        self.known = known
        self._made: dict[tuple[int, ...], Answer] = {}

    def of(self, codes: Sequence[int]) -> Answer:
        asked = tuple(codes)
        made = self._made.get(asked)
        if made is None:
            ordered = tuple(sorted(asked))
            facts = [self.known[c] for c in ordered if c in self.known]
            made = self._made[asked] = Answer(
                ordered,
                frozenset().union(*(f.classes for f in facts)),
                next((f.prevalence for f in facts if f.prevalence), None),
                tuple(sorted(frozenset().union(*(f.heads for f in facts)))),
            )
        return made


def prediction_facts(
    run_id: str, model: str, domain: str | None, prediction: Props, item: Props, case_id: str | None, answer: Answer
) -> PredictionFacts:
    """One prediction's facts: what a report reads of the prediction and of the item, and its answer."""
    return PredictionFacts(
        run_id=run_id,
        model=model,
        domain=domain,
        prediction=report_prediction(prediction),
        item=report_item(item),
        case_id=case_id,
        codes=answer.codes,
        classes=answer.classes,
        prevalence=answer.prevalence,
        heads=answer.heads,
    )


def report_facts(store: GraphStore, run_ids: Sequence[str]) -> list[PredictionFacts]:
    """The facts of every prediction of the runs (all runs when none are named), by run in the
    order given (by run id for all), then by prediction id. Runs that do not exist are skipped;
    so are predictions whose item is gone."""
    if run_ids:
        found = store.get_many("Run", run_ids)
        runs = [(r, found[r]) for r in dict.fromkeys(run_ids) if r in found]
    else:
        runs = [(str(n.ref.key), n.props) for n in store.select("Run")]
    models = store.get_many("Model", {props["model"] for _, props in runs})
    # every run's predictions in one question each for the edges and the nodes (not one per run)
    keys_of: dict[str, list] = defaultdict(list)
    for n in store.neighbours([NodeRef("Run", run_id) for run_id, _ in runs], "IN_RUN", Direction.IN):
        keys_of[str(n.start.key)].append(n.node.key)
    found_preds = store.get_many("Prediction", [k for keys in keys_of.values() for k in keys])
    preds_of = {
        run_id: [found_preds[k] for k in sorted(keys_of[run_id], key=str) if k in found_preds] for run_id, _ in runs
    }
    items = store.get_many("Item", {p["itemId"] for ps in preds_of.values() for p in ps})
    item_refs = [NodeRef("Item", i) for i in items]
    case_of = {str(n.start.key): str(n.node.key) for n in store.neighbours(item_refs, "ABOUT")}
    codes_of: dict[str, list[int]] = defaultdict(list)
    for n in store.neighbours(item_refs, "ANSWER_IS"):
        codes_of[str(n.start.key)].append(int(n.node.key))
    answers = Answers(code_facts(store, {c for cs in codes_of.values() for c in cs}))
    out = []
    for run_id, run in runs:
        domain = models.get(run["model"], {}).get("domain")
        for p in preds_of[run_id]:
            item_id = p["itemId"]
            item = items.get(item_id)
            if item is not None:
                answer = answers.of(codes_of.get(item_id, []))
                out.append(prediction_facts(run_id, run["model"], domain, p, item, case_of.get(item_id), answer))
    return out


def search_rank(names: Sequence[str], needle: str) -> int | None:
    """0 when a name is the needle, 1 when one starts with it as a whole word, 2 when it is a whole
    word elsewhere in one, 3 when one starts with it inside a longer word, 4 when one contains it
    (case folded by str.lower, the needle already lowered; words are separated by spaces); None when
    none does. "neurologic" finds "Rare neurologic disease" (2) before "Neurological ..." (3)."""

    def rank(low: str) -> int:
        if low == needle:
            return 0
        if (low + " ").startswith(needle + " "):
            return 1
        if f" {needle} " in f" {low} ":
            return 2
        return 3 if low.startswith(needle) else 4

    return min((rank(x.lower()) for x in names if needle in x.lower()), default=None)


def disease_search(
    store: GraphStore, search: str | None, under: int | None, prevalence: str | None, limit: int
) -> list[Props]:
    """Diseases (under a class, of a prevalence class) whose name or a synonym contains the text:
    exact matches first, then prefixes, then the rest, shorter names first, then by ORPHAcode. No
    text: by ORPHAcode."""
    nodes = store.select("Disease", [Where("prevalenceClass", "eq", prevalence)] if prevalence else [])
    if under is not None:
        keep = {
            r.key for r in store.closure([NodeRef("Disease", under)], "SUBCLASS_OF", Direction.IN, include_self=True)
        }
        nodes = [n for n in nodes if n.ref.key in keep]
    if search:
        needle = search.lower()
        scored = []
        for n in nodes:
            rank = search_rank([n.props.get("name", ""), *n.props.get("synonyms", [])], needle)
            if rank is not None:
                scored.append((rank, len(n.props.get("name", "")), n.ref.key, n))
        nodes = [t[3] for t in sorted(scored, key=lambda t: t[:3])]
    return [n.props for n in nodes[:limit]]
