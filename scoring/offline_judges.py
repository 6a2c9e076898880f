"""Offline judges: the ontology judge for diagnosis and rubric-list checks for the other tracks.

Ontology judge (three YES/NO dimensions, scored by the same rule as an LLM judge's reply):
  exact    - the prediction aligns to a gold ORPHAcode, or equals the answer or an alias;
  category - a disease it aligns to shares an Orphanet head with the gold disease;
  specific - it aligns to a Disorder or a Subtype of disorder (not a group or a vague term) in the
             gold's category: a specific but wrong disease elsewhere earns nothing.
Rubric lists: each must-include entry (treatment), key finding (cross-modal) and key test
(examination) is covered when the prediction holds its content words (stop words aside), with one
word in five allowed missing, so "CTLA4 gene sequencing" never covers "MC2R gene sequencing"; a
cross-modal answer also states its relation (any word form: "complements" states complement). Each
must-not entry is violated when all of its content words appear. Score = (entries covered - entries
violated) / entries to cover, at least 0: a non-answer covers nothing and scores 0, and avoiding
what must not be said earns nothing by itself. Red flags (examination) are differentials to rule
out, not what the answer must list: they are shown in the verdict, not scored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mmrare.core.matching import NameIndex, align_by_name
from mmrare.core.tracks import TRACK_BY_NAME, TRACKS, tracks_judged_offline_by
from mmrare.graph.model import NodeRef
from mmrare.graph.records import listed
from mmrare.graph.store import GraphStore
from mmrare.scoring.judges import JudgeConfig, JudgeRequest, Verdict, verdict_from_reply
from mmrare.scoring.tfidf import STOP_WORDS
from mmrare.scoring.token_f1 import exact_match, tokens

MISSING_PER_WORDS = 5  # an entry of n content words is covered with at most n // 5 of them missing


class OntologyJudge:
    def __init__(self, store: GraphStore) -> None:
        self.tracks = tracks_judged_offline_by("ontology")
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
        self._diseases.update((int(code), props) for code, props in self.store.get_many("Disease", missing).items())
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
            entity = any(props.get(c, {}).get("group") in ("Disorder", "Subtype of disorder") for c in predicted)
            specific = category and entity
            reply = "\n".join(f"{n}. {'YES' if v else 'NO'}" for n, v in enumerate((exact, category, specific), 1))
            verdict = verdict_from_reply("diagnosis", self.prompt_for(r), reply)
            verdict.metadata.update({"predicted": sorted(predicted), "gold": sorted(gold)})
            out.append(verdict)
        return out


def content_words(text: str) -> list[str]:
    """The words that carry an entry's meaning: its tokens without English stop words (all of them
    when every token is one)."""
    words = tokens(text)
    return [w for w in words if w not in STOP_WORDS] or words


def covered(phrase: str, predicted: set[str]) -> bool:
    words = content_words(phrase)
    return bool(words) and sum(w not in predicted for w in words) <= len(words) // MISSING_PER_WORDS


def violated(phrase: str, predicted: set[str]) -> bool:
    words = content_words(phrase)
    return bool(words) and all(w in predicted for w in words)


def states_relation(relation: str, predicted: set[str]) -> bool:
    """The relation (confirm, complement, contrast) in any word form: a token starting with it."""
    stem = relation.strip().lower()
    return bool(stem) and any(w.startswith(stem) for w in predicted)


class RubricListJudge:
    def __init__(self) -> None:
        self.tracks = tracks_judged_offline_by("rubric-lists")
        self.config = JudgeConfig("rubric-lists", "coverage-v2", (("missing_per_words", MISSING_PER_WORDS),))

    def prompt_for(self, request: JudgeRequest) -> str:
        item = request.item
        # MMRareBench's list keys (as they always were: stored verdicts stay keyed by these prompts), and
        # the request's own track's
        own = (*TRACKS, TRACK_BY_NAME[request.track])
        lists = {k: item.get(k, []) for t in own for k in t.rubric_props}
        return (
            f"rubric lists ({request.track})\nitem: {request.item_id}\nlists: {json.dumps(lists, sort_keys=True)}\n"
            f"relation: {item.get('relationType', '')}\nprediction: {request.prediction}"
        )

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]:
        out = []
        for r in requests:
            predicted = set(tokens(r.prediction))
            item = r.item
            must = [entry for prop in TRACK_BY_NAME[r.track].covered for entry in listed(item, prop)]
            checks = [(f"covers {m!r}", covered(m, predicted)) for m in must]
            if item.get("relationType") and "relationType" in TRACK_BY_NAME[r.track].text_props:
                # a track whose items name a relation (cross-modal): the answer must state it
                relation = item["relationType"]
                checks.append((f"states relation {relation!r}", states_relation(relation, predicted)))
            penalties = [(f"avoids {m!r}", not violated(m, predicted)) for m in item.get("mustNot", [])]
            shown = [(f"mentions red flag {m!r}", covered(m, predicted)) for m in item.get("redFlags", [])]
            hits = sum(ok for _, ok in checks) - sum(not ok for _, ok in penalties)
            score = max(0, hits) / len(checks) if checks else 0.0
            dims = [int(ok) for _, ok in (*checks, *penalties)]
            reply = "\n".join(f"{name}: {'met' if ok else 'not met'}" for name, ok in (*checks, *penalties, *shown))
            out.append(Verdict(score, dims, reply, self.prompt_for(r)))
        return out


class OfflineJudge:
    """The default offline judge: the ontology judge for diagnosis, rubric lists for the rest."""

    def __init__(self, store: GraphStore) -> None:
        self.ontology, self.rubric = OntologyJudge(store), RubricListJudge()
        self.tracks = (*self.ontology.tracks, *self.rubric.tracks)
        self.config = JudgeConfig("offline", f"{self.ontology.config.hash}+{self.rubric.config.hash}")

    def _for(self, track: str) -> OntologyJudge | RubricListJudge:
        return self.ontology if TRACK_BY_NAME[track].offline_judge == "ontology" else self.rubric

    def prompt_for(self, request: JudgeRequest) -> str:
        return self._for(request.track).prompt_for(request)

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]:
        return [self._for(r.track).judge_many([r])[0] for r in requests]


def gold_codes(store: GraphStore, item_ids: Sequence[str]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for n in store.neighbours([NodeRef("Item", i) for i in item_ids], "ANSWER_IS"):
        found.setdefault(str(n.start.key), []).append(int(n.node.key))
    return {k: tuple(sorted(v)) for k, v in found.items()}
