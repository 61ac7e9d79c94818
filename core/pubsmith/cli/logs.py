"""Logging for ``-v``/``--debug``, with every known secret scrubbed from every record."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

__all__ = ["RedactingFilter", "configure_logging"]

_REDACTED = "****"


class RedactingFilter(logging.Filter):
    """Replaces secrets in the formatted message: a last line of defence, not the first."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if len(secret) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, _REDACTED)
        record.msg, record.args = message, None
        return True


def configure_logging(verbosity: int, *, secrets: Iterable[str] = ()) -> None:
    if verbosity <= 0:
        return
    known = list(secrets)
    if os.environ.get("CLOUDSMITH_API_KEY"):
        known.append(os.environ["CLOUDSMITH_API_KEY"])
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter(known))
    logger = logging.getLogger("pubsmith")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
