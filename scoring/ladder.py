"""The Ladder (Blum and Hardt, 2015): what a submitter is shown of a held-out release's means.

A mean over held-out items is an exact function of each item's score, so two submissions that differ
in one answer differ in their means by that item's score: a differential attack reads the answers
off a leaderboard. The Ladder shows a submitter, per track and group, the best mean shown to them so
far, and moves it only when a submission beats it by more than a step; the new value is rounded to
the step's grid. A step of 100/sqrt(n) points (about two standard errors of a mean of n scores in
[0, 1]) is wider than any one item's effect (100/n), so a change to a few answers is never seen, and
the value can rise at most sqrt(n) times whatever the number of submissions: what a submitter can
learn is bounded however often they submit.

Pure functions over lists; the service decides whose submissions form a ladder.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from mmrare.scoring.report import Report, ScoreRow, stratify

_SEP = "\x1f"  # between a run id and a track in a part's name (neither holds it)
_ALL = "\x00all"  # the group of a part's mean over all its items


def step_for(n: int) -> float:
    """The ladder's step for a mean over n items, in points (means x 100)."""
    return 100.0 / math.sqrt(n) if n > 0 else math.inf


def on_grid(value: float, step: float) -> float:
    """`value` rounded to the nearest multiple of `step`, kept within 0-100."""
    return min(100.0, max(0.0, round(value / step) * step))


@dataclass(frozen=True)
class Rung:
    """One submission's mean in a ladder: its points (x 100, NaN when it has none) over n items."""

    mean: float
    n: int


def ladder(rungs: Sequence[Rung]) -> list[float]:
    """Pure: the value shown after each submission, in submission order. The first mean is shown on
    its grid; a later one only when it exceeds the value shown by more than its own step; otherwise
    the value shown stays. NaN until a submission has a mean."""
    shown, out = math.nan, []
    for rung in rungs:
        if not math.isnan(rung.mean) and rung.n > 0:
            step = step_for(rung.n)
            if math.isnan(shown) or rung.mean > shown + step:
                shown = on_grid(rung.mean, step)
        out.append(shown)
    return out


def interval_from_n(value: float, n: int) -> tuple[float, float]:
    """A 95% interval that needs nothing but n: +-1.96 x 0.5 / sqrt(n), the widest a mean of scores
    in [0, 1] can have (a bootstrap over the items would tell their spread, which is theirs)."""
    if math.isnan(value) or n <= 0:
        return math.nan, math.nan
    half = 100.0 * 0.98 / math.sqrt(n)
    return max(0.0, value - half), min(100.0, value + half)


def laddered_report(report: Report, history: Sequence[ScoreRow], submitted: Sequence[str]) -> Report:
    """Pure: `report` (of one submitter's runs) with every mean replaced by what the Ladder shows.

    `history` holds the rows of all of the submitter's runs and `submitted` their run ids in
    submission order. A ladder is kept per track and group, over the runs in that order (whatever
    model they were sent under); a line pooling several runs or tracks shows the n-weighted mean of
    its parts' values. Intervals come from n alone; a macro mean is over the lines shown, and the mean
    over the items all models answered is the micro of a model that answered them all.
    """
    order = {run: k for k, run in enumerate(submitted)}
    parts = stratify(
        [replace(r, model=f"{r.run_id}{_SEP}{r.track}") for r in history], report.by, report.metric, resamples=0
    )
    rungs: dict[tuple[str, str], list[tuple[int, str, Rung]]] = defaultdict(list)
    sizes: dict[tuple[str, str], int] = {}
    for line in parts.lines:
        run, track = line.model.split(_SEP)
        rungs[(track, line.group)].append((order[run], line.model, Rung(line.mean, line.n)))
        sizes[(line.model, line.group)] = line.n
    for part, mean in parts.micro.items():
        run, track = part.split(_SEP)
        rungs[(track, _ALL)].append((order[run], part, Rung(mean, parts.items[part])))
        sizes[(part, _ALL)] = parts.items[part]
    shown: dict[tuple[str, str], float] = {}
    for (_, group), steps in rungs.items():
        steps.sort()
        for (_, part, _), value in zip(steps, ladder([rung for _, _, rung in steps]), strict=True):
            shown[(part, group)] = value

    def pooled(runs: Sequence[str], group: str) -> tuple[float, int]:
        found = [
            (shown[key], sizes[key])
            for key in ((p, group) for p in parts.micro if p.split(_SEP)[0] in runs)
            if key in shown
        ]
        n = sum(size for _, size in found)
        if n == 0 or any(math.isnan(value) for value, _ in found):
            return math.nan, n
        if len(found) == 1:  # one part: its value as shown (a weighted mean of one can differ in the last digit)
            return found[0][0], n
        return sum(value * size for value, size in found) / n, n

    lines = []
    for line in report.lines:
        value, _ = pooled(line.runs, line.group)
        lines.append(
            replace(
                line, mean=value, ci_low=interval_from_n(value, line.n)[0], ci_high=interval_from_n(value, line.n)[1]
            )
        )
    micro, micro_ci = {}, {}
    for model, runs in report.runs.items():
        value, _ = pooled(runs, _ALL) if not math.isnan(report.micro.get(model, math.nan)) else (math.nan, 0)
        micro[model] = value
        micro_ci[model] = interval_from_n(value, report.items.get(model, 0))
    macro = {}
    for model in report.macro:
        means = [line.mean for line in lines if line.model == model]
        macro[model] = sum(means) / len(means) if means and not any(map(math.isnan, means)) else math.nan
    complete = report.complete
    common = {model: micro[model] if complete.get(model) else math.nan for model in report.common_micro}
    common_ci = {model: micro_ci[model] if complete.get(model) else (math.nan, math.nan) for model in common}
    return replace(
        report, lines=lines, micro=micro, micro_ci=micro_ci, macro=macro, common_micro=common, common_micro_ci=common_ci
    )
