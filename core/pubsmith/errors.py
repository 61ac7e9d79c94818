"""One exception root for everything pubsmith raises on purpose.

Every message is written for the person running the publish: it names the problem and,
where there is one, the fix. The CLI turns these into one line and an exit code; nothing
in the core prints or exits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "AmbiguousResultError",
    "ApiError",
    "ArtifactError",
    "ArtifactLimitError",
    "AuthenticationError",
    "BadInputError",
    "ConfigError",
    "FileChangedError",
    "FormatDetectionError",
    "NotFoundError",
    "OptionError",
    "PluginError",
    "ProcessingError",
    "PubsmithError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "UploadError",
    "ValidationError",
]


class PubsmithError(Exception):
    """Root of pubsmith's errors; ``str(error)`` is one line fit for a user."""


class ConfigError(PubsmithError):
    """Settings are missing, malformed or unsafe (bad ``--repo``, no API key, ...)."""


class OptionError(ConfigError):
    """A format option (``-o key=value``) is unknown, malformed or missing."""

    def __init__(self, key: str, problem: str, *, path: Path | None = None) -> None:
        self.key = key
        self.path = path
        where = f"{path}: " if path is not None else ""
        super().__init__(f"{where}{problem}")


class PluginError(PubsmithError):
    """A format plugin failed to load, clashes with another plugin, or broke its contract.

    The message names the plugin and its distribution. ``path`` is the file the plugin was
    working on when it failed, if any; ``problem`` is the message without it.
    """

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.problem = message
        super().__init__(f"{path}: {message}" if path is not None else message)


class ArtifactError(PubsmithError):
    """A file is missing, unreadable, corrupt, or not of the format it claims to be."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ArtifactLimitError(ArtifactError):
    """A file would take more reading than any real package does: a member, a listing or
    its decompressed size is past :class:`~pubsmith.artifact.ReadLimits`.

    Unlike other artifact errors it is not "not this format": detection reports it.
    """


class BadInputError(PubsmithError):
    """One or more files or options are wrong; nothing was sent. ``errors`` has each."""

    def __init__(self, errors: Sequence[PubsmithError]) -> None:
        self.errors = list(errors)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}")


class FormatDetectionError(ArtifactError):
    """No format, or more than one, recognises a file; ``FORMAT:PATH`` settles it."""

    def __init__(self, path: Path | str, candidates: Sequence[str]) -> None:
        self.candidates = tuple(candidates)
        if candidates:
            choices = ", ".join(candidates)
            problem = (
                f"could be any of {choices}; prefix it with one, as in "
                f"{candidates[0]}:FILE (or pass --format)"
            )
        else:
            problem = (
                "not recognised as any installed format; prefix it with one, as in raw:FILE "
                "to publish it as a plain file"
            )
        super().__init__(path, problem)


class TransportError(PubsmithError):
    """The server could not be reached, or did not answer in time, after retries."""


class AmbiguousResultError(TransportError):
    """A request that creates something may or may not have taken effect.

    Raised instead of retrying a non-idempotent request (files_create, package create,
    copy, move) whose answer was lost or was a server error: the caller should look up
    whether it took effect before sending it again. ``status_code`` is the HTTP status
    when the server answered, else None.
    """

    maybe_processed = True

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class UploadError(PubsmithError):
    """File bytes could not be delivered to the upload endpoint."""


class FileChangedError(UploadError):
    """A file's size or modification time changed while it was being uploaded.

    What the server got may be neither the old content nor the new, so no package is made
    of it; publishing again sends the file as it is then.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(f"{path}: changed while uploading; publish it again")


class ProcessingError(PubsmithError):
    """Cloudsmith accepted a package but failed to process it."""

    def __init__(self, slug: str, reason: str) -> None:
        self.slug = slug
        self.reason = reason
        super().__init__(f"processing failed for package {slug}: {reason}")


class ApiError(PubsmithError):
    """The API answered with an error status.

    ``detail`` and ``fields`` are the API's own explanation (``{"detail": ..., "fields":
    {"name": ["message"]}}``); the message joins them into one line.
    """

    def __init__(
        self,
        status_code: int,
        detail: str | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
        *,
        operation: str = "",
        hint: str = "",
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.fields = {key: list(value) for key, value in (fields or {}).items()}
        self.operation = operation
        parts = [f"{operation} failed" if operation else "request failed"]
        parts.append(f"(HTTP {status_code})")
        message = " ".join(parts)
        if detail:
            # "Invalid API key.; check ..." reads badly: a sentence's full stop goes when
            # more follows it.
            message += f": {detail.rstrip('.') if self.fields or hint else detail}"
        if self.fields:
            message += (
                " ["
                + "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in self.fields.items())
                + "]"
            )
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class ValidationError(ApiError):
    """The API rejected a request body (HTTP 400/422)."""


class AuthenticationError(ApiError):
    """The API key is missing, wrong, expired or lacks permission (HTTP 401/403)."""


class NotFoundError(ApiError):
    """The repository, package or upload does not exist (HTTP 404)."""


class RateLimitedError(ApiError):
    """The API kept answering 429 after the retry budget was spent."""


class ServerError(ApiError):
    """The API kept failing (5xx) or answered something that is not its JSON."""
