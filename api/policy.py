"""Who may see what of a release, and how often an evaluator may submit.

An `open` release's answers are public, like the published TSVs: only the answer key fields stay
with maintainers. A `held-out` release shows public and evaluator callers nothing derived from the
answers: no item filter by class, prevalence, alignment or leak status, no disease-to-item links,
no leakage detail; scores only for the caller's own runs, by coarse groupings, no group smaller
than `min_group` items, and every mean through the Ladder (scoring/ladder.py: the best shown so far,
moved only by a clear improvement), never an exact mean two submissions could difference. Maintainers
see everything. Evaluators may submit `runs_per_day` runs in any
24 hours.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from mmrare.api.auth import Principal
from mmrare.graph.subsets import ItemFilter
from mmrare.scoring.report import Report

MODES = ("open", "held-out")
# groupings that say nothing finer than a head or a prevalence band (and those only in big groups)
# "linearised" is a head too, and "features" a count band; a cohort (a gene's folder) narrows the answer
COARSE_GROUPINGS = frozenset(
    {"track", "head", "linearised", "features", "prevalence", "modality", "images", "domain", "model", "all"}
)


class QuotaExceeded(PermissionError):
    """An evaluator's submissions for the last 24 hours are used up."""


@dataclass(frozen=True)
class Quota:
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class ReleasePolicy:
    mode: str = "open"
    min_group: int = 20
    runs_per_day: int = 5

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"release mode must be one of {', '.join(MODES)}")

    @property
    def held_out(self) -> bool:
        return self.mode == "held-out"

    def hides_answers_from(self, who: Principal) -> bool:
        return self.held_out and not who.is_maintainer

    def check_answer_derived(self, who: Principal, what: str) -> None:
        if self.hides_answers_from(who):
            raise PermissionError(f"{what} is derived from the answers of a held-out release (maintainers only)")

    def check_item_filter(self, who: Principal, f: ItemFilter) -> None:
        derived = {
            "under": bool(f.under),
            "prevalenceClass": bool(f.prevalence_classes),
            "leakFree": f.leak_free is not None,
            "aligned": f.aligned is not None,
        }
        used = [name for name, on in derived.items() if on]
        if used:
            self.check_answer_derived(who, f"filtering items by {', '.join(used)}")

    def report_runs(self, who: Principal, asked: Sequence[str], owned: Sequence[str]) -> list[str]:
        """The runs a report may cover: on a held-out release, the caller's own runs only."""
        if not self.hides_answers_from(who):
            return list(asked)
        if who.name is None:
            raise PermissionError("scores of a held-out release are shown to their owners only: use an API key")
        others = sorted(set(asked) - set(owned))
        if others:
            raise PermissionError(f"scores of a held-out release are shown to their owners only (not yours: {others})")
        if not owned:
            raise LookupError("you have no runs yet")
        return list(asked or owned)

    def check_exact_means(self, who: Principal, what: str) -> None:
        """Exact means (the reference's keys, a study's table, paired contrasts) read off a held-out
        release's answers by two submissions that differ in one; a submitter sees laddered means."""
        if self.hides_answers_from(who):
            raise PermissionError(
                f"{what}: maintainers only on a held-out release (exact means; two submissions that differ in one "
                "answer would read that answer off them); `report` shows your runs' means through the Ladder"
            )

    def check_report(self, who: Principal, by: str, under: int | None, leak_free: bool) -> None:
        if not self.hides_answers_from(who):
            return
        if under is not None or leak_free:
            raise PermissionError("reports under a class or of the leak-free subset reveal held-out answers")
        fine = [b.strip() for b in by.split(",") if b.strip() not in COARSE_GROUPINGS]
        if fine:
            raise PermissionError(
                f"grouping by {', '.join(fine)} is not offered on a held-out release; use one of "
                f"{', '.join(sorted(COARSE_GROUPINGS))}"
            )

    def trim_report(self, who: Principal, report: Report) -> Report:
        """Drops groups under the minimum size, and every other mean over fewer items (a model's micro,
        the mean over the items all models answered); macro means over what is left."""
        if not self.hides_answers_from(who):
            return report
        nan, gap = float("nan"), (float("nan"), float("nan"))
        lines = [line for line in report.lines if line.n >= self.min_group]
        macro = {}
        for model in report.macro:
            means = [line.mean for line in lines if line.model == model]
            macro[model] = sum(means) / len(means) if means else nan
        small = {model for model, n in report.items.items() if n < self.min_group}
        few_common = report.common_items < self.min_group
        return replace(
            report,
            lines=lines,
            macro=macro,
            micro={m: nan if m in small else v for m, v in report.micro.items()},
            micro_ci={m: gap if m in small else v for m, v in report.micro_ci.items()},
            common_micro={m: nan if few_common else v for m, v in report.common_micro.items()},
            common_micro_ci={m: gap if few_common else v for m, v in report.common_micro_ci.items()},
        )

    def quota(self, who: Principal, created: Sequence[str], now: datetime | None = None) -> Quota | None:
        """Submissions of the last 24 hours (ISO times of the caller's runs); None for maintainers."""
        if who.is_maintainer:
            return None
        since = (now or datetime.now(UTC)) - timedelta(days=1)
        used = sum(1 for c in created if c and datetime.fromisoformat(c) >= since)
        return Quota(self.runs_per_day, used)


def policy_from_env() -> ReleasePolicy:
    """MMRARE_RELEASE_MODE (open or held-out; held-out unless said), MMRARE_MIN_GROUP (20),
    MMRARE_RUNS_PER_DAY (5)."""
    return ReleasePolicy(
        os.environ.get("MMRARE_RELEASE_MODE", "held-out"),
        int(os.environ.get("MMRARE_MIN_GROUP", "20")),
        int(os.environ.get("MMRARE_RUNS_PER_DAY", "5")),
    )
