"""The FastAPI application: create_app(settings) builds it, the lifespan loads the model."""

import asyncio
import dataclasses
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, SecretStr
from sqlalchemy.exc import SQLAlchemyError

from rhetoric import registry
from rhetoric.analysis import analyze
from rhetoric.bundle import BundleError, ModelCard, load_bundle
from rhetoric.compiled import CompiledScorer
from rhetoric.explain import LabelExplanation, explain
from rhetoric.feedback import FeedbackStore, database_url
from rhetoric.labels import LABELS, Label
from rhetoric.scoring import Scorer
from service.body import parse_body, read_body
from service.errors import install_error_handlers
from service.schemas import (
    ADMIN_RESPONSES,
    ERROR_RESPONSES,
    AnalyzeRequest,
    AnalyzeResponse,
    ClassifyResponse,
    FeedbackOut,
    FeedbackPage,
    Health,
    ModelRef,
    Readiness,
    ReloadResult,
    Summary,
    UnitOut,
    analyze_request_model,
    classify_request_model,
    feedback_request_model,
)
from service.settings import Settings

log = logging.getLogger("service")


@dataclass(frozen=True)
class ServedModel:
    card: ModelCard
    scorer: Scorer

    @property
    def ref(self) -> ModelRef:
        return ModelRef(name=self.card.name, version=self.card.version)


def load_served_model(settings: Settings) -> ServedModel:
    bundle = load_bundle(registry.resolve(settings.model_dir))
    return ServedModel(card=bundle.card, scorer=Scorer(bundle.pipeline, bundle.card.thresholds))


def explanation_json(detail: dict[Label, LabelExplanation]) -> dict[str, Any]:
    return {label: dataclasses.asdict(value) for label, value in detail.items()}


def classify_json(model: ServedModel, texts: list[str], with_explanations: bool = False) -> bytes:
    """The classify response body, serialised directly: its shape is fixed by ClassifyResponse."""
    predictions = model.scorer.predict(texts)
    results: list[dict[str, Any]] = [{"labels": p.labels, "scores": p.scores} for p in predictions]
    if with_explanations:
        compiled = require_explainable(model)
        for result, text in zip(results, texts, strict=True):
            result["explanation"] = explanation_json(explain(compiled, text))
    body = {"model": {"name": model.card.name, "version": model.card.version}, "results": results}
    return json.dumps(body, separators=(",", ":")).encode()


def require_explainable(model: ServedModel) -> CompiledScorer:
    if model.scorer.compiled is None:
        raise HTTPException(status.HTTP_501_NOT_IMPLEMENTED, "this model's pipeline cannot be explained")
    return model.scorer.compiled


def analyze_json(model: ServedModel, body: AnalyzeRequest) -> bytes:
    if body.explain:
        require_explainable(model)
    units, summary = analyze(body.text, model.scorer, with_explanations=body.explain)
    response = AnalyzeResponse(
        model=model.ref,
        title=body.title,
        source=body.source,
        published=body.published,
        units=[UnitOut.model_validate(unit, from_attributes=True) for unit in units],
        summary=Summary.model_validate(dataclasses.asdict(summary)),
    )
    content: bytes = response.model_dump_json().encode()
    return content


async def get_model(request: Request) -> ServedModel:
    # async: a plain def dependency would be run in the thread pool on every request.
    model: ServedModel | None = request.app.state.model
    if model is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"no model loaded: {request.app.state.model_error}")
    return model


ModelDep = Annotated[ServedModel, Depends(get_model)]


async def reload_model(app: FastAPI) -> tuple[ServedModel | None, ServedModel]:
    """Load and verify the bundle the settings point to, then swap it in; raises BundleError and
    keeps the old model when the new one does not verify."""
    async with app.state.reload_lock:
        fresh = await run_in_threadpool(load_served_model, app.state.settings)
        previous: ServedModel | None = app.state.model
        app.state.model = fresh  # one assignment: each request sees the old model or the new one
        app.state.model_error = None
        return previous, fresh


def _listen_for_sighup(app: FastAPI) -> bool:
    """SIGHUP reloads the model, as the admin endpoint does (not possible off the main thread)."""

    async def on_signal() -> None:
        try:
            previous, fresh = await reload_model(app)
        except BundleError as error:
            log.error("reload on SIGHUP refused, still serving the previous model: %s", error)
        else:
            old = previous.card.version if previous else None
            log.info("reloaded on SIGHUP: %s -> %s", old, fresh.card.version)

    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(on_signal()))
    except (RuntimeError, ValueError, NotImplementedError):
        return False
    return True


def open_feedback_store(settings: Settings) -> FeedbackStore:
    url = settings.database_url.get_secret_value() if settings.database_url else None
    store = FeedbackStore(database_url(url, settings.feedback_db))
    store.migrate()
    return store


async def get_feedback_store(request: Request) -> FeedbackStore:
    store: FeedbackStore | None = request.app.state.feedback
    if store is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"feedback store unavailable: {request.app.state.feedback_error}"
        )
    return store


FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback_store)]


