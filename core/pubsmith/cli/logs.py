"""Logging for ``-v``/``--debug``, with every known secret scrubbed from every record.

Records carry file names and server answers: each is shown printable, a message on one
line and a traceback line by line, so no record can act on the terminal or forge another.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from pubsmith._text import printable
from pubsmith.secret import redact

__all__ = ["RedactingFilter", "configure_logging"]


class RedactingFilter(logging.Filter):
    """Replaces secrets in the formatted message: a last line of defence, not the first."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage(), self.secrets), None
        return True


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure_logging` installs, told apart from anyone else's.

    It writes to whatever ``sys.stderr`` is when a record comes, as logging's own last
    resort does, so a command run in-process (tests) never writes to a stream since closed.
    """

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass  # StreamHandler.__init__ sets it; the property decides


class _PrintableFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:
        return _lines(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _lines(super().formatStack(stack_info))


def _lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.splitlines())


# httpx logs every request at INFO with its full URL: presigned upload URLs carry their
# signatures in the query. pubsmith logs requests itself, with those values hidden.
_QUIET_LIBRARIES = ("httpx", "httpcore")


def configure_logging(verbosity: int, *, secrets: Iterable[str] = ()) -> RedactingFilter:
    """Warnings only by default; requests with ``-v``; headers and bodies with ``-vv``.

    Every record pubsmith emits goes through one handler that scrubs ``secrets`` and the
    key in ``CLOUDSMITH_API_KEY``; a key found later (the keyring's, one from OIDC) is
    added to the returned filter's ``secrets``.
    """
    known = list(secrets)
    if os.environ.get("CLOUDSMITH_API_KEY"):
        known.append(os.environ["CLOUDSMITH_API_KEY"])
    handler = _Handler()
    if verbosity <= 0:
        handler.setFormatter(_PrintableFormatter("warning: %(message)s"))
    else:
        handler.setFormatter(_PrintableFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    redacting = RedactingFilter(known)
    handler.addFilter(redacting)
    logger = logging.getLogger("pubsmith")
    for previous in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(previous)  # a command run again in one process (tests) replaces it
    logger.addHandler(handler)
    if verbosity <= 0:
        handler.setLevel(logging.WARNING)  # the logger's level stays the application's
    else:
        logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redacting
