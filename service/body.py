"""Reading a JSON request body within a size limit, with a precise error for each way it can be wrong."""

import json
from typing import TypeVar

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

JSON_MEDIA_TYPES = ("application/json",)
Model = TypeVar("Model", bound=BaseModel)


def _check_content_type(request: Request) -> None:
    header = request.headers.get("content-type", "")
    media_type, _, parameters = header.partition(";")
    media_type = media_type.strip().lower()
    if media_type not in JSON_MEDIA_TYPES and not media_type.endswith("+json"):
        shown = media_type or "none"
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"content type is {shown}; send the body as application/json",
        )
    charset = parameters.strip().lower().removeprefix("charset=").strip('"')
    if charset and parameters.strip().lower().startswith("charset=") and charset not in ("utf-8", "utf8"):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"charset is {charset}; JSON bodies must be UTF-8")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body of a JSON request, refusing other content types and bodies over limit bytes."""
    _check_content_type(request)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body has {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _unreadable(raw: bytes, parser_message: str) -> HTTPException:
    """Why a body the JSON parser refused cannot be read, in the words a client can act on."""
    if not raw.strip():
        return HTTPException(status.HTTP_400_BAD_REQUEST, "body is empty; send a JSON object")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"body is not valid UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start}",
        )
    try:
        json.loads(decoded)
    except json.JSONDecodeError as error:
        return HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
        )
    except RecursionError:
        return HTTPException(status.HTTP_400_BAD_REQUEST, "body is not usable JSON: it nests too deeply")
    return HTTPException(status.HTTP_400_BAD_REQUEST, f"body is not usable JSON: {parser_message}")


def parse_body(raw: bytes, model: type[Model]) -> Model:
    """Validate a JSON body against model: 400 when it is not JSON, 422 when it breaks the schema."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        errors = error.errors()
        if errors and errors[0]["type"] == "json_invalid":
            raise _unreadable(raw, str(errors[0]["msg"])) from error
        raise RequestValidationError(errors) from error
