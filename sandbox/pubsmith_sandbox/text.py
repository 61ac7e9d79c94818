"""Text from requests and artifacts, checked before SQLite, the disk or a log sees it.

All three take UTF-8 only, and a JSON ``"\\ud800"`` escape (or a manifest inside an
artifact) can spell a lone surrogate, which UTF-8 cannot encode: stored as it is, it fails
deep inside a write, long after the request looked valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["is_utf8", "not_utf8", "storable", "unencodable_fields"]


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable(text: str) -> str:
    """``text`` with each character UTF-8 cannot encode written out as ``\\udXXX``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def not_utf8(text: str) -> str:
    """Why ``text`` is refused, naming its first lone surrogate."""
    surrogate = next(char for char in text if not is_utf8(char))
    return (
        f"Not valid text: it holds {storable(surrogate)}, a lone surrogate, which UTF-8 "
        "cannot encode; send the text as UTF-8."
    )


def unencodable_fields(body: Mapping[str, Any]) -> dict[str, str]:
    """For each key of a parsed JSON body whose value holds a string (or a key) that UTF-8
    cannot encode, anywhere inside it: that string. The key itself counts too. Walked
    without recursion, so a body nested as deeply as the JSON parser allows is checked."""
    found: dict[str, str] = {}
    for field, top in body.items():
        stack: list[Any] = [field, top]
        while stack:
            value = stack.pop()
            if isinstance(value, str) and not is_utf8(value):
                found[field] = value
                break
            if isinstance(value, dict):
                stack.extend(value.keys())
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
    return found
