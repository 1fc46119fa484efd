"""Reading a request body with a size limit: the Trove API, the control API and identity."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from trovemock.api.errors import HttpError


class BodyError(HttpError):
    """A body that cannot be used: `status` is 400 or 413, `raw` holds what was read of it
    (at most the limit and one byte), for the journal."""

    def __init__(self, status: int, message: str, raw: bytes = b"") -> None:
        super().__init__(status, message)
        self.raw = raw


def read_body(request: Request, limit: int) -> bytes:
    """The raw body, at most `limit` bytes; 413 above it, announced or not (a chunked upload
    is read only up to the limit, never whole)."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyError(413, f"The request body is larger than the limit of {limit} bytes.")
    try:
        raw = request.stream.read(limit + 1)
    except (OSError, HTTPException) as error:  # broken chunked framing, client gone
        raise BodyError(400, f"The request body could not be read: {short_reason(error)}") from None
    if len(raw) > limit:
        raise BodyError(
            413, f"The request body is larger than the limit of {limit} bytes.", raw
        )
    return raw


def short_reason(error: Exception) -> str:
    """An exception's text, cut to 200 characters for a fault message."""
    text = str(error) or type(error).__name__
    return text if len(text) < 200 else text[:200] + "..."


def parse_json(raw: bytes) -> Any:
    """Parsed JSON; 400 for anything else, JSON nested too deeply to parse included."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise BodyError(400, "The body is not valid JSON: it is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError(400, f"The body is not valid JSON: {error}") from None
