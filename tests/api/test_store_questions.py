"""Whole questions answered at once by each store (one Cypher statement on Neo4j, one SQL statement
for the embedded search) give what the composition of primitives gives, and the hand-worked order."""

from __future__ import annotations

import pytest

from mmrare.graph import questions
from tests.api.conftest import Served

MARFAN = "1-5 / 10 000"


@pytest.mark.parametrize(
    ("search", "under", "prevalence", "expected"),
    [
        # names starting with the word (shorter first, then by code), then holding it as a word ("Neonatal
        # Marfan syndrome"), then starting with it inside a word (the synonym "Marfanoid ..." of 2462),
        # then containing it ("Cutis laxa-Marfanoid syndrome")
        ("marfan", None, None, [558, 284963, 284973, 284993, 284979, 2462, 171719]),
        # "MFS" is a synonym of 558 exactly; "Neonatal MFS" holds it as a word; MFS1 and MFS2 start with it
        ("MFS", None, None, [558, 284979, 284963, 284973]),
        ("marfan", 558, None, [558, 284963, 284973]),  # the class itself and its subtypes
        (None, 558, None, [558, 284963, 284973]),  # no text: by ORPHAcode
        ("marfan", None, MARFAN, [558]),
        ("no such disease", None, None, []),
        ("marfan", 99_999_999, None, []),  # a class that does not exist holds nothing
    ],
)
def test_disease_search_in_one_statement(
    served: Served, search: str | None, under: int | None, prevalence: str | None, expected: list[int]
) -> None:
    found = served.store.disease_search(search, under, prevalence, limit=20)
    assert [d["orphaCode"] for d in found] == expected
    composed = questions.disease_search(served.store, search, under, prevalence, 20)
    assert found == composed  # the same properties, not just the same codes


def test_disease_search_limit(served: Served) -> None:
    assert [d["orphaCode"] for d in served.store.disease_search("marfan", limit=2)] == [558, 284963]


def test_report_facts_in_one_statement(served: Served) -> None:
    facts = served.store.report_facts()
    assert facts == questions.report_facts(served.store, [])
    items = {n.ref.key: n.props for n in served.store.select("Item")}
    assert len(facts) == len(items)  # the fixture's run answers every item once
    assert [f.prediction["predictionId"] for f in facts] == sorted(f.prediction["predictionId"] for f in facts)
    for f in facts:
        assert f.item == questions.report_item(items[f.prediction["itemId"]])  # what a report reads of it
        assert "text" not in f.prediction and "track" in f.item and "question" not in f.item
        assert set(f.codes) <= f.classes  # an answer is in its own classes
    marfan = [f for f in facts if f.codes == (558,)]
    for f in marfan:  # in the fixture's classification 558 is under 284993
        assert {558, 284993} <= f.classes and f.prevalence == MARFAN
    assert served.store.report_facts(["no-such-run"]) == []


def test_a_whole_word_outranks_a_longer_word() -> None:
    # the class type-ahead: "neurologic" finds the head "Rare neurologic disease" before the dozens of
    # "Neurological ..." categories that start with it inside a longer word
    assert questions.search_rank(["Rare neurologic disease"], "neurologic") == 2
    assert questions.search_rank(["Neurological muscular channelopathy"], "neurologic") == 3
    assert questions.search_rank(["Neurologic disease"], "neurologic") == 1
    assert questions.search_rank(["neurologic"], "neurologic") == 0
    assert questions.search_rank(["Paraneurologic syndrome"], "neurologic") == 4
    assert questions.search_rank(["Marfan syndrome"], "neurologic") is None
