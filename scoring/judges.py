"""Judges behind one interface: a judge turns (item, prediction) into a score with its provenance.

A judge's configuration (kind, model, decoding settings, prompt templates) is hashed; every
judgement is stored with that hash, its prompt and its raw reply, so the same judgement is never
asked for twice and every score can be traced to the exact wording that produced it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mmrare.core.tracks import judged_as
from mmrare.graph.records import ItemRecord
from mmrare.scoring import prompts
from mmrare.scoring.reply_parsing import PARSERS


@dataclass(frozen=True)
class JudgeConfig:
    name: str  # e.g. "openai", "offline"
    model: str  # the judge model, or the offline method's version
    settings: tuple[tuple[str, Any], ...] = ()  # decoding: temperature, max_tokens, ...
    templates: tuple[tuple[str, str], ...] = ()

    @property
    def hash(self) -> str:
        doc = {
            "name": self.name,
            "model": self.model,
            "settings": list(self.settings),
            "templates": list(self.templates),
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class JudgeRequest:
    item_id: str
    track: str
    item: ItemRecord  # the Item's properties (answer key included: judges see it)
    prediction: str
    gold_codes: tuple[int, ...] = ()
    images: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """One judgement: score in [0, 1] (the reference rules may exceed 1 only for odd x/y replies)."""

    score: float
    dims: list[int]
    reply: str
    prompt: str
    error: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


class Judge(Protocol):
    config: JudgeConfig
    tracks: tuple[str, ...]

    def prompt_for(self, request: JudgeRequest) -> str: ...

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]: ...


# Judges we built that work without a model; their numbers are ours, never the reference's.
OFFLINE_JUDGES = ("offline", "ontology", "rubric-lists")


def judge_origin(name: str | None) -> str:
    """How a judge's numbers relate to the reference evaluator, for every place a judge is shown."""
    if name in OFFLINE_JUDGES:
        return "ours (offline, not the reference's judge; not comparable with the paper's judge scores)"
    return "LLM judge: replies parsed and averaged by the reference's rules; prompt wording ours"


def judgement_id(config: JudgeConfig, prompt: str) -> str:
    return hashlib.sha256(f"{config.hash}\n{prompt}".encode()).hexdigest()[:32]


def llm_templates() -> tuple[tuple[str, str], ...]:
    return (("strictness", prompts.STRICTNESS), *sorted(prompts.TEMPLATES.items()))


def verdict_from_reply(track: str, prompt: str, reply: str) -> Verdict:
    """A judge's reply scored by the reply rule of the prompt the track is judged by."""
    score, dims = PARSERS[judged_as(track) or track](reply)
    return Verdict(score, dims, reply, prompt)


def failed(prompt: str, error: str) -> Verdict:
    """A failed judge call scores 0, as in the reference, and is recorded as an error."""
    return Verdict(0.0, [], "", prompt, error=error)
