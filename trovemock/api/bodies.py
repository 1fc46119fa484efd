"""Reading a request body with a size limit, for the control API and identity (the Trove API
reads its own in `api.app`, with the same rules)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request


class BodyError(Exception):
    """A body that cannot be used: `status` is 400 or 413, `str()` says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(request: Request, limit: int) -> bytes:
    """The raw body, at most `limit` bytes; 413 above it, announced or not (a chunked upload
    is read only up to the limit, never whole)."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyError(413, f"The request body is larger than the limit of {limit} bytes.")
    try:
        raw = request.stream.read(limit + 1)
    except (OSError, HTTPException) as error:  # broken chunked framing, client gone
        raise BodyError(400, f"The request body could not be read: {error}") from None
    if len(raw) > limit:
        raise BodyError(413, f"The request body is larger than the limit of {limit} bytes.")
    return raw


def parse_json(raw: bytes) -> Any:
    """Parsed JSON; 400 for anything else, JSON nested too deeply to parse included."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise BodyError(400, "The body is not valid JSON: it is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError(400, f"The body is not valid JSON: {error}") from None
