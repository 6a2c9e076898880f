"""Stratified reports on hand-built rows: models that answered different items are ranked on the items
all of them answered, and marked incomplete."""

from __future__ import annotations

import gc
import math

from mmrare.graph.embedded import EmbeddedStore
from mmrare.scoring.report import collect_rows, stratify
from tests.support.score_rows import FULL, HALF, row


def test_models_are_ranked_on_the_items_all_answered() -> None:
    report = stratify([*FULL, *HALF], "track", "m", resamples=20)
    # by its own items Half (100) would rank above Full (50) with identical answers
    assert report.micro == {"Full": 50.0, "Half": 100.0}
    # on the two items both answered they tie
    assert report.common_items == 2 and report.common_micro == {"Full": 100.0, "Half": 100.0}
    assert report.complete == {"Full": True, "Half": False} and not report.same_items
    # two cases: too few for an interval
    assert all(math.isnan(v) for v in report.common_micro_ci["Half"])
    same = stratify(FULL, "track", "m", resamples=20)
    assert same.same_items and same.common_micro == same.micro == {"Full": 50.0}


def test_combined_groupings_order_prevalence_classes_whole() -> None:
    # a prevalence class holds " / " itself: "prevalence,images" crashed reading "10 000" as a count
    rows = [
        row("A", "diagnosis:1", 1, "1-9 / 100 000", 10),
        row("A", "diagnosis:2", 0, "1-9 / 100 000", 3),
        row("A", "diagnosis:3", 1, "1-5 / 10 000", 3),
    ]
    report = stratify(rows, "prevalence,images", "m", resamples=20)
    assert [line.group for line in report.lines] == ["1-5 / 10 000 / 3", "1-9 / 100 000 / 3", "1-9 / 100 000 / 10"]


def test_report_rows_are_gathered_with_the_cycle_collector_paused() -> None:
    """At ten times the paper the collector's passes over the rows cost a third of the report."""
    seen = []

    def facts_of(run_ids: object) -> list:
        seen.append(gc.isenabled())
        return []

    assert gc.isenabled()
    assert collect_rows(EmbeddedStore(None), facts_of=facts_of) == []
    assert seen == [False] and gc.isenabled()
