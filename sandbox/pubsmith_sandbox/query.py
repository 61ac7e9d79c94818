"""The ``query`` and ``sort`` parameters of packages_list, in Cloudsmith's search syntax.

Terms are ``field:value`` (name, filename, version, format, tag, status, checksum, size)
or plain text (matched against name and filename), joined by AND (the default), OR and
NOT. Text values match as substrings unless anchored with ``^``/``$``; ``*`` is a
wildcard. A bare version matches exactly; ``>``, ``>=``, ``<`` and ``<=`` compare versions
and sizes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from typing import Any

from pubsmith_sandbox.errors import BadRequest

__all__ = ["Matcher", "compile_query", "sort_packages"]

Fields = dict[str, Any]
Matcher = Callable[[Fields], bool]

_TEXT_FIELDS = ("name", "filename", "tag", "checksum")
_SORTABLE = ("name", "version", "date", "filename", "format", "size")
_COMPARISON = re.compile(r"^(>=|<=|>|<)(.+)$")


def compile_query(text: str) -> Matcher:
    """A predicate over a package's searchable fields (a dict keyed by field name)."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise BadRequest(400, f"Invalid query: {exc}.") from None
    matcher, rest = _or(tokens)
    if rest:
        raise BadRequest(400, f"Invalid query near {rest[0]!r}.")
    return matcher


def sort_packages(items: list[Fields], sort: str) -> list[Fields]:
    """``items`` ordered by each comma-separated field of ``sort``, "-" for descending."""
    parts = [part.strip() for part in sort.split(",")]
    for part in parts:
        if part.lstrip("-") not in _SORTABLE:
            raise BadRequest(
                400, f"Cannot sort by {part!r}; sort by one of {', '.join(_SORTABLE)}."
            )
    for part in reversed(parts):
        field = part.lstrip("-")
        items = sorted(items, key=lambda item: _order(item, field), reverse=part.startswith("-"))
    return items


def _order(item: Fields, field: str) -> tuple[Any, ...]:
    value = item["uploaded_at"] if field == "date" else item.get(field)
    if field == "version":
        return _version_key(value or "")
    return (value is None, value if value is not None else "")


def _or(tokens: list[str]) -> tuple[Matcher, list[str]]:
    left, tokens = _and(tokens)
    while tokens and tokens[0].upper() == "OR":
        right, tokens = _and(tokens[1:])
        left = _either(left, right)
    return left, tokens


def _and(tokens: list[str]) -> tuple[Matcher, list[str]]:
    left, tokens = _not(tokens)
    while tokens and tokens[0].upper() != "OR":
        if tokens[0].upper() == "AND":
            tokens = tokens[1:]
        right, tokens = _not(tokens)
        left = _both(left, right)
    return left, tokens


def _not(tokens: list[str]) -> tuple[Matcher, list[str]]:
    if not tokens:
        return (lambda fields: True), tokens
    if tokens[0].upper() == "NOT":
        inner, rest = _not(tokens[1:])
        return (lambda fields: not inner(fields)), rest
    return _term(tokens[0]), tokens[1:]


def _either(left: Matcher, right: Matcher) -> Matcher:
    return lambda fields: left(fields) or right(fields)


def _both(left: Matcher, right: Matcher) -> Matcher:
    return lambda fields: left(fields) and right(fields)


def _term(token: str) -> Matcher:
    field, sep, value = token.partition(":")
    if not sep:
        pattern = _text_pattern(token)
        return lambda fields: any(_search(pattern, fields[key]) for key in ("name", "filename"))
    field = field.lower()
    if field in _TEXT_FIELDS:
        pattern = _text_pattern(value)
        return lambda fields: _search(pattern, fields[field])
    if field in ("format", "status"):
        return lambda fields: str(fields[field]).lower() == value.lower()
    if field in ("version", "size"):
        return _compare(field, value)
    raise BadRequest(400, f"Unknown search field {field!r} in query {token!r}.")


def _compare(field: str, value: str) -> Matcher:
    key = _version_key if field == "version" else _size_key
    if comparison := _COMPARISON.match(value):
        operator, bound = comparison[1], key(comparison[2])
        checks: dict[str, Callable[[Any, Any], bool]] = {
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
        }
        check = checks[operator]
        return lambda fields: fields[field] is not None and check(key(fields[field]), bound)
    if field == "version" and any(mark in value for mark in "^$*"):
        pattern = _text_pattern(value)
        return lambda fields: _search(pattern, fields[field])
    return lambda fields: fields[field] is not None and key(fields[field]) == key(value)


def _text_pattern(value: str) -> re.Pattern[str]:
    start, end = value.startswith("^"), value.endswith("$") and len(value) > 1
    core = value[1 if start else 0 : len(value) - (1 if end else 0)]
    body = ".*".join(re.escape(piece) for piece in core.split("*"))
    return re.compile(("^" if start else "") + body + ("$" if end else ""), re.IGNORECASE)


def _search(pattern: re.Pattern[str], value: str | Sequence[str] | None) -> bool:
    values = [value] if isinstance(value, str) else list(value or ())
    return any(pattern.search(item) for item in values)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = re.findall(r"\d+|[A-Za-z]+", str(version))
    return tuple((0, int(part)) if part.isdigit() else (-1, part.lower()) for part in parts)


def _size_key(value: str | int) -> int:
    try:
        return int(value)
    except ValueError:
        raise BadRequest(400, f"size must be a number of bytes, not {value!r}.") from None
