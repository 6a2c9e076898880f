"""The held-out policy's trimming of a report: no mean over fewer items than the minimum group."""

from __future__ import annotations

import math

from mmrare.api.auth import Principal
from mmrare.api.policy import ReleasePolicy
from mmrare.scoring.report import stratify
from tests.support.score_rows import FULL, HALF


def test_a_held_out_report_hides_means_over_few_items() -> None:
    report = stratify([*FULL, *HALF], "track", "m", resamples=20)
    policy = ReleasePolicy("held-out", min_group=3, runs_per_day=5)
    evaluator = Principal("someone", "evaluator")
    trimmed = policy.trim_report(evaluator, report)
    # Full's four items reach the minimum of three; Half's two and the two common items do not
    assert trimmed.micro["Full"] == 50.0 and math.isnan(trimmed.micro["Half"])
    assert all(math.isnan(v) for v in trimmed.common_micro.values())
    assert trimmed.lines == []  # every group holds two items
    assert policy.trim_report(Principal("boss", "maintainer"), report) == report