async def require_admin(request: Request) -> None:
    """Admin endpoints need the configured key; with none configured they are off, not open."""
    expected: SecretStr | None = request.app.state.settings.admin_api_key
    if expected is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin endpoints are disabled: set RHETORIC_ADMIN_API_KEY")
    given = request.headers.get("x-api-key")
    if not given:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "send the admin key in the X-API-Key header")
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "wrong admin key")


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a body the route parses itself (see service.body): the model's schema, required."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    request_model = classify_request_model(settings.max_texts, settings.max_text_chars)
    article_model = analyze_request_model(settings.max_article_chars)
    feedback_model = feedback_request_model(settings.max_text_chars)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.model = None
        app.state.model_error = "loading"
        try:
            app.state.model = load_served_model(settings)
        except BundleError as error:
            app.state.model_error = str(error)
            log.error("serving without a model: %s", error)
        else:
            card = app.state.model.card
            log.info("serving %s %s from %s", card.name, card.version, settings.model_dir)
        app.state.feedback = None
        app.state.feedback_error = None
        try:
            app.state.feedback = await run_in_threadpool(open_feedback_store, settings)
        except SQLAlchemyError as error:
            app.state.feedback_error = str(error).splitlines()[0]
            log.error("feedback store unavailable: %s", app.state.feedback_error)
        except OSError as error:
            # An unwritable store folder must not take classification down with it.
            app.state.feedback_error = (
                f"cannot create {error.filename or settings.feedback_db.parent}: {error.strerror}; "
                "set RHETORIC_FEEDBACK_DB or RHETORIC_DATABASE_URL"
            )
            log.error("feedback store unavailable: %s", app.state.feedback_error)
        listening = _listen_for_sighup(app)
        yield
        if listening:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if app.state.feedback is not None:
            app.state.feedback.close()
        app.state.model = None

    app = FastAPI(
        title="rhetoric",
        summary="Labels the rhetorical frames of state-media quotes: gratitude, hostility, self_reliance.",
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.reload_lock = asyncio.Lock()
    install_error_handlers(app)

    @app.post(
        "/v1/classify",
        response_model=ClassifyResponse,
        tags=["classify"],
        summary="Label one quote or a batch of quotes",
        openapi_extra=json_body(request_model),
    )
    async def classify(request: Request, model: ModelDep) -> Response:
        # The body is parsed here rather than by a dependency: pydantic reads the JSON in one pass,
        # and each dependency FastAPI resolves costs about as much as scoring a quote.
        body = parse_body(await read_body(request, settings.max_body_bytes), request_model)
        texts = body.all_texts()
        # A few quotes take well under a millisecond: a thread hop would cost more than it saves.
        if len(texts) <= settings.inline_max_texts and not body.explain:
            content = classify_json(model, texts)
        else:
            content = await run_in_threadpool(classify_json, model, texts, body.explain)
        return Response(content=content, media_type="application/json")

    @app.post(
        "/v1/analyze",
        response_model=AnalyzeResponse,
        tags=["analyze"],
        summary="Split an article into quotes, reported speech and narration, and label each",
        openapi_extra=json_body(article_model),
    )
    async def analyze_article(request: Request, model: ModelDep) -> Response:
        body = parse_body(await read_body(request, settings.max_body_bytes), article_model)
        content = await run_in_threadpool(analyze_json, model, body)
        return Response(content=content, media_type="application/json")

    @app.get("/v1/model", response_model=ModelCard, tags=["model"], summary="The served model's card")
    def model_card(model: ModelDep) -> ModelCard:
        return model.card

    @app.post(
        "/v1/admin/reload",
        response_model=ReloadResult,
        tags=["admin"],
        summary="Load the bundle the model setting points to, verify it, and swap it in",
        dependencies=[Depends(require_admin)],
        responses=ADMIN_RESPONSES,
    )
    async def reload(request: Request) -> ReloadResult:
        try:
            previous, fresh = await reload_model(request.app)
        except BundleError as error:
            serving: ServedModel | None = request.app.state.model
            still = f"{serving.card.version}" if serving else "no model"
            raise HTTPException(status.HTTP_409_CONFLICT, f"reload refused, still serving {still}: {error}") from error
        return ReloadResult(previous=previous.ref if previous else None, serving=fresh.ref)

    @app.post(
        "/v1/feedback",
        response_model=FeedbackOut,
        status_code=status.HTTP_201_CREATED,
        tags=["feedback"],
        summary="Store an analyst's correction; answered only once it is committed",
        openapi_extra=json_body(feedback_model),
    )
    async def add_feedback(request: Request, store: FeedbackDep) -> FeedbackOut:
        body = parse_body(await read_body(request, settings.max_body_bytes), feedback_model)
        try:
            record = await run_in_threadpool(
                store.add,
                body.text,
                list(body.labels),
                body.model_version,
                {label: getattr(body.scores, label) for label in LABELS} if body.scores else None,
                body.annotator,
            )
        except SQLAlchemyError as error:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "feedback store unavailable; not stored"
            ) from error
        return FeedbackOut.model_validate(record, from_attributes=True)

    @app.get(
        "/v1/feedback",
        response_model=FeedbackPage,
        tags=["feedback"],
        summary="Stored corrections, oldest first, a page at a time",
        dependencies=[Depends(require_admin)],
        responses=ADMIN_RESPONSES,
    )
    async def list_feedback(
        store: FeedbackDep,
        after: Annotated[int, Query(ge=0, description="id of the last record already seen")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> FeedbackPage:
        records = await run_in_threadpool(store.page, after, limit)
        items = [FeedbackOut.model_validate(r, from_attributes=True) for r in records]
        return FeedbackPage(items=items, next_after=items[-1].id if len(items) == limit else None)

    @app.get("/healthz", response_model=Health, tags=["operations"], summary="Liveness")
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/readyz",
        response_model=Readiness,
        tags=["operations"],
        summary="Readiness: 200 only while a verified model is loaded",
        responses={503: {"model": Readiness, "description": "no verified model is loaded"}},
    )
    async def readyz(request: Request) -> Readiness | JSONResponse:
        model: ServedModel | None = request.app.state.model
        if model is None:
            body = Readiness(status="not_ready", reason=request.app.state.model_error)
            return JSONResponse(status_code=503, content=body.model_dump(mode="json"))
        return Readiness(status="ready", model=model.ref)

    return app
