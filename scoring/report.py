"""Stratified results: any metric by track, head, any ancestor class, prevalence, modality, number of
images, leakage status, model domain or model, with micro and macro means and case-clustered
bootstrap intervals. Rows are gathered from the store once; the statistics are pure (scoring/stats).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mmrare.core.bulk import in_bulk
from mmrare.core.orphanet import PREVALENCE_CLASSES
from mmrare.core.tracks import TRACK_BY_NAME
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.questions import PredictionFacts
from mmrare.graph.store import GraphStore
from mmrare.scoring.judge_choice import RANKED_METRICS
from mmrare.scoring.stats import RESAMPLES, SEED, bootstrap_ci, macro_mean, mean

# bands of the number of observed phenotype terms, by their upper bound
FEATURE_BANDS = (("0-1", 1), ("2-5", 5), ("6-10", 10), ("11-20", 20), ("over 20", 10**9))
METRIC_PROPERTIES = ("tokenF1", "exactMatch", *RANKED_METRICS.values())  # besides the judges' score_<judge>


@dataclass(frozen=True)
class ScoreRow:
    run_id: str
    model: str
    domain: str
    item_id: str
    track: str
    case_id: str
    codes: tuple[int, ...]
    heads: tuple[str, ...]
    classes: frozenset[int]  # every class the answer disease descends from, itself included
    prevalence: str
    modalities: tuple[str, ...]
    n_images: int
    leak_free: bool | None
    metrics: dict[str, float]
    linear_head: str = ""  # the answer's head in Orphanet's linearisation (one per disease), "" without one
    observed: int | None = None  # observed phenotype terms the question gives (phenopackets), None when unknown
    cohort: str = ""  # the release's own grouping of cases (phenopacket-store's gene or syndrome folder)

    @property
    def feature_band(self) -> str:
        if self.observed is None:
            return "unknown"
        return next(band for band, top in FEATURE_BANDS if self.observed <= top)


@dataclass(frozen=True)
class ReportLine:
    model: str
    runs: tuple[str, ...]  # the model's runs pooled in this line (one per track file, as a rule)
    group: str
    n: int
    mean: float  # x 100
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Report:
    by: str
    metric: str
    lines: list[ReportLine]
    micro: dict[str, float]  # per model (its runs pooled), over items, x 100
    macro: dict[str, float]  # per model, over groups, x 100
    runs: dict[str, tuple[str, ...]]  # per model, the runs pooled
    micro_ci: dict[str, tuple[float, float]] = field(default_factory=dict)  # per model, cases resampled, x 100
    items: dict[str, int] = field(default_factory=dict)  # per model, the items under micro
    # Ranking fairly: per model, the mean over the items every model of the report answered
    common_micro: dict[str, float] = field(default_factory=dict)
    common_micro_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    common_items: int = 0
    any_items: int = 0  # the items some model of the report answered

    @property
    def complete(self) -> dict[str, bool]:
        """Per model, whether it answered every item some model of the report answered."""
        return {model: n == self.any_items for model, n in self.items.items()}

    @property
    def same_items(self) -> bool:
        return all(self.complete.values())


def check_one_run_per_item(rows: Sequence[ScoreRow]) -> None:
    """A model's runs are pooled; two runs of one model answering one item (a re-run) would count
    it twice, so the caller must choose runs explicitly."""
    seen: dict[tuple[str, str], str] = {}
    clashes: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        first = seen.setdefault((r.model, r.item_id), r.run_id)
        if first != r.run_id:
            clashes[r.model] |= {first, r.run_id}
    if clashes:
        detail = "; ".join(f"{m}: {', '.join(sorted(runs))}" for m, runs in sorted(clashes.items()))
        raise ValueError(
            f"a model has several runs answering the same items ({detail}); choose the runs to pool (--runs RUN ...)"
        )


FactsOf = Callable[[Sequence[str]], list[PredictionFacts]]  # store.report_facts, or what keeps its answers


@in_bulk  # thousands of rows of long-lived containers: the cycle collector's passes would walk them all again and again
def collect_rows(
    store: GraphStore,
    run_ids: Sequence[str] | None = None,
    restrict_under: Sequence[int] = (),
    restrict_tracks: Sequence[str] = (),
    facts_of: FactsOf | None = None,
) -> list[ScoreRow]:
    """One row per prediction of the runs (all runs when none are named), from one store question
    (or `facts_of`, which answers it as the store would); only items under a class, or of some tracks,
    when asked."""
    if run_ids:
        missing = set(run_ids) - set(store.get_many("Run", run_ids))
        if missing:
            raise ValueError(f"unknown run(s): {', '.join(sorted(missing))}")
    facts = (facts_of or store.report_facts)(run_ids or ())
    # a run answered under an input condition (a prompt language) is its model under that condition
    conditions = {k: v.get("condition") for k, v in store.get_many("Run", {f.run_id for f in facts}).items()}
    linear = _linear_heads(store, {c for f in facts for c in f.codes})
    rows = []
    for f in facts:
        if restrict_under and not f.classes & set(restrict_under):
            continue
        p, item = f.prediction, f.item
        if restrict_tracks and item["track"] not in restrict_tracks:
            continue
        # the model a run is reported as; none where its track's runs are compared per input condition
        # only (MRareBench's: `report --reference` and the condition comparisons report them)
        model = TRACK_BY_NAME[item["track"]].answered_under.report_model(f.model, conditions.get(f.run_id))
        if model is None:
            continue
        metrics = {k: float(v) for k, v in p.items() if k in METRIC_PROPERTIES or k.startswith("score_")}
        rows.append(
            ScoreRow(
                f.run_id,
                model,
                f.domain or "unknown",
                p["itemId"],
                item["track"],
                # the cluster intervals resample: the item's publication where it names one (family
                # members share it), else its case
                item.get("cluster") or f.case_id or p["itemId"],
                f.codes,
                f.heads,
                f.classes,
                f.prevalence or "no data",
                tuple(item.get("modalities", [])),
                int(item.get("nImages", 0)),
                item.get("leakFree"),
                metrics,
                next((linear[c] for c in f.codes if c in linear), ""),
                int(item["nObserved"]) if "nObserved" in item else None,
                str(item.get("cohort", "")),
            )
        )
    return rows


def _linear_heads(store: GraphStore, codes: set[int]) -> dict[int, str]:
    """Per ORPHAcode, the name of its head in the linearisation (where the graph has it)."""
    heads = {c: int(p["linearHead"]) for c, p in store.get_many("Disease", codes).items() if "linearHead" in p}
    names = {c: p.get("name", f"ORPHA:{c}") for c, p in store.get_many("Disease", set(heads.values())).items()}
    return {int(c): names.get(h, f"ORPHA:{h}") for c, h in heads.items()}


def group_keys(by: str, children: dict[int, str] | None = None) -> Callable[[ScoreRow], list[str]]:
    """What groups a row falls in; a row may count in several (every head, every modality, ...)."""
    simple: dict[str, Callable[[ScoreRow], list[str]]] = {
        "track": lambda r: [r.track],
        "head": lambda r: list(r.heads) or ["no head"],
        "linearised": lambda r: [r.linear_head or "no linearised head"],
        "features": lambda r: [r.feature_band],
        "cohort": lambda r: [r.cohort or "no cohort"],
        "prevalence": lambda r: [r.prevalence],
        "modality": lambda r: list(r.modalities) or ["unknown"],
        "images": lambda r: [str(r.n_images)],
        "leak": lambda r: ["not audited" if r.leak_free is None else "leak-free" if r.leak_free else "leaky"],
        "domain": lambda r: [r.domain],
        "model": lambda r: [r.model],
        "all": lambda r: ["all"],
    }
    if "," in by:  # e.g. "track,head": the cross product of the groupings
        parts = [group_keys(b.strip(), children) for b in by.split(",")]

        def combined(r: ScoreRow) -> list[str]:
            out = [""]
            for part in parts:
                out = [f"{o} / {g}" if o else g for o in out for g in part(r)]
            return out

        return combined
    if by == "class":
        if not children:
            raise ValueError("--by class needs --under CODE: its child classes are the groups")
        return lambda r: [name for code, name in children.items() if code in r.classes]
    if by not in simple:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join([*simple, 'class'])}")
    return simple[by]


def _order(by: str, group: str) -> tuple:
    if "," in by:
        return tuple(_order(b, g) for b, g in zip(*_parts(by, group), strict=True))
    if by == "prevalence":
        return (PREVALENCE_CLASSES.index(group) if group in PREVALENCE_CLASSES else len(PREVALENCE_CLASSES), group)
    if by == "images" and group.isdigit():
        return (int(group), group)
    if by == "features":
        bands = [band for band, _ in FEATURE_BANDS]
        return (bands.index(group) if group in bands else len(bands), group)
    return (0, group)


def _parts(by: str, group: str) -> tuple[list[str], list[str]]:
    """The groupings of a combined `by` and the group each gave: a prevalence class holds " / " itself
    ("1-9 / 100 000"), so it is taken whole where it stands."""
    names = [b.strip() for b in by.split(",")]
    groups, rest = [], group
    for k, name in enumerate(names):
        last = k == len(names) - 1
        whole = next((c for c in PREVALENCE_CLASSES if rest == c or rest.startswith(c + " / ")), None)
        part = whole if name == "prevalence" and whole else rest if last else rest.split(" / ", 1)[0]
        groups.append(part)
        rest = rest[len(part) + 3 :]
    return names, groups


def stratify(
    rows: Sequence[ScoreRow],
    by: str,
    metric: str,
    children: dict[int, str] | None = None,
    leak_free_only: bool = False,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Report:
    keys = group_keys(by, children)
    check_one_run_per_item(rows)
    cells: dict[tuple[str, str], list[ScoreRow]] = defaultdict(list)
    per_model: dict[str, list[ScoreRow]] = defaultdict(list)
    for r in rows:
        if metric not in r.metrics or (leak_free_only and r.leak_free is not True):
            continue
        per_model[r.model].append(r)
        for g in keys(r):
            cells[(r.model, g)].append(r)
    lines = []
    for (model, group), members in sorted(cells.items(), key=lambda kv: (kv[0][0], _order(by, kv[0][1]))):
        values = [m.metrics[metric] for m in members]
        low, high = bootstrap_ci(values, [m.case_id for m in members], resamples, seed)
        runs = tuple(sorted({m.run_id for m in members}))
        lines.append(ReportLine(model, runs, group, len(values), 100 * mean(values), 100 * low, 100 * high))
    micro = {model: 100 * mean([r.metrics[metric] for r in rs]) for model, rs in per_model.items()}
    micro_ci = {}
    for model, rs in per_model.items():
        low, high = bootstrap_ci([r.metrics[metric] for r in rs], [r.case_id for r in rs], resamples, seed)
        micro_ci[model] = (100 * low, 100 * high)
    macro = {}
    for model in per_model:
        groups = {
            line.group: [m.metrics[metric] for m in cells[(model, line.group)]] for line in lines if line.model == model
        }
        macro[model] = 100 * macro_mean(groups)
    runs_of = {model: tuple(sorted({r.run_id for r in rs})) for model, rs in per_model.items()}
    items = {model: len(rs) for model, rs in per_model.items()}
    answered = [{r.item_id for r in rs} for rs in per_model.values()]
    common, union = (set.intersection(*answered), set.union(*answered)) if answered else (set(), set())
    common_micro, common_ci = {}, {}
    for model, rs in per_model.items():
        shared = [r for r in rs if r.item_id in common]
        common_micro[model] = 100 * mean([r.metrics[metric] for r in shared])
        low, high = bootstrap_ci([r.metrics[metric] for r in shared], [r.case_id for r in shared], resamples, seed)
        common_ci[model] = (100 * low, 100 * high)
    return Report(
        by, metric, lines, micro, macro, runs_of, micro_ci, items, common_micro, common_ci, len(common), len(union)
    )


def stratified_report(
    store: GraphStore,
    runs: Sequence[str],
    under: int | None,
    tracks: Sequence[str],
    by: str,
    metric: str,
    leak_free: bool,
    resamples: int,
    facts_of: FactsOf | None = None,
    seed: int = SEED,
) -> Report:
    """The runs' report from the store, stratified `by`, over the items under a class when given (by
    its direct children with `by` class): what `mmrare report` prints and the API answers."""
    rows = collect_rows(store, runs, (under,) if under else (), tracks, facts_of)
    children = child_classes(store, under) if under and "class" in by else None
    return stratify(rows, by, metric, children, leak_free, resamples, seed)


def child_classes(store: GraphStore, code: int) -> dict[int, str]:
    """The direct children of a class, by code, with their names (the groups of --by class)."""
    kids = [n.node.key for n in store.neighbours([NodeRef("Disease", code)], "SUBCLASS_OF", Direction.IN)]
    return {int(k): v.get("name", str(k)) for k, v in sorted(store.get_many("Disease", kids).items())}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula: a leading =, +, -, @, tab or CR gets a quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.4f}"


def leaderboard_csv(report: Report, described: Mapping[str, Mapping[str, Any] | None]) -> str:
    """The leaderboard as the dashboard shows it: one row per model, ranked on the items every model
    answered, with that mean and its interval, the model's own micro, its groups' means and its
    description (`described`: model name to family, domain and params)."""
    import csv
    import io

    groups = list(dict.fromkeys(line.group for line in report.lines))
    cell = {(line.model, line.group): line.mean for line in report.lines}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["rank", "model", "family", "domain", "params", "common_mean", "common_ci_low", "common_ci_high",
         "common_n", "micro", "micro_ci_low", "micro_ci_high", "n", "complete", *groups]
    )  # fmt: skip
    ranked = sorted(report.micro, key=lambda m: (-_or_low(report.common_micro[m]), m))
    for rank, model in enumerate(ranked, start=1):
        about = described.get(model) or {}
        writer.writerow(
            [
                rank,
                spreadsheet_safe(model),
                *(spreadsheet_safe(str(about.get(k) or "")) for k in ("family", "domain", "params")),
                _number(report.common_micro[model]),
                *(_number(v) for v in report.common_micro_ci[model]),
                report.common_items,
                _number(report.micro[model]),
                *(_number(v) for v in report.micro_ci[model]),
                report.items[model],
                "yes" if report.complete[model] else "no",
                *(_number(cell[(model, g)]) if (model, g) in cell else "" for g in groups),
            ]
        )
    return out.getvalue()


def _or_low(value: float) -> float:
    return -1.0 if math.isnan(value) else value


def report_csv(report: Report) -> str:
    """The report as CSV (one row per run and group), for `mmrare report --format csv` and the REST export."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["model", "runs", "group", "n", "mean", "ci_low", "ci_high"])
    for line in report.lines:
        writer.writerow(
            [
                spreadsheet_safe(line.model),
                spreadsheet_safe(" ".join(line.runs)),
                spreadsheet_safe(line.group),
                line.n,
                f"{line.mean:.4f}",
                _number(line.ci_low),  # blank: fewer cases than an interval needs
                _number(line.ci_high),
            ]
        )
    return out.getvalue()
