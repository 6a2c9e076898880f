"""MRareBench T2's deterministic metrics and judge rubric, worked by hand (TF-IDF as the reference's
offline backend; the similarities below are worked out in the comments)."""

from __future__ import annotations

import math

import pytest

from mmrare.core.mrarebench import EvidenceGold, EvidencePoint, EvidencePrediction
from mmrare.scoring.evidence_verification import (
    RubricVerdict,
    attribution_metrics,
    evaluate_evidence,
    hierarchical_score,
    parse_rubric,
    point_image,
    sentences,
)

GOLD = EvidenceGold(
    "1",
    "Marfan syndrome",
    "Lens dislocation. The aorta is wide.",
    (
        EvidencePoint("[Image 1] renal cysts", True, "macro_pattern"),
        EvidencePoint("[Image 2] liver fibrosis", True, "cross_image_integration"),
        EvidencePoint("[Image 2] splenomegaly", False, "other"),
    ),
    n_images=3,
    decisive=frozenset({1, 2}),
    supporting=frozenset({3}),
    task_type="multi-image",
)
REPLY = "Image 1: renal cysts.\nImage 4: a mass."


def test_sentences_split_and_lose_their_numbering() -> None:
    text = "1. Finding one. 2) second finding!\n- bullet ok\n\nab\n* • Image 2 shows it?"
    assert sentences(text) == ["Finding one.", "second finding!", "bullet ok", "Image 2 shows it?"]
    assert sentences("") == [] and sentences("nan") == ["nan"]


def test_point_image_only_from_a_leading_label() -> None:
    assert point_image("[ image 12] a finding") == 12
    assert point_image("  [Image 3]") == 3
    assert point_image("Image 1 a finding") is None and point_image("a finding [Image 1]") is None


def test_image_attribution_worked_by_hand() -> None:
    # cited {1, 4}; images 1-3 exist; gold evidence {1, 2} decisive and {3} supporting
    found = attribution_metrics(REPLY, 3, frozenset({1, 2}), frozenset({3}))
    assert found == {
        "det_n_ref_images": 2,
        "det_image_coverage": 1 / 3,
        "det_image_ref_out_of_range_rate": 1 / 2,  # image 4 does not exist
        "det_image_format_compliance": 1 / 3,  # both lines open with a label, only image 1 is real
        "det_image_attribution_hallucination_rate": 1 / 2,
        "det_image_select_recall": 1 / 2,
        "det_image_select_precision": 1.0,
        "det_image_attribution_offtarget_rate": 0.0,
    }
    # no images and no gold: only the count; 'image #2' and 'IMAGE2' are citations too
    assert attribution_metrics("see image #2 and IMAGE2", 0, frozenset(), frozenset()) == {"det_n_ref_images": 1}
    # no gold evidence set: no hallucination rate (citing unlabelled evidence is not punished)
    assert "det_image_attribution_hallucination_rate" not in attribution_metrics(REPLY, 3, frozenset(), frozenset())


def test_hierarchical_score_gates_cross_image_and_diagnostic_points() -> None:
    layers = ["modality", "micro_pattern", "cross_image_integration", "diagnostic_attribution"]
    # a visual point missed closes both gates: only the modality point counts, 0.5 of 0.5+1.2+2+0.75
    missed = hierarchical_score([1, 0, 1, 1], layers)
    assert missed is not None
    assert missed["hierarchical_required_recall"] == pytest.approx(0.5 / 4.45)
    assert missed["hier_visual_gate"] == 0.0 and missed["hier_level2_cross_recall_raw"] == 1.0
    assert missed["hier_level2_cross_recall_gated"] == 0.0 and missed["hier_level3_diag_recall_gated"] == 0.0
    full = hierarchical_score([1, 1, 1, 0], layers)
    assert full is not None and full["hierarchical_required_recall"] == pytest.approx(3.7 / 4.45)
    assert full["hier_level3_diag_recall_raw"] == 0.0
    # no cross-image point: the cross gate is open
    only_visual = hierarchical_score([1, 1], ["other", "diagnostic_attribution"])
    assert only_visual is not None and only_visual["hier_cross_gate"] == 1.0
    assert only_visual["hier_level2_cross_recall_raw"] is None
    assert hierarchical_score([], []) is None and hierarchical_score([1], ["modality", "other"]) is None


def test_rubric_replies_in_odd_formats() -> None:
    # the first whole yes/no of each line; lines without one are skipped; missing answers are NO
    assert parse_rubric("**YES**\nYesterday\n1) no, not yes\n", 3) == [1, 0, 0]
    assert parse_rubric("Yes. no. YES", 2) == [1, 0]  # one line, one answer
    assert parse_rubric("YES\nYES\nYES\nYES", 2) == [1, 1]
    assert parse_rubric("", 2) == [0, 0] and parse_rubric("YES", 0) == []


