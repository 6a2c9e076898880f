"""The FastAPI application: GraphQL at /graphql (GraphiQL on) and thin REST routes.

No `from __future__ import annotations` here: strawberry copies the context getter's signature and
FastAPI must see real annotation objects to find its dependencies.
"""

import contextlib
import gc
import io
import json
import logging
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

import anyio
import orjson
import strawberry
from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from graphql import GraphQLError
from PIL import Image as PILImage
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from mmrare.api.auth import KeyStore, Principal
from mmrare.api.docs import LOCAL_ONLY, add_offline_docs, graphiql_page
from mmrare.api.gql import Context, Mutation
from mmrare.api.gql import Query as GraphQuery
from mmrare.api.gql.cost import CostLimiter
from mmrare.api.gql.execution import DeadlineExecutionContext, PlainFieldsExecutionContext, executor_fits
from mmrare.api.limits import BodyLimit, OverTime, ThreadedSchema
from mmrare.api.policy import QuotaExceeded, policy_from_env
from mmrare.api.response_cache import ByteBoundedLRU, ResponseCache, budget_from_env
from mmrare.api.service import SERVER_WRITE_WAIT, GraphService
from mmrare.api.versioning import GenerationReader, GraphVersion, lease_from_env
from mmrare.core.tracks import select_tracks
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.errors import StoreBusyError, StoreUnavailableError
from mmrare.graph.subsets import ItemFilter, select_items
from mmrare.importers.benchmark.export import release_files
from mmrare.importers.predictions import SUFFIXES, ModelInfo, PredictionSource, check_display_text
from mmrare.importers.problems import ImportRejected
from mmrare.scoring.report import leaderboard_csv, report_csv
from mmrare.scoring.stats import RESAMPLES

MAX_UPLOAD = 50 * 1024 * 1024
MAX_GRAPHQL_BODY = 2 * 1024 * 1024
MAX_OTHER_BODY = 64 * 1024
THUMB = 256
_SHA = re.compile(r"^[0-9a-f]{64}$")
# An error body names the first problems and counts the rest: never megabytes of them.
MAX_PROBLEMS_SHOWN = 20
MAX_ERROR_TEXT = 2_000


def bounded_problems(problems: list) -> list[str]:
    shown = [str(p)[:MAX_ERROR_TEXT] for p in problems[:MAX_PROBLEMS_SHOWN]]
    more = len(problems) - len(shown)
    return shown + ([f"... and {more} more problem(s) ({len(problems)} in all)"] if more else [])


# Errors whose message is meant for the caller; anything else is masked as "Unexpected error." An
# unavailable store is let through the mask so the router can answer 503 (with a message of its own).
# A worker that passes its deadline says so itself (OverTime) when it answers before the time limit's
# own error does: either way the caller is told the query ran over.
EXPECTED = (PermissionError, ValueError, LookupError, StoreUnavailableError, OverTime)


def _expected(error: GraphQLError) -> bool:
    return error.original_error is None or isinstance(error.original_error, EXPECTED)


def short_paths_wanted() -> bool:
    """The short paths, unless MMRARE_SHORT_PATHS=0 or the installed executor differs from the one they
    are written for (then the stock executor, said once in the log)."""
    if os.environ.get("MMRARE_SHORT_PATHS", "1") == "0":
        return False
    wrong = executor_fits()
    if wrong:
        logging.getLogger("mmrare.api").warning(
            "graphql-core's executor differs where the short paths need it (%s): the stock executor runs",
            ", ".join(wrong),
        )
    return not wrong


def build_schema(short_paths: bool | None = None) -> strawberry.Schema:
    """The API's schema; `short_paths=False` executes every field the way graphql-core does (the
    reference the short paths are tested against); None: `short_paths_wanted()`."""
    short_paths = short_paths_wanted() if short_paths is None else short_paths
    # The depth and alias limits are validation rules made once: each limiter instance makes rule
    # classes of its own, and validation is cached by its rules, so per-request limiters would miss
    # the validation cache on every request.
    limits = [
        *QueryDepthLimiter(max_depth=10).validation_rules,
        *MaxAliasesLimiter(max_alias_count=15).validation_rules,
    ]
    return ThreadedSchema(
        query=GraphQuery,
        mutation=Mutation,
        execution_context_class=PlainFieldsExecutionContext if short_paths else DeadlineExecutionContext,
        extensions=[
            CostLimiter,
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=2000),
            lambda: MaskErrors(should_mask_error=lambda e: not _expected(e)),
            lambda: ParserCache(maxsize=256),  # pages repeat the same few queries
            lambda: ValidationCache(maxsize=256),
        ],
    )


