"""The sandbox's own errors: bad settings, and API error answers raised from handlers.

A handler raises an :class:`HttpError` subclass; the server turns it into the status and
the ``{"detail": ..., "fields": {...}}`` body Cloudsmith's API answers with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = [
    "BadRequest",
    "HttpError",
    "NotFound",
    "SandboxConfigError",
    "SandboxError",
    "ServerFault",
    "Throttled",
    "Unauthorized",
]


class SandboxError(Exception):
    """Root of the sandbox's errors; ``str(error)`` is one line fit for a user."""


class SandboxConfigError(SandboxError):
    """A sandbox setting is missing, malformed or cannot be used (a port in use, ...)."""


class HttpError(SandboxError):
    """An error answer: ``status_code`` with the API's ``detail`` and per-field messages."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.fields = {key: list(messages) for key, messages in (fields or {}).items()}
        super().__init__(f"HTTP {status_code}: {detail}")


class BadRequest(HttpError):
    """The request or its body is malformed or not allowed (400, 413)."""


class Unauthorized(HttpError):
    """Missing or wrong credentials, or a bad upload signature (401, 403)."""


class NotFound(HttpError):
    """No such repository, package, upload or path (404)."""


class Throttled(HttpError):
    """The rate-limit budget is spent (429)."""


class ServerFault(HttpError):
    """A server error, injected or from a bug in the sandbox (5xx)."""
