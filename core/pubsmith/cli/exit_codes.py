"""Exit codes, picked here and nowhere else, so scripts can tell failures apart."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from pubsmith.errors import (
    ApiError,
    ArtifactError,
    AuthenticationError,
    BadInputError,
    ConfigError,
    NotFoundError,
    PluginError,
    PubsmithError,
    ServerError,
    TransportError,
)
from pubsmith.results import PublishResult

__all__ = ["ExitCode", "exit_code_for_error", "exit_code_for_results"]


class ExitCode(IntEnum):
    OK = 0
    """Every file was published or skipped (or, with --dry-run, planned)."""
    FAILED = 1
    """At least one package failed to upload or to process; the others were published."""
    USAGE = 2
    """Bad flags, options, configuration or input files: nothing was sent."""
    AUTH = 3
    """The API key is wrong, expired or lacks permission."""
    NOT_FOUND = 4
    """The repository (or package) does not exist, or the key cannot see it."""
    UNAVAILABLE = 5
    """The server could not be reached or kept failing, after retries."""


def exit_code_for_error(error: BaseException) -> ExitCode:
    if isinstance(error, AuthenticationError):
        return ExitCode.AUTH
    if isinstance(error, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(error, (TransportError, ServerError)):
        return ExitCode.UNAVAILABLE
    if isinstance(error, (BadInputError, ArtifactError, ConfigError, PluginError)):
        return ExitCode.USAGE
    if isinstance(error, (ApiError, PubsmithError)):
        return ExitCode.FAILED
    return ExitCode.FAILED


def exit_code_for_results(results: Sequence[PublishResult]) -> ExitCode:
    """0 when all went well; the shared cause's code when every file failed alike; else 1."""
    failed = [result for result in results if result.status == "failed"]
    if not failed:
        return ExitCode.OK
    if len(failed) < len(results):
        return ExitCode.FAILED
    codes = {
        exit_code_for_error(result.exception) if result.exception else ExitCode.FAILED
        for result in failed
    }
    return codes.pop() if len(codes) == 1 else ExitCode.FAILED