class GraphRouter(GraphQLRouter):
    """GraphQL over HTTP, where an unavailable store is a 503 (as on every REST route), not a 200,
    and GraphiQL comes from installed assets, not a CDN."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page()

    def encode_json(self, data: object) -> bytes:
        # orjson writes a 50-item page (86 KB) in a tenth of the standard encoder's time; anything
        # it refuses (an integer over 64 bits from a custom scalar) goes to the standard encoder
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if any(isinstance(e.original_error, StoreBusyError) for e in result.errors or ()):
            raise HTTPException(
                status_code=503,
                detail="another write holds the graph store; try again shortly",
                headers={"Retry-After": str(StoreBusyError.retry_after)},
            )
        if any(isinstance(e.original_error, StoreUnavailableError) for e in result.errors or ()):
            raise HTTPException(status_code=503, detail="the graph store is unavailable; see /health")
        return await super().process_result(request, result)


def create_app(service: GraphService, keys: KeyStore, thumbs: Path) -> FastAPI:
    app = FastAPI(
        title="MMRare graph",
        version="0.1.0",
        description="Orphanet, MMRareBench items and model runs in one graph: GraphQL at /graphql.",
        docs_url=None,  # Swagger UI and ReDoc are served from installed assets (api/docs.py)
        redoc_url=None,
    )
    add_offline_docs(app)
    # bodies are capped while they stream in, before any route (or key check) sees them
    caps = {"/runs": MAX_UPLOAD + 64 * 1024, "/graphql": MAX_GRAPHQL_BODY}
    # the last added runs first: bodies capped, then answers looked up, then an ETag on what is computed
    # one read of the generation per request, shared; with a lease, one per lease
    generations = GenerationReader(service.store, lease_from_env())
    app.state.generations = generations
    app.add_middleware(GraphVersion, generations=generations)
    app.state.answers = ByteBoundedLRU(budget_from_env())  # what the response cache holds (counted)
    schema = build_schema()
    app.add_middleware(
        ResponseCache, generations=generations, keys=keys, answers=app.state.answers, schema=schema._schema
    )
    app.add_middleware(BodyLimit, caps=caps, default=MAX_OTHER_BODY)

    def principal(
        x_api_key: Annotated[str | None, Header()] = None, authorization: Annotated[str | None, Header()] = None
    ) -> Principal:
        key = x_api_key or (authorization.removeprefix("Bearer ").strip() if authorization else None)
        found = keys.authenticate(key)
        if found is None:
            raise HTTPException(status_code=401, detail="unknown API key")
        return found

    async def context(who: Annotated[Principal, Depends(principal)]) -> Context:
        return Context(service, who)

    app.include_router(GraphRouter(schema, context_getter=context, graphql_ide="graphiql"), prefix="/graphql")

    web = Path(__file__).parent / "web"
    app.mount("/static", StaticFiles(directory=web), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        page = FileResponse(web / "index.html")
        page.headers["Content-Security-Policy"] = LOCAL_ONLY  # every script and style from this server
        return page

    @app.get("/health")
    def health() -> JSONResponse:
        """Which part is up, without waiting for other requests: a store round trip and the blob folder."""
        parts: dict[str, dict[str, object]] = {"store": {"kind": service.store.name}, "blobs": {}}
        try:
            service.store.ping()
            parts["store"]["up"] = True
        except StoreUnavailableError as exc:
            parts["store"].update(up=False, error=str(exc))
        parts["blobs"]["up"] = service.blobs.ready()
        healthy = all(part["up"] for part in parts.values())
        body = {"status": "ok" if healthy else "degraded", "mode": service.policy.mode, **parts}
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/images/{sha256}", responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
    def image(sha256: str, size: Annotated[str, Query(pattern="^(full|thumb)$")] = "full") -> Response:
        if not _SHA.match(sha256) or not service.blobs.has(sha256):
            raise HTTPException(status_code=404, detail="no such image")
        props = service.store.get_many("Image", [sha256]).get(sha256, {})
        if size == "full":
            kind = (props.get("format") or "jpeg").lower()
            return Response(service.blobs.get(sha256), media_type=f"image/{kind}")
        cached = thumbs / f"{sha256}.jpg"
        if not cached.exists():
            with PILImage.open(io.BytesIO(service.blobs.get(sha256))) as img:
                img.draft("RGB", (THUMB, THUMB))
                small = img.convert("RGB")
                small.thumbnail((THUMB, THUMB))
                cached.parent.mkdir(parents=True, exist_ok=True)
                # a private temporary file per request: concurrent first requests never share one
                fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".part")
                with os.fdopen(fd, "wb") as fh:
                    small.save(fh, "JPEG", quality=80)
                os.replace(tmp, cached)
        return Response(cached.read_bytes(), media_type="image/jpeg")

    @app.post("/runs")
    async def upload_run(
        who: Annotated[Principal, Depends(principal)],
        file: Annotated[UploadFile, File()],
        model: Annotated[str | None, Form()] = None,
        domain: Annotated[str | None, Form()] = None,
        track: Annotated[str | None, Form()] = None,
    ) -> dict[str, object]:
        if not who.can_write:
            raise HTTPException(status_code=401, detail="an API key is required to submit a run")
        name = Path(file.filename or "predictions.jsonl").name
        try:
            check_display_text(name, "file name")
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        if not name.lower().endswith(SUFFIXES):
            raise HTTPException(status_code=422, detail=f"the file must be one of {', '.join(SUFFIXES)}")
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise HTTPException(status_code=413, detail=f"the file is over {MAX_UPLOAD // 2**20} MB")
        source = PredictionSource(name, data, f"upload {name}")  # parsed from memory; no user text becomes a path
        try:
            info = ModelInfo(model, domain=domain) if model else None
            # parsed and written in a worker, within the queries' time limit: the event loop (and
            # /health) never waits on a large or hostile file
            with anyio.fail_after(ThreadedSchema.time_limit):
                summary, quota = await anyio.to_thread.run_sync(service.import_run, who, source, info, track)
        except TimeoutError as exc:
            raise HTTPException(status_code=408, detail="reading the file took too long; nothing was written") from exc
        except QuotaExceeded as exc:
            raise HTTPException(status_code=429, detail=str(exc)) from exc
        except ImportRejected as exc:
            raise HTTPException(status_code=422, detail=bounded_problems(exc.problems)) from exc
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)[:MAX_ERROR_TEXT]) from exc
        return {
            "runId": summary.run_id,
            "model": summary.model,
            "predictions": summary.predictions,
            "tracks": list(summary.tracks),
            "created": summary.created,
            "blankPredictions": summary.blank,
            "submissions": None if quota is None else {"limit": quota.limit, "remaining": quota.remaining},
        }

    @app.get("/exports/report.csv", response_class=StreamingResponse)
    def export_report(
        who: Annotated[Principal, Depends(principal)],
        by: str = "track",
        metric: str = "score_offline",
        run: Annotated[list[str] | None, Query()] = None,
        leak_free: bool = False,
        resamples: Annotated[int, Query(ge=10, le=5000)] = RESAMPLES,
    ) -> Response:
        try:
            result = service.report(who, run or [], by, metric, None, leak_free, resamples)
        except PermissionError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from exc
        except (ValueError, LookupError) as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return Response(report_csv(result), media_type="text/csv")

    @app.get("/exports/leaderboard.csv", response_class=StreamingResponse)
    def export_leaderboard(
        who: Annotated[Principal, Depends(principal)],
        metric: str = "score_offline",
        leak_free: bool = False,
    ) -> Response:
        """The leaderboard the dashboard shows: rank, the mean over common items with its interval, each
        model's own micro, its tracks' means and its description."""
        try:
            result = service.report(who, [], "track", metric, None, leak_free, RESAMPLES)
        except PermissionError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from exc
        except (ValueError, LookupError) as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        described = dict(zip(result.micro, service.nodes("Model", list(result.micro)), strict=True))
        return Response(leaderboard_csv(result, described), media_type="text/csv")

    @app.get("/exports/benchmark.zip")
    def benchmark_zip(
        who: Annotated[Principal, Depends(principal)],
        track: Annotated[list[str] | None, Query()] = None,
        under: int | None = None,
        benchmark: str | None = None,
    ) -> Response:
        if not who.is_maintainer:
            raise HTTPException(status_code=403, detail="the export holds the answer key: maintainer role required")
        try:
            tracks = select_tracks(tuple(track or ()), benchmark)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        items = select_items(service.store, ItemFilter(tracks=tracks, under=(under,) if under else ()))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in release_files(service.store, items, service.blobs):
                zf.writestr(f.path, f.text)
        return Response(buffer.getvalue(), media_type="application/zip")

    @app.exception_handler(StoreUnavailableError)
    async def unavailable(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        if isinstance(exc, StoreBusyError):  # a writer holds the store: worth trying again soon
            return JSONResponse(
                {"detail": "another write holds the graph store; try again shortly"},
                status_code=503,
                headers={"Retry-After": str(exc.retry_after)},
            )
        return JSONResponse({"detail": "the graph store is unavailable; see /health"}, status_code=503)

    @app.exception_handler(Exception)
    async def masked(request: Request, exc: Exception) -> JSONResponse:  # internal errors are never shown
        return JSONResponse({"detail": "internal error"}, status_code=500)

    return app


def app_from_env() -> FastAPI:
    """The app over the configured store and data folder (what `mmrare serve` runs)."""
    from mmrare.core.settings import blob_store, data_dir
    from mmrare.graph.settings import open_store

    store = open_store()
    if isinstance(store, EmbeddedStore):
        store.write_wait = SERVER_WRITE_WAIT  # behind a CLI import, a write answers 503, not a long wait
    with contextlib.suppress(StoreUnavailableError):  # /health says so; the server starts all the same
        store.warm()  # the first caller does not wait for the store's first-run work
    service = GraphService(store, blob_store(), policy_from_env())
    app = create_app(service, KeyStore(data_dir() / "api_keys.json"), data_dir() / "thumbs")
    # Everything made so far (modules, the schema, the app) lives as long as the server: kept out
    # of the collector's full passes, which otherwise walk it all while a request waits.
    gc.collect()
    gc.freeze()
    return app
