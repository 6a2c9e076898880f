"""The client: one method per main use, each one GraphQL request (or one per page)."""

from __future__ import annotations

from typing import Any

import httpx

ITEMS = """query($first: Int!, $after: String, $track: String, $under: Int, $prevalence: String, $benchmark: String) {
  items(first: $first, after: $after, track: $track, under: $under, prevalenceClass: $prevalence,
        benchmark: $benchmark) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id benchmark track question nImages modalities case { caseId } } } } }"""
REPORT = """query($by: String!, $metric: String!, $under: Int, $runs: [String!], $leakFree: Boolean!) {
  report(by: $by, metric: $metric, under: $under, runs: $runs, leakFree: $leakFree) {
    judgeOrigin rows { model runs group n mean ciLow ciHigh } means { model micro macro } } }"""
PAGE = 100


class MMRareError(RuntimeError):
    """The service refused a request; the message is the service's."""


class MMRareClient:
    def __init__(self, url: str, api_key: str | None = None, timeout: float = 60.0) -> None:
        headers = {"X-API-Key": api_key} if api_key else {}
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> MMRareClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, query: str, **variables: Any) -> dict[str, Any]:
        """Any GraphQL query; its data, or MMRareError with the service's messages."""
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        if response.status_code >= 400 and response.status_code != 400:
            raise MMRareError(f"HTTP {response.status_code}: {response.text[:300]}")
        body = response.json()
        if body.get("errors"):
            raise MMRareError("; ".join(e.get("message", "") for e in body["errors"]))
        return body["data"]

    def subset(
        self,
        under: int | None = None,
        track: str | None = None,
        prevalence: str | None = None,
        as_frame: bool = True,
        benchmark: str | None = None,
    ) -> Any:
        """A disease-stratified subset: every item whose answer is under a class (any Orphanet
        ancestor), of a track, with a headline prevalence class, of one benchmark (MMRareBench or
        MRareBench; both when None); all pages fetched."""
        rows, after = [], None
        while True:
            data = self.query(
                ITEMS, first=PAGE, after=after, track=track, under=under, prevalence=prevalence, benchmark=benchmark
            )
            page = data["items"]
            for edge in page["edges"]:
                node = edge["node"]
                rows.append(
                    {
                        "item": node["id"],
                        "benchmark": node["benchmark"],
                        "track": node["track"],
                        "question": node["question"],
                        "images": node["nImages"],
                        "modalities": node["modalities"],
                        "case": (node.get("case") or {}).get("caseId"),
                    }
                )
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        return _frame(rows) if as_frame else rows

    def report(
        self,
        by: str = "head",
        metric: str = "score_offline",
        under: int | None = None,
        runs: list[str] | None = None,
        leak_free: bool = False,
        as_frame: bool = True,
    ) -> Any:
        """Results stratified by Orphanet head, by the child classes of `under` (by="class"), by
        prevalence, track, ...: one row per model and group with its mean and 95% interval (x100)."""
        data = self.query(REPORT, by=by, metric=metric, under=under, runs=runs, leakFree=leak_free)["report"]
        rows = [
            {
                "model": r["model"],
                "group": r["group"],
                "n": r["n"],
                "mean": r["mean"],
                "ci_low": r["ciLow"],
                "ci_high": r["ciHigh"],
                "runs": " ".join(r["runs"]),
            }
            for r in data["rows"]
        ]
        return _frame(rows) if as_frame else rows


def _frame(rows: list[dict[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:  # pandas is optional: plain rows then
        return rows
    return pd.DataFrame(rows)
