"""Score rows built by hand for the report's pure functions: a row per (model, item, score), and two
models of which one answers fewer items."""

from __future__ import annotations

from mmrare.scoring.report import ScoreRow


def row(model: str, item: str, score: float, prevalence: str = "Unknown", images: int = 1) -> ScoreRow:
    track = item.split(":")[0]
    return ScoreRow(
        f"{model}|{track}",
        model,
        "general",
        item,
        track,
        f"case:{item}",
        (),
        (),
        frozenset(),
        prevalence,
        (),
        images,
        None,
        {"m": score},
    )


# two diagnosis items answered right, two treatment items answered wrong; "Half" has only diagnosis
FULL = [row("Full", i, s) for i, s in (("diagnosis:1", 1), ("diagnosis:2", 1), ("treatment:1", 0), ("treatment:2", 0))]


HALF = [row("Half", i, 1) for i in ("diagnosis:1", "diagnosis:2")]
