"""Requests, responses and routes, independent of the socket code that carries them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import unquote

from pubsmith_sandbox.bodies import BodyReader
from pubsmith_sandbox.errors import BadRequest, HttpError, NotFound
from pubsmith_sandbox.validation import parse_json

__all__ = ["Handler", "HtmlPage", "Request", "Response", "Route", "Router", "error_response"]

JSON_LIMIT = 10 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: BodyReader
    root: str
    """The sandbox's base URL, such as ``http://127.0.0.1:8123``."""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        """Base of the URLs the API puts in its answers (``self_url`` and the like)."""
        return f"{self.root}/v1"

    def json(self) -> dict[str, Any]:
        return parse_json(self.body.read(JSON_LIMIT))

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").strip().lower() in ("1", "true", "yes", "on")

    def number(self, name: str, default: int, minimum: int = 1) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise BadRequest(400, f"{name} must be a whole number >= {minimum}, not {raw!r}.")
        return value


@dataclass(frozen=True)
class HtmlPage:
    """A web page, sent as ``text/html; charset=utf-8``; its text is already escaped."""

    text: str


@dataclass
class Response:
    status: int
    body: Any = None
    """A JSON value, an :class:`HtmlPage`, or None for no body (204)."""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    """The path with ``{name}`` placeholders, as in the OpenAPI description."""
    operation: str
    """operationId; ``{name}`` placeholders are filled from the path."""
    handler: Handler
    control: bool = False
    """Not an API operation (a ``/_sandbox/`` control endpoint, a web page): no faults, no
    rate limit, not counted."""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template.rstrip("/")))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}/?$"))

    def operation_for(self, params: dict[str, str]) -> str:
        return self.operation.format(**params)


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = list(routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed = []
        for route in self._routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                # Clients percent-encode path segments; undecodable bytes read as U+FFFD.
                return route, {name: unquote(value) for name, value in found.groupdict().items()}
            allowed.append(route.method)
        if allowed:
            raise HttpError(405, f'Method "{method}" not allowed.')
        raise NotFound(404, "Not found.")


def error_response(error: HttpError, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"detail": error.detail or "Error."}
    if error.fields:
        body["fields"] = error.fields
    return Response(error.status_code, body, dict(headers or {}))
