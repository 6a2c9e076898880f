from __future__ import annotations

from graph.embedded import EmbeddedStore
from graph.model import NodeRef
from graph.store import RelRow
from scoring.judges import JudgeRequest
from scoring.offline_judges import OntologyJudge, RubricListJudge


def small_ontology() -> EmbeddedStore:
    store = EmbeddedStore(None)
    with store.transaction() as tx:
        tx.upsert_nodes(
            "Disease",
            [
                {"orphaCode": 1, "name": "Rare bone disease", "group": "Category", "heads": [1]},
                {"orphaCode": 2, "name": "Rare eye disease", "group": "Category", "heads": [2]},
                {"orphaCode": 10, "name": "Marfan syndrome", "synonyms": ["MFS"], "group": "Disorder", "heads": [1]},
                {"orphaCode": 11, "name": "Loeys-Dietz syndrome", "group": "Disorder", "heads": [1]},
                {"orphaCode": 12, "name": "Aniridia", "group": "Disorder", "heads": [2]},
                {"orphaCode": 13, "name": "Connective tissue disorder", "group": "Group of disorders", "heads": [1]},
            ],
        )
        tx.upsert_rels("SUBCLASS_OF", [RelRow(NodeRef("Disease", c), NodeRef("Disease", 1)) for c in (10, 11, 13)])
    return store


def diagnosis(prediction: str) -> JudgeRequest:
    item = {"answer": "Marfan syndrome", "aliases": ["MFS"]}
    return JudgeRequest("diagnosis:0", "diagnosis", item, prediction, gold_codes=(10,))


def test_ontology_judge_dimensions_and_scores() -> None:
    judge = OntologyJudge(small_ontology())
    verdicts = judge.judge_many(
        [
            diagnosis(p)
            for p in (
                "Marfan syndrome",
                "mfs",
                "Loeys-Dietz syndrome",
                "Aniridia",
                "Connective tissue disorder",
                "no idea",
                "",
            )
        ]
    )
    got = [(v.dims, v.score) for v in verdicts]
    assert got == [
        ([1, 1, 1], 1.0),  # exact, category, specific: (3 + 1 + 1) / 5
        ([1, 1, 1], 1.0),  # the alias
        ([0, 1, 1], 0.2),  # a sibling under the same head: (1 + 1) / 10
        ([0, 0, 1], 0.1),  # another head
        ([0, 1, 0], 0.1),  # a group, not a specific disorder
        ([0, 0, 0], 0.0),
        ([0, 0, 0], 0.0),
    ]
    assert verdicts[2].metadata == {"predicted": [11], "gold": [10]}


def test_rubric_lists() -> None:
    judge = RubricListJudge()
    item = {
        "mustInclude": ["genetic counselling", "beta-blocker therapy", "annual echocardiography"],
        "mustNot": ["contact sports"],
    }
    [v] = judge.judge_many(
        [
            JudgeRequest(
                "treatment:0", "treatment", item, "Start beta blocker therapy, give genetic counselling; avoid nothing."
            )
        ]
    )
    # 'betablocker' vs 'beta blocker': covered needs 60% of [betablocker, therapy] -> 1 of 2 = 50%: not covered
    assert v.dims == [1, 0, 0, 1] and v.score == 0.5
    [w] = judge.judge_many(
        [
            JudgeRequest(
                "crossmodal:0",
                "crossmodal",
                {"goldenMainline": ["Figure 1 shows a dilated aortic root"], "relationType": "confirm"},
                "Figure 1 shows an aortic root that is dilated; figure 2 does confirm it",
            )
        ]
    )
    assert w.dims == [1, 1] and w.score == 1.0


def test_prompts_hold_everything_the_verdict_depends_on() -> None:
    # the judgement cache is keyed by config and prompt: two items with the same prediction but
    # different rubrics must not share a prompt
    judge = RubricListJudge()
    a = JudgeRequest("treatment:1", "treatment", {"mustInclude": ["physiotherapy"]}, "physiotherapy")
    b = JudgeRequest("treatment:2", "treatment", {"mustInclude": ["surgery"]}, "physiotherapy")
    assert judge.prompt_for(a) != judge.prompt_for(b)
    assert [v.score for v in judge.judge_many([a, b])] == [1.0, 0.0]
    ontology = OntologyJudge(small_ontology())
    assert ontology.prompt_for(diagnosis("MFS")) != ontology.prompt_for(
        JudgeRequest("diagnosis:0", "diagnosis", {"answer": "Aniridia"}, "MFS", gold_codes=(12,))
    )
