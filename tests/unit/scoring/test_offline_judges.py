from __future__ import annotations

from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NodeRef
from mmrare.graph.store import RelRow
from mmrare.scoring.judges import JudgeRequest
from mmrare.scoring.offline_judges import OntologyJudge, RubricListJudge


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
        ([0, 0, 0], 0.0),  # a specific disorder under another head: wrong, and earns nothing
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
    # 'betablocker' vs 'beta blocker': [betablocker, therapy] may miss 2 // 5 = 0 words: not covered;
    # 'contact sports' is avoided, which earns nothing by itself: 1 covered of 3, no violation
    assert v.dims == [1, 0, 0, 1] and v.score == 1 / 3
    # a non-answer covers nothing and avoids everything: 0 (it earned 1 of 4 checks before)
    [idk] = judge.judge_many([JudgeRequest("treatment:0", "treatment", item, "I am not sure.")])
    assert idk.score == 0.0
    # one word of two missing is too many ('CTLA4 gene sequencing' against 'MC2R gene sequencing',
    # content words [mc2r, gene, sequencing]: one missing of three, none allowed)
    gene = {"mustInclude": ["MC2R gene sequencing"]}
    [other] = judge.judge_many([JudgeRequest("treatment:1", "treatment", gene, "CTLA4 gene sequencing")])
    [same] = judge.judge_many([JudgeRequest("treatment:1", "treatment", gene, "Sequencing of the MC2R gene.")])
    assert (other.score, same.score) == (0.0, 1.0)
    # five content words ("and" is a stop word) may miss one: "hydroxyurea" absent, the other four present
    long = {"mustInclude": ["hydroxyurea and regular blood transfusion therapy"], "mustNot": ["aspirin"]}
    [four] = judge.judge_many([JudgeRequest("treatment:2", "treatment", long, "Regular blood transfusion therapy.")])
    assert four.score == 1.0
    # saying what must not be said takes one entry back: (1 - 1) / 1, never below 0
    [bad] = judge.judge_many(
        [JudgeRequest("treatment:2", "treatment", long, "Transfusion therapy, regular blood; aspirin")]
    )
    assert bad.dims == [1, 0] and bad.score == 0.0
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
    # the relation in another word form counts ('complements' states complement); 'confirm' is absent
    request = JudgeRequest(
        "crossmodal:1",
        "crossmodal",
        {"goldenMainline": ["Figure 1 shows a dilated aortic root"], "relationType": "complement"},
        "Figure 2 complements figure 1, which shows a dilated aortic root.",
    )
    [x] = judge.judge_many([request])
    assert x.dims == [1, 1] and x.score == 1.0
    [y] = judge.judge_many([JudgeRequest("crossmodal:1", "crossmodal", request.item, "Figure 2 contrasts with it.")])
    assert y.dims == [0, 0] and y.score == 0.0
    # examination: key tests are scored; red flags are shown in the verdict, not scored
    exam = {"keyTests": ["brain MRI", "skeletal survey"], "redFlags": ["Alexander disease"], "mustNot": []}
    [z] = judge.judge_many([JudgeRequest("examination:0", "examination", exam, "Order a brain MRI.")])
    assert z.dims == [1, 0] and z.score == 0.5 and "mentions red flag 'Alexander disease': not met" in z.reply


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


def test_only_a_track_whose_items_name_a_relation_is_checked_for_it() -> None:
    """A treatment item carrying a relation (no release has one) is not asked to state it; a
    cross-modal item is."""
    judge = RubricListJudge()
    counselling = ["genetic counselling"]
    item = {"mustInclude": counselling, "goldenMainline": counselling, "relationType": "confirm"}
    answer = "Offer genetic counselling."
    [treatment] = judge.judge_many([JudgeRequest("treatment:0", "treatment", item, answer)])
    [crossmodal] = judge.judge_many([JudgeRequest("crossmodal:0", "crossmodal", item, answer)])
    assert (treatment.dims, treatment.score) == ([1], 1.0)
    assert "states relation 'confirm': not met" in crossmodal.reply and crossmodal.dims == [1, 0]
    assert crossmodal.score == 0.5
