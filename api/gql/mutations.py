"""The GraphQL Mutation type: every mutation needs an API key; roles decide the rest."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from mmrare.api.gql.context import ctx, maintainer_only
from mmrare.api.gql.types import Run


@strawberry.type
class ScoreResult:
    run_id: str
    judge: str
    judged: int
    cached: int
    errors: int


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Score a run with an offline judge (needs an API key; evaluators: own runs).")
    def score_run(self, info: Info, run_id: str, judge: str = "offline") -> ScoreResult:
        principal = ctx(info).principal
        if not principal.can_write:
            raise PermissionError("an API key is required for mutations")
        run = ctx(info).service.run(run_id)
        if run is None:
            raise LookupError(f"no run {run_id!r}")
        if not principal.is_maintainer and run.get("owner") != principal.name:
            raise PermissionError("evaluators may score only their own runs")
        s = ctx(info).service.score(principal, run_id, judge)
        return ScoreResult(run_id=s.run_id, judge=s.judge, judged=s.judged, cached=s.cached, errors=s.errors)

    @strawberry.mutation(description="Import predictions given as JSONL text (needs an API key).")
    def import_predictions(self, info: Info, model: str, content: str, domain: str | None = None) -> Run:
        from mmrare.importers.predictions import ModelInfo, PredictionSource

        principal = ctx(info).principal
        if not principal.can_write:
            raise PermissionError("an API key is required for mutations")
        if len(content) > 20_000_000:
            raise ValueError("content over 20 MB: upload the file with POST /runs")
        # the model name only names the run: it never becomes a path
        source = PredictionSource("predictions.jsonl", content.encode("utf-8"), "importPredictions content")
        summary, _ = ctx(info).service.import_run(principal, source, ModelInfo(model, domain=domain), None)
        return Run(props=ctx(info).service.run(summary.run_id) or {})

    @strawberry.mutation(description="Run the leakage audit (maintainer only). Returns the number of findings.")
    def run_leakage_audit(self, info: Info, tracks: list[str] | None = None) -> int:
        maintainer_only(info)
        return ctx(info).service.audit(tracks or [])
