"""What each judge prompt carries, per track (the reference's information, our wording)."""

from __future__ import annotations

from mmrare.scoring.prompts import render

ITEM = {
    "question": "QUESTION-TEXT",
    "context": "CONTEXT-TEXT",
    "answer": "ANSWER-TEXT",
    "aliases": ["ALIAS-ONE", "ALIAS-TWO"],
    "mustInclude": ["INCLUDE-ONE"],
    "mustNot": ["AVOID-ONE"],
    "goldenMainline": ["CLAIM-ONE", "CLAIM-TWO"],
    "relationType": "Complement",
    "keyTests": ["TEST-ONE"],
    "redFlags": ["FLAG-ONE"],
}
EVERY_FIELD = ("QUESTION-TEXT", "CONTEXT-TEXT", "ANSWER-TEXT", "ALIAS-ONE", "INCLUDE-ONE", "AVOID-ONE")
EVERY_FIELD += ("CLAIM-ONE", "Expected relation: complement", "TEST-ONE", "FLAG-ONE", "RESPONSE-TEXT")
CARRIED = {
    "diagnosis": {"ANSWER-TEXT", "ALIAS-ONE", "RESPONSE-TEXT"},
    "treatment": {"QUESTION-TEXT", "ANSWER-TEXT", "RESPONSE-TEXT", "INCLUDE-ONE", "AVOID-ONE"},
    "crossmodal": {"QUESTION-TEXT", "ANSWER-TEXT", "RESPONSE-TEXT", "CLAIM-ONE", "Expected relation: complement"},
    "examination": {"QUESTION-TEXT", "ANSWER-TEXT", "RESPONSE-TEXT", "TEST-ONE", "FLAG-ONE", "AVOID-ONE"},
}


def test_each_track_carries_exactly_its_fields() -> None:
    for track, carried in CARRIED.items():
        prompt = render(track, ITEM, "RESPONSE-TEXT")
        present = {field for field in EVERY_FIELD if field in prompt}
        assert present == carried, track


def test_empty_lists_and_relation_are_left_out() -> None:
    bare = {"question": "Q", "answer": "A", "relationType": ""}
    assert "Accepted synonyms and abbreviations:" not in render("diagnosis", bare, "R")
    crossmodal = render("crossmodal", bare, "R")
    assert "Expected relation:" not in crossmodal and "Key findings:" not in crossmodal
    assert "\n\n\n" not in crossmodal
    assert "Key tests expected" not in render("examination", bare, "R")


def test_reply_formats_asked_for() -> None:
    assert "three questions below with YES or NO" in render("diagnosis", ITEM, "R")
    assert "six questions below with YES or NO" in render("treatment", ITEM, "R")
    assert "five questions below with YES or NO" in render("crossmodal", ITEM, "R")
    assert "eight scores, one per line" in render("examination", ITEM, "R")


def test_what_must_not_be_done_is_headed_by_the_track() -> None:
    """Examination's must-not list is tests not to order; treatment's is safety violations."""
    assert "Tests that should not be ordered: AVOID-ONE" in render("examination", ITEM, "RESPONSE-TEXT")
    treatment = render("treatment", ITEM, "RESPONSE-TEXT")
    assert "Safety violations to look for: AVOID-ONE" in treatment and "should not be ordered" not in treatment
