"""Offline judges: the ontology judge for diagnosis and rubric-list checks for the other tracks.

Ontology judge (three YES/NO dimensions, scored by the same rule as an LLM judge's reply):
  exact    - the prediction aligns to a gold ORPHAcode, or equals the answer or an alias;
  category - a disease it aligns to shares an Orphanet head with the gold disease;
  specific - it aligns to a Disorder or a Subtype of disorder (not a group or a vague term).
Rubric lists: each must-include entry (treatment), key finding (cross-modal), key test and red flag
(examination) is covered when at least 60% of its tokens appear in the prediction; each must-not
entry is violated when all of its tokens do. Score = checks passed / checks made.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from core.matching import NameIndex, align_by_name
from core.tracks import TRACK_BY_NAME, TRACKS
from graph.model import NodeRef
from graph.store import GraphStore
from scoring.judges import JudgeConfig, JudgeRequest, Verdict, verdict_from_reply
from scoring.token_f1 import exact_match, tokens

COVERAGE = 0.6


class OntologyJudge:
    tracks = ("diagnosis",)

    def __init__(self, store: GraphStore) -> None:
        self.config = JudgeConfig("ontology", "orphanet-alignment-v1", (("fuzzy", 0.9),))
        self.store = store
        self.index = NameIndex.from_store(store)
        self._diseases: dict[int, dict] = {}

    def prompt_for(self, request: JudgeRequest) -> str:
        # everything the verdict depends on, so the cache never serves one item's verdict to another
        golds = [request.item.get("answer", ""), *request.item.get("aliases", [])]
        return (
            f"ontology judge\nitem: {request.item_id}\ngold codes: {list(request.gold_codes)}\n"
            f"gold names: {golds}\nprediction: {request.prediction}"
        )

    def _props(self, codes: set[int]) -> dict[int, dict]:
        missing = [c for c in codes if c not in self._diseases]
        self._diseases.update(self.store.get_many("Disease", missing))
        return {c: self._diseases[c] for c in codes if c in self._diseases}

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]:
        out = []
        for r in requests:
            predicted = set(align_by_name([r.prediction], self.index).codes) if r.prediction.strip() else set()
            gold = set(r.gold_codes)
            props = self._props(predicted | gold)
            golds = [r.item.get("answer", ""), *r.item.get("aliases", [])]
            exact = bool(predicted & gold) or exact_match(r.prediction, golds) == 1.0
            gold_heads = {h for c in gold for h in props.get(c, {}).get("heads", [])}
            pred_heads = {h for c in predicted for h in props.get(c, {}).get("heads", [])}
            category = exact or bool(gold_heads & pred_heads)
            specific = any(props.get(c, {}).get("group") in ("Disorder", "Subtype of disorder") for c in predicted)
            reply = "\n".join(f"{n}. {'YES' if v else 'NO'}" for n, v in enumerate((exact, category, specific), 1))
            verdict = verdict_from_reply("diagnosis", self.prompt_for(r), reply)
            verdict.metadata.update({"predicted": sorted(predicted), "gold": sorted(gold)})
            out.append(verdict)
        return out


def _covered(phrase: str, predicted: set[str]) -> bool:
    words = tokens(phrase)
    return bool(words) and sum(w in predicted for w in words) / len(words) >= COVERAGE


def _violated(phrase: str, predicted: set[str]) -> bool:
    words = tokens(phrase)
    return bool(words) and all(w in predicted for w in words)


class RubricListJudge:
    tracks = ("treatment", "crossmodal", "examination")

    def __init__(self) -> None:
        self.config = JudgeConfig("rubric-lists", "coverage-v1", (("coverage", COVERAGE),))

    def prompt_for(self, request: JudgeRequest) -> str:
        item = request.item
        lists = {k: item.get(k, []) for t in TRACKS for k in t.rubric_props}
        return (
            f"rubric lists ({request.track})\nitem: {request.item_id}\nlists: {json.dumps(lists, sort_keys=True)}\n"
            f"relation: {item.get('relationType', '')}\nprediction: {request.prediction}"
        )

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]:
        out = []
        for r in requests:
            predicted = set(tokens(r.prediction))
            item = r.item
            must = [entry for prop in TRACK_BY_NAME[r.track].covered for entry in item.get(prop, [])]
            checks = [(f"covers {m!r}", _covered(m, predicted)) for m in must]
            checks += [(f"avoids {m!r}", not _violated(m, predicted)) for m in item.get("mustNot", [])]
            if r.track == "crossmodal" and item.get("relationType"):
                checks.append((f"states relation {item['relationType']!r}", item["relationType"] in predicted))
            dims = [int(ok) for _, ok in checks]
            score = sum(dims) / len(dims) if dims else 0.0
            reply = "\n".join(f"{name}: {'met' if ok else 'not met'}" for name, ok in checks)
            out.append(Verdict(score, dims, reply, self.prompt_for(r)))
        return out


class OfflineJudge:
    """The default offline judge: the ontology judge for diagnosis, rubric lists for the rest."""

    tracks = ("diagnosis", "treatment", "crossmodal", "examination")

    def __init__(self, store: GraphStore) -> None:
        self.ontology, self.rubric = OntologyJudge(store), RubricListJudge()
        self.config = JudgeConfig("offline", f"{self.ontology.config.hash}+{self.rubric.config.hash}")

    def _for(self, track: str) -> OntologyJudge | RubricListJudge:
        return self.ontology if track == "diagnosis" else self.rubric

    def prompt_for(self, request: JudgeRequest) -> str:
        return self._for(request.track).prompt_for(request)

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]:
        return [self._for(r.track).judge_many([r])[0] for r in requests]


def gold_codes(store: GraphStore, item_ids: Sequence[str]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for n in store.neighbours([NodeRef("Item", i) for i in item_ids], "ANSWER_IS"):
        found.setdefault(str(n.start.key), []).append(int(n.node.key))
    return {k: tuple(sorted(v)) for k, v in found.items()}