def test_deterministic_keys_of_one_row_worked_by_hand() -> None:
    report = evaluate_evidence("M", "MRareBench_EvidenceVerif", [EvidencePrediction("1", REPLY, GOLD)])
    values = report.reference
    # required points against the sentences 'Image 1: renal cysts.' and 'Image 4: a mass.', fitted on the
    # four texts: the first point has the first sentence's terms (cosine 1); the second shares only
    # 'image' (in all four texts: idf 1) with each; its best is the second sentence
    liver = math.log(5 / 2) + 1  # liver, fibrosis and their pairs: one text each
    second = 1 / (math.sqrt(1 + 4 * liver**2) * math.sqrt(1 + 2 * liver**2))
    assert second == pytest.approx(0.0874, abs=1e-4)
    assert values["det_required_meanmaxsim"] == pytest.approx((1 + second) / 2)
    assert all(values[f"det_required_recall@{t}"] == 0.5 for t in (0.3, 0.35, 0.4, 0.5, 0.6))
    # hits [1, 0]: the visual point counts 1.0 of the weights 1.0 + 2.0
    assert values["det_hierarchical_required_recall"] == pytest.approx(1 / 3)
    assert values["det_hierarchical_required_recall_drop"] == pytest.approx(0.5 - 1 / 3)
    # per layer, from the same best similarities
    assert values["det_required_macro_pattern_n_points"] == 1
    assert values["det_required_cross_image_integration_recall@0.3"] == 0.0
    # the attribution keys above, over the one row; it has a distractor image (3 images, 2 decisive)
    assert values["det_image_coverage"] == pytest.approx(1 / 3) and values["n_image_attribution_scored"] == 1
    assert values["det_image_select_recall"] == 0.5 and values["n_image_select_scored_distractor_subset"] == 1
    assert values["n_total"] == 1 and values["det_backend"] == "tfidf"
    assert "required_recall" not in values  # no judge, no rubric keys


def test_a_row_without_sentences_or_required_points() -> None:
    only_optional = EvidenceGold("2", "x", "nan", (EvidencePoint("a rash", False, "other"),), 1)
    report = evaluate_evidence(
        "M", "d", [EvidencePrediction("1", "", GOLD), EvidencePrediction("2", "Image 1: a rash.", only_optional)]
    )
    values = report.reference
    # row 1 says nothing: no similarity keys; row 2 has no required point: none of those keys
    assert "det_required_meanmaxsim" not in values and "det_hierarchical_required_recall" not in values
    # 'a rash' (the term 'rash', in both texts: idf 1) against 'Image 1: a rash.' ('image' and 'image rash'
    # in one text of two: idf ln(3/2) + 1): cosine 1 / sqrt(1 + 2 idf^2), about 0.449, between the thresholds
    own = math.log(3 / 2) + 1
    assert values["det_optional_meanmaxsim"] == pytest.approx(1 / math.sqrt(1 + 2 * own**2))
    assert values["det_optional_recall@0.4"] == 1.0 and values["det_optional_recall@0.5"] == 0.0
    # row 1's coverage is 0 of 3, row 2's 1 of 1
    assert values["det_image_coverage"] == pytest.approx(0.5)
    # row 1 has decisive images and a distractor but cites none: selection recall 0, no precision
    assert values["det_image_select_recall"] == 0.0 and "det_image_select_precision" not in values


def test_judge_keys_from_the_same_replies() -> None:
    rows = [EvidencePrediction("1", REPLY, GOLD)]
    # two required, one optional: five lines (required, optional, then contradiction of each required)
    verdict = RubricVerdict(tuple(parse_rubric("YES\nno\nYes, clearly\nNO", 5)), "raw")
    report = evaluate_evidence("M", "d", rows, [verdict])
    values = report.reference
    assert values["required_recall"] == 0.5 and values["optional_recall"] == 1.0
    assert values["required_contradiction_rate"] == 0.0 and values["full_required_coverage"] == 0.0
    assert values["n_judged_required"] == 1
    assert values["hierarchical_required_recall"] == pytest.approx(1 / 3)
    assert values["hier_visual_gate_pass_rate"] == 1.0 and values["hier_cross_gate_pass_rate"] == 0.0
    assert values["judge_vs_det_required_recall_mae"] == 0.0  # 0.5 by the judge and at similarity 0.5
    assert report.by_task_type == {"multi-image": {"n": 1, "required_recall": 0.5}}
    assert report.by_layer == {
        "cross_image_integration": {"n": 1, "required_recall": 0.0},
        "macro_pattern": {"n": 1, "required_recall": 1.0},
    }
    with pytest.raises(ValueError, match="0 judge verdicts for 1 rows"):
        evaluate_evidence("M", "d", rows, [])
