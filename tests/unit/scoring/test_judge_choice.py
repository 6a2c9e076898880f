"""Metric names: every spelling a surface takes stands for one Prediction property, and every surface
shows one name for it (scoring/judge_choice.py)."""

from __future__ import annotations

import pytest

from mmrare.scoring.judge_choice import METRICS, canonical_metric, metric_property


@pytest.mark.parametrize(
    ("spelling", "prop", "shown"),
    [
        ("offline", "score_offline", "offline"),
        ("score_offline", "score_offline", "offline"),
        ("judge:offline", "score_offline", "offline"),
        ("rubric-lists", "score_rubric_lists", "rubric-lists"),
        ("score_rubric_lists", "score_rubric_lists", "rubric-lists"),
        ("tokenF1", "tokenF1", "token_f1"),
        ("token_f1", "tokenF1", "token_f1"),
        ("exactMatch", "exactMatch", "exact"),
        ("hit1", "hit1", "hit@1"),
        ("groundedRR", "groundedRR", "grounded_rr"),
    ],
)
def test_each_spelling_names_one_property_and_is_shown_one_way(spelling: str, prop: str, shown: str) -> None:
    assert metric_property(spelling) == prop
    assert canonical_metric(spelling) == shown


def test_the_shown_names_are_the_metrics_every_surface_takes() -> None:
    assert all(canonical_metric(m) == m for m in METRICS)
    with pytest.raises(ValueError, match="'f1' is not a metric"):
        canonical_metric("f1")
