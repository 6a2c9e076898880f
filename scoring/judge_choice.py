"""Choosing a judge by name: the one place the CLI and the service turn a name into a judge."""

from __future__ import annotations

from graph.store import GraphStore
from scoring.judges import OFFLINE_JUDGES, Judge
from scoring.offline_judges import OfflineJudge, OntologyJudge, RubricListJudge
from scoring.openai_judge import OpenAIJudge, OpenAISettings

JUDGES = (*OFFLINE_JUDGES, "openai")


def make_judge(name: str, store: GraphStore, openai: OpenAISettings | None = None) -> Judge:
    if name == "openai":
        if openai is None:
            raise ValueError("the openai judge needs a base URL and a judge model (--base-url, --judge-model)")
        return OpenAIJudge(openai)
    if name == "offline":
        return OfflineJudge(store)
    if name == "ontology":
        return OntologyJudge(store)
    if name == "rubric-lists":
        return RubricListJudge()
    raise ValueError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
