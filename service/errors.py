"""Every client error as a JSON body that says what is wrong, never a 500."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from service.schemas import ErrorItem, ErrorResponse

_SHOWN_ERRORS = 5


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "string_too_long" and isinstance(error.get("input"), str):
        return f"text has {len(error['input'])} characters; the limit is {error['ctx']['max_length']}"
    if kind == "too_long" and isinstance(error.get("input"), list):
        return f"{len(error['input'])} texts in one request; the limit is {error['ctx']['max_length']}"
    if kind == "extra_forbidden":
        return "unknown field; give 'text' or 'texts'"
    return str(error["msg"]).removeprefix("Value error, ")


def validation_error_response(errors: list[dict[str, Any]]) -> JSONResponse:
    items = [ErrorItem(loc=[p for p in e["loc"] if p != "body"], msg=_message(e), type=e["type"]) for e in errors]
    summary = "; ".join(f"{_location(tuple(i.loc))}: {i.msg}" for i in items[:_SHOWN_ERRORS])
    if len(items) > _SHOWN_ERRORS:
        summary += f"; and {len(items) - _SHOWN_ERRORS} more"
    body = ErrorResponse(detail=f"invalid request: {summary}", errors=items[:100])
    return JSONResponse(status_code=422, content=jsonable_encoder(body))


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_error_response(list(exc.errors()))

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            status_code=exc.status_code,
            content=jsonable_encoder(ErrorResponse(detail=str(exc.detail))),
            headers=exc.headers,
        )

    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
