"""The Ladder on hand-worked sequences: a value moves only on a clear improvement, on its grid."""

from __future__ import annotations

import math

import pytest

from mmrare.scoring.ladder import Rung, interval_from_n, ladder, laddered_report, on_grid, step_for
from mmrare.scoring.report import ScoreRow, stratify


def test_the_step_is_two_standard_errors_of_a_coin() -> None:
    assert step_for(100) == 10.0 and step_for(25) == 20.0 and step_for(400) == 5.0
    assert step_for(0) == math.inf


def test_values_are_rounded_to_the_grid_within_0_100() -> None:
    assert on_grid(53.0, 10.0) == 50.0 and on_grid(56.0, 10.0) == 60.0
    assert on_grid(99.9, 20.0) == 100.0  # 4.995 steps round to 5, and 100 is the top
    assert on_grid(4.0, 10.0) == 0.0


def test_only_an_improvement_of_more_than_a_step_moves_the_value() -> None:
    # n = 100: step 10. 53 -> 50 on the grid; 58 is not above 60; 64 is (-> 60); 71 above 70 (-> 70);
    # a worse run leaves 70 shown
    means = [53.0, 58.0, 64.0, 71.0, 40.0]
    assert ladder([Rung(m, 100) for m in means]) == [50.0, 50.0, 60.0, 70.0, 70.0]


def test_one_answer_changed_is_never_seen() -> None:
    # the differential attack: 245 and 246 right of 400 (61.25 and 61.5); step 5, both show 60
    assert ladder([Rung(61.25, 400), Rung(61.5, 400)]) == [60.0, 60.0]
    # nor going down: 246 then 245
    assert ladder([Rung(61.5, 400), Rung(61.25, 400)]) == [60.0, 60.0]


def test_a_run_without_a_mean_keeps_what_is_shown() -> None:
    shown = ladder([Rung(math.nan, 0), Rung(30.0, 25), Rung(math.nan, 0)])
    assert math.isnan(shown[0]) and shown[1:] == [40.0, 40.0]  # 30 on a grid of 20 is 40 (1.5 rounds to 2)


def test_an_interval_from_n_alone() -> None:
    assert interval_from_n(50.0, 100) == pytest.approx((40.2, 59.8))
    assert interval_from_n(95.0, 100) == pytest.approx((85.2, 100.0))
    assert all(math.isnan(v) for v in interval_from_n(math.nan, 100))


def row(run: str, model: str, item: int, score: float, head: str) -> ScoreRow:
    return ScoreRow(
        run, model, "general", f"diagnosis:{item}", "diagnosis", f"case:{item}", (), (head,), frozenset(),
        "Unknown", (), 1, None, {"m": score},
    )  # fmt: skip


def submission(run: str, model: str, right: int) -> list[ScoreRow]:
    """16 items, the first `right` answered right; items 0-7 are head A, 8-15 head B."""
    return [row(run, model, i, 1.0 if i < right else 0.0, "A" if i < 8 else "B") for i in range(16)]


def test_a_report_shows_each_submitter_the_ladder_over_their_runs() -> None:
    # three runs under three model names; n = 16, step 25 overall; 8 per head, step 35.36
    runs = {"r1": submission("r1", "m1", 8), "r2": submission("r2", "m2", 12), "r3": submission("r3", "m3", 16)}
    history = [r for rows in runs.values() for r in rows]
    by_track = laddered_report(stratify(history, "track", "m", resamples=0), history, ["r1", "r2", "r3"])
    # overall: 50 shown (on the grid of 25); 75 is not above 75; 100 is above 75 -> 100
    assert by_track.micro == {"m1": 50.0, "m2": 50.0, "m3": 100.0}
    assert [line.mean for line in by_track.lines] == [50.0, 50.0, 100.0]
    assert by_track.lines[0].ci_low == pytest.approx(50.0 - 98 / 4)  # from n = 16 alone
    by_head = laddered_report(stratify(history, "head", "m", resamples=0), history, ["r1", "r2", "r3"])
    shown = {(line.model, line.group): line.mean for line in by_head.lines}
    # head A is 100 in every run. Head B: 0 first; then 50, above 0 + 35.36, shown on the grid
    # (50 / 35.36 = 1.41 steps -> one step, 35.36); then 100, above 35.36 + 35.36, shown as 100
    assert shown[("m1", "A")] == shown[("m2", "A")] == shown[("m3", "A")] == 100.0
    assert shown[("m1", "B")] == 0.0
    assert shown[("m2", "B")] == pytest.approx(100 / math.sqrt(8))
    assert shown[("m3", "B")] == 100.0
    # submitted in the other order, the best run comes first and nothing after it moves the value
    backwards = laddered_report(stratify(history, "track", "m", resamples=0), history, ["r3", "r2", "r1"])
    assert backwards.micro == {"m1": 100.0, "m2": 100.0, "m3": 100.0}
