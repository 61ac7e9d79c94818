"""A credential that cannot leak by being printed, formatted, logged or pickled."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from typing import Any, NoReturn

__all__ = ["Secret", "redact"]

_MASK = "Secret('****')"
REDACTED = "****"
# A secret this short is as likely a piece of a word as a key: hidden only where it stands
# alone, so "Invalid API key" keeps its letters when the key is "a".
_SHORT = 8


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret in it shown as ``****``.

    A secret of :data:`_SHORT` characters or more is hidden wherever it occurs; a shorter
    one only where no letter or digit touches it, since within a word it is no secret.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= _SHORT:
            text = text.replace(secret, REDACTED)
        elif secret in text:
            alone = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
            text = re.sub(alone, REDACTED, text)
    return text


class Secret:
    """Wraps an API key; only :meth:`reveal` gives the value back.

    ``repr``, ``str`` and every format spec show ``Secret('****')``, so a ``Secret`` can
    sit in a dataclass, an f-string or a log call without exposing the key. Pickling is
    refused (a pickle is a file the key would end up in); copies share the value.

    >>> key = Secret("abc123")
    >>> f"{key}", key.reveal()
    ("Secret('****')", 'abc123')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        self._value = value

    @classmethod
    def coerce(cls, value: Secret | str | None) -> Secret | None:
        """``value`` as a ``Secret``; None and the empty string mean no key."""
        if value is None or isinstance(value, Secret):
            return value if value else None
        return cls(value) if value else None

    def reveal(self) -> str:
        """The wrapped value: call it only where the key is sent."""
        return self._value

    def __repr__(self) -> str:
        return _MASK

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return _MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time so the comparison itself tells nothing about the value.
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: the key would be written out in clear")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self
