"""Reading a JSON request body within a size limit, with a precise error for each way it can be wrong."""

import json
from typing import Any

from fastapi import HTTPException, Request, status

JSON_MEDIA_TYPES = ("application/json",)


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


async def read_json_body(request: Request, limit: int) -> Any:
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
    raw = b"".join(chunks)
    if not raw.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "body is empty; send a JSON object")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"body is not valid UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start}",
        ) from error
    try:
        return json.loads(decoded)
    except json.JSONDecodeError as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
        ) from error
    except RecursionError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "body is not usable JSON: it nests too deeply") from error
