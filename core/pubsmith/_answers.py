"""Turn what a server sent into text safe for one line of output or a log record."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from pubsmith._text import printable

__all__ = ["explain", "loggable_headers", "loggable_url", "one_line"]

MAX_TEXT = 200

# Enough of a body to find its message; the rest of a huge body is never decoded.
_SCAN = 8192
_PARSE = 1024 * 1024
_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_SECRET_HEADER = re.compile(r"key|token|auth|secret|signature|cookie|credential", re.IGNORECASE)
_CUT_ESCAPE = re.compile(r"\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$")  # an escape cut short
_SHOWN_PARAMS = frozenset({"upload_id", "part_number", "page", "page_size", "query"})


def one_line(text: str, limit: int = MAX_TEXT) -> str:
    """Server text on one line: whitespace (line breaks too) collapsed, truncated to about
    ``limit`` characters, and any other control character shown escaped (``\x1b``)."""
    shown = printable(" ".join(text[: limit * 4].split()))
    if len(shown) <= limit:
        return shown
    return _CUT_ESCAPE.sub("", shown[: limit - 1]).rstrip() + "…"


def explain(response: httpx.Response, content: bytes) -> tuple[str | None, dict[str, list[str]]]:
    """The API's ``detail`` and ``fields`` from an error answer, whatever its body is."""
    text = content[:_SCAN].decode("utf-8", "replace")
    try:
        data: Any = json.loads(content) if len(content) <= _PARSE else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        detail = data.get("detail")
        fields = data.get("fields")
        if detail is None and fields is None:
            # Framework-style errors put the field messages at the top level.
            fields = data
        return (one_line(str(detail)) if detail is not None else None), _fields(fields)
    if data is not None:
        return one_line(text), {}
    if not text.strip():
        return response.reason_phrase or None, {}
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or text.lstrip()[:1] == "<":
        title = _TITLE.search(text)
        words = title.group(1) if title else _TAG.sub(" ", _HIDDEN.sub(" ", text))
        return f"the server answered an HTML page instead of JSON: {one_line(words)}", {}
    return f"the server answered something that is not JSON: {one_line(text)}", {}


def _fields(fields: object) -> dict[str, list[str]]:
    if not isinstance(fields, Mapping):
        return {}
    explained: dict[str, list[str]] = {}
    for key, value in list(fields.items())[:10]:
        messages = value if isinstance(value, list) else [value]
        explained[one_line(str(key), 60)] = [one_line(str(message)) for message in messages[:5]]
    return explained


def loggable_url(url: httpx.URL) -> str:
    """``url`` with every query value hidden but a few harmless ones (presigned signatures)."""
    if not url.query:
        return str(url)
    shown = [
        f"{name}={value if name in _SHOWN_PARAMS else '…'}"
        for name, value in url.params.multi_items()
    ]
    return str(url.copy_with(query=None)) + "?" + "&".join(shown)


def loggable_headers(headers: Iterable[tuple[str, str]]) -> str:
    """Headers for a debug log, with anything that may be a credential hidden."""
    return ", ".join(
        f"{name}: {'****' if _SECRET_HEADER.search(name) else value}" for name, value in headers
    )
