"""The branch points on benchmark or track names outside the benchmarks' own modules
(tools/branch_points.py): the counter itself on hand-written sources, and a ceiling for the
repository, now none (DESIGN.md section 12: a new benchmark adds its module, not branches)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CEILING = 0  # 23 when counted first (commit b6e61fa); 0 since the tracks are composed of parts (core/tracks.py)


def _tool():
    spec = importlib.util.spec_from_file_location("branch_points", ROOT / "tools" / "branch_points.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_counter_finds_comparisons_constants_flags_and_evaluator_choices() -> None:
    tool = _tool()
    source = "\n".join(
        [
            'if item["track"] == "diagnosis": pass',  # 1: a literal name
            'ok = track in ("treatment", "other")',  # 2: a literal in a tuple
            "same = p.get('track') != TRACK",  # 3: a constant holding a name
            "pooled = not spec.has_conditions",  # 4: a shape flag read
            'wanted = tracks_scored_by("VLMEvalKit")',  # 5: tracks chosen by their evaluator
            'labels = {"diagnosis": "Diagnosis"}',  # a name as data, not a branch
            'if metric == "hit@1": pass',  # not a benchmark or track name
            "spec.has_conditions = True",  # a store, not a read
        ]
    )
    assert [line for line, _ in tool.branch_points(source)] == [1, 2, 3, 4, 5]


def test_benchmark_modules_are_left_out() -> None:
    tool = _tool()
    assert tool.is_benchmark_module(Path("core/tracks.py"))
    assert tool.is_benchmark_module(Path("importers/pheval_results.py"))
    assert not tool.is_benchmark_module(Path("scoring/report.py"))


def test_branch_points_do_not_grow() -> None:
    found = _tool().count(ROOT)
    total = sum(len(points) for points in found.values())
    where = ", ".join(f"{m} ({len(p)})" for m, p in found.items())
    assert total <= CEILING, f"{total} branch points on benchmark or track names (ceiling {CEILING}): {where}"
