"""Request bodies on a kept-alive connection: where one request's body ends.

`body_framing` reads the framing from the headers (refusing what RFC 9112 says a server must
refuse), and `RequestBody` is the stream the WSGI app reads: exactly the body, never a byte of
the next request, with `drain` for what the app left unread.
"""

from __future__ import annotations

import io
import re
from typing import Any

MAX_LINE = 65536  # request line, each header line and each trailer line, as http.server


class FramingError(OSError):
    """The request body's framing is broken: the connection cannot carry another request.
    `status` is the answer: 400, or 501 for a transfer coding the server does not know."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# A chunk header: hex digits (no sign, no 0x, no underscores), then extensions made of tokens
# (`;name` or `;name=value`, the value a token or a quoted string), RFC 9112 section 7.1.
_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_CHUNK_HEADER = re.compile(
    rb"([0-9A-Fa-f]{1,16})((?:[ \t]*;[ \t]*" + _TOKEN
    + rb"(?:[ \t]*=[ \t]*(?:" + _TOKEN + rb'|"(?:[^"\\\r\n]|\\.)*"))?)*)[ \t]*\r?\n'
)


class RequestBody(io.RawIOBase):
    """The body of one request, read from the connection's buffered stream: exactly
    `length` bytes, or a chunked body up to its last chunk (trailers included). It never
    reads past the body, so the connection's next request stays intact."""

    def __init__(self, stream: io.BufferedIOBase, length: int | None, chunked: bool) -> None:
        super().__init__()
        self._stream = stream
        self._chunked = chunked
        self._left = 0 if chunked else (length or 0)  # bytes left (in the current chunk)
        self._done = not chunked and not length
        self.broken = False  # framing failed: never reuse the connection

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if not self._chunked:
            size = min(size, self._left)  # no buffer larger than what is left to read
        return super().read(size) or b""

    @property
    def finished(self) -> bool:
        """The whole body has been read: the next byte belongs to the next request."""
        return self._done

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        try:
            while filled < len(view) and not self._done:
                if self._left == 0:
                    self._next_chunk()  # only chunked bodies get here with bytes to come
                    continue
                wanted = min(len(view) - filled, self._left)
                got = self._stream.readinto(view[filled : filled + wanted])
                if not got:
                    raise FramingError("the client closed the connection before the body ended")
                filled += got
                self._left -= got
                if self._left == 0 and not self._chunked:
                    self._done = True
                elif self._left == 0:
                    self._expect_line_end()
        except (OSError, ValueError):
            self.broken = True
            raise
        return filled

    def _next_chunk(self) -> None:
        line = self._stream.readline(1024)
        if not line.endswith(b"\n"):
            raise FramingError("a chunk header is missing or too long")
        header = _CHUNK_HEADER.fullmatch(line)
        if header is None:
            raise FramingError(f"invalid chunk header {line[:40]!r}")
        size = int(header[1], 16)
        if size == 0:
            self._skip_trailers()
            self._done = True
        self._left = size

    def _expect_line_end(self) -> None:
        if self._stream.readline(2) not in (b"\r\n", b"\n"):
            raise FramingError("a chunk does not end with a line break")

    def _skip_trailers(self) -> None:
        for _ in range(100):
            line = self._stream.readline(MAX_LINE)
            if line in (b"\r\n", b"\n"):
                return
            if not line.endswith(b"\n"):
                raise FramingError("the chunked body's trailer section is broken")
        raise FramingError("too many trailer fields")

    def drain(self, limit: int) -> bool:
        """Read and discard the rest of the body, at most `limit` bytes; True when the
        connection can carry another request."""
        if self.broken:
            return False
        if not self._chunked and self._left > limit:
            return False
        scratch = bytearray(65536)
        total = 0
        try:
            while not self._done:
                got = self.readinto(scratch)
                total += got
                if total > limit:
                    return False
        except (OSError, ValueError):
            return False
        return True


def body_framing(headers: Any) -> tuple[int | None, bool]:
    """(Content-Length, chunked) of a request; FramingError when the length cannot be
    determined reliably (RFC 9112 section 6.3: the server must answer 400 and close)."""
    encodings = [
        coding.strip().lower()
        for value in headers.get_all("Transfer-Encoding") or ()
        for coding in value.split(",")
        if coding.strip()
    ]
    lengths = {value.strip() for value in headers.get_all("Content-Length") or ()}
    if encodings:
        if encodings != ["chunked"]:
            unknown = ", ".join(e for e in encodings if e != "chunked") or "chunked twice"
            raise FramingError(
                f"the only transfer coding this server knows is chunked, not {unknown}", 501
            )
        if lengths:
            raise FramingError("a request may not have both Transfer-Encoding and Content-Length")
        return None, True
    if not lengths:
        return None, False
    if len(lengths) > 1:
        raise FramingError("the request has conflicting Content-Length values")
    (text,) = lengths
    if not text.isdigit() or not text.isascii():
        raise FramingError(f"invalid Content-Length {text[:40]!r}")
    return int(text), False
