"""A streaming ``multipart/form-data`` reader for the presigned POST upload endpoint.

Each part's content is handed on in pieces as it arrives, so a file part of any size goes
to disk through a buffer of about 1 MiB (the standard library's ``cgi`` is gone, and
``email`` parses whole messages in memory).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from pubsmith_sandbox.bodies import CHUNK_SIZE, Readable
from pubsmith_sandbox.errors import BadRequest

__all__ = ["MultipartReader", "Part", "boundary_of"]

_PARAM = re.compile(r';\s*([A-Za-z0-9_.-]+\*?)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_HEADER_LIMIT = 16 * 1024


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None


def boundary_of(content_type: str) -> bytes:
    """The boundary of a ``multipart/form-data`` content type, or a 400 error."""
    kind, params = content_type.partition(";")[0].strip().lower(), _params(content_type)
    boundary = params.get("boundary", "")
    if kind != "multipart/form-data" or not 0 < len(boundary) <= 200:
        raise BadRequest(400, "The upload must be multipart/form-data with a boundary.")
    return boundary.encode("latin-1")


class MultipartReader:
    """Walk the parts of a body: ``next_part()``, then ``stream()`` or ``read()`` its content."""

    def __init__(self, body: Readable, boundary: bytes) -> None:
        self._body = body
        self._delimiter = b"\r\n--" + boundary
        # A leading CRLF lets the opening boundary match the same delimiter as the others.
        self._buffer = bytearray(b"\r\n")
        self._chunk = bytearray(CHUNK_SIZE)
        self._state: Literal["content", "boundary", "end"] = "content"

    def next_part(self) -> Part | None:
        """Skip the rest of the current part and read the next one's headers."""
        if self._state == "content":
            self.stream(None)
        if self._state == "end":
            return None
        self._need(2)
        if self._buffer[:2] == b"--":
            self._state = "end"
            return None
        line_end = self._find(b"\r\n", 1024)
        del self._buffer[: line_end + 2]
        if self._buffer[:2] == b"\r\n":
            raw_headers = b""
            del self._buffer[:2]
        else:
            headers_end = self._find(b"\r\n\r\n", _HEADER_LIMIT)
            raw_headers = bytes(self._buffer[:headers_end])
            del self._buffer[: headers_end + 4]
        self._state = "content"
        return _part_from_headers(raw_headers.decode("utf-8", "replace"))

    def stream(self, write: Callable[[memoryview], object] | None) -> int:
        """Pass the current part's content to ``write`` piece by piece; returns its size."""
        size = 0
        keep = len(self._delimiter) - 1
        while True:
            found = self._buffer.find(self._delimiter)
            end = found if found >= 0 else max(0, len(self._buffer) - keep)
            if end:
                if write is not None:
                    with memoryview(self._buffer) as view:
                        write(view[:end])
                size += end
            if found >= 0:
                del self._buffer[: end + len(self._delimiter)]
                self._state = "boundary"
                return size
            del self._buffer[:end]
            if not self._fill():
                raise BadRequest(400, "The multipart body ended before its closing boundary.")

    def read(self, limit: int) -> bytes:
        """The current part's content, for small form fields."""
        data = bytearray()

        def collect(piece: memoryview) -> None:
            data.extend(piece)
            if len(data) > limit:
                raise BadRequest(400, f"A form field is longer than {limit} bytes.")

        self.stream(collect)
        return bytes(data)

    def _fill(self) -> bool:
        with memoryview(self._chunk) as view:
            count = self._body.readinto(view)
            if count:
                self._buffer += view[:count]
        return bool(count)

    def _need(self, size: int) -> None:
        while len(self._buffer) < size:
            if not self._fill():
                raise BadRequest(400, "The multipart body ended unexpectedly.")

    def _find(self, pattern: bytes, limit: int) -> int:
        while (found := self._buffer.find(pattern)) < 0:
            if len(self._buffer) > limit or not self._fill():
                raise BadRequest(400, "A multipart part has malformed headers.")
        return found


def _part_from_headers(text: str) -> Part:
    headers: dict[str, str] = {}
    for line in text.split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    params = _params(disposition)
    if not disposition.lower().startswith("form-data") or "name" not in params:
        raise BadRequest(400, "A multipart part has no Content-Disposition form-data name.")
    return Part(params["name"], params.get("filename"), headers.get("content-type"))


def _params(header: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, raw in _PARAM.findall(header):
        value = raw.strip()
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if key.endswith("*"):
            # RFC 5987: charset'language'percent-encoded; it wins over the plain form.
            key, value = key[:-1], unquote(value.split("'", 2)[-1])
        params[key.lower()] = value
    return params
