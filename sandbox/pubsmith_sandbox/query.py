"""The ``query`` and ``sort`` parameters of packages_list, in Cloudsmith's search syntax.

As Cloudsmith documents it ("Package Search Syntax"): terms are ``field:value`` or plain
text, which matches a name, file name, tag or version. Terms are joined by ``AND`` (the
default), ``OR`` and ``NOT``, ``AND`` binding tighter, grouped with parentheses; ``~``
before a term negates it too. Fields:

- ``name``, ``filename``, ``tag``, ``checksum``, ``license``, ``repository``: contains the
  value, anchored with ``^``/``$``, ``*`` matching anything;
- ``version``: exactly (``version:1.1.0``), as a pattern (``^1.1``, ``1.1*post1``) or
  compared (``>``, ``>=``, ``<``, ``<=``, and ``~=1.2.0``: at least 1.2.0, below 1.3);
- ``format``, ``status``, ``architecture``, ``type`` (``binary``, ``source``,
  ``combined``): equal; ``distribution``: ``el`` or ``el/7``; ``prerelease``: ``true`` or
  ``false``;
- ``size``, ``downloads``: numbers, compared; ``uploaded``: a date (``2024-08-14``,
  ``today``, ``"3 days ago"``), compared, or alone for that day.
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from pubsmith_sandbox.errors import BadRequest

__all__ = ["Matcher", "compile_query", "sort_packages"]

Fields = dict[str, Any]
Matcher = Callable[[Fields], bool]

_TEXT_FIELDS = ("name", "filename", "tag", "checksum", "license", "repository")
_EQUAL_FIELDS = ("format", "status", "architecture", "type")
_NUMBER_FIELDS = ("size", "downloads")
_IMPLICIT = ("name", "filename", "tag", "version")
_SORTABLE = ("name", "version", "date", "filename", "format", "size")
_COMPARISON = re.compile(r"^(>=|<=|~=|>|<)(.+)$")
_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
# PEP 440's pre-releases and development releases, and SemVer's x.y.z-anything.
_PRERELEASE = re.compile(
    r"(?i)\d[._-]?(a|b|c|rc|alpha|beta|pre|preview|dev)\d*\b|^v?\d+\.\d+\.\d+-[0-9a-z]"
)
_AGO = re.compile(r"^(\d+)\s*(second|minute|hour|day|week|month|year)s?\s+ago$", re.I)
_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}


def compile_query(text: str, now: Callable[[], float] = time.time) -> Matcher:
    """A predicate over a package's searchable fields (a dict keyed by field name)."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars="()")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError as exc:
        raise BadRequest(400, f"Invalid query: {exc}.") from None
    matcher, rest = _Parser(now).either(tokens)
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


def _is_prerelease(version: str | None) -> bool:
    return bool(version) and _PRERELEASE.search(str(version)) is not None


def _order(item: Fields, field: str) -> tuple[Any, ...]:
    value = item["uploaded_at"] if field == "date" else item.get(field)
    if field == "version":
        return _version_key(value or "")
    return (value is None, value if value is not None else "")


class _Parser:
    """Recursive descent over the tokens: OR of ANDs of (NOT) terms or groups."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def either(self, tokens: list[str]) -> tuple[Matcher, list[str]]:
        left, tokens = self._both(tokens)
        while tokens and tokens[0].upper() == "OR":
            right, tokens = self._both(tokens[1:])
            left = _any_of(left, right)
        return left, tokens

    def _both(self, tokens: list[str]) -> tuple[Matcher, list[str]]:
        left, tokens = self._negated(tokens)
        while tokens and tokens[0].upper() != "OR" and tokens[0] != ")":
            if tokens[0].upper() == "AND":
                tokens = tokens[1:]
            right, tokens = self._negated(tokens)
            left = _all_of(left, right)
        return left, tokens

    def _negated(self, tokens: list[str]) -> tuple[Matcher, list[str]]:
        if not tokens:
            return (lambda fields: True), tokens
        if tokens[0].upper() == "NOT":
            inner, rest = self._negated(tokens[1:])
            return _none_of(inner), rest
        if tokens[0] == "(":
            inner, rest = self.either(tokens[1:])
            if not rest or rest[0] != ")":
                raise BadRequest(400, "Invalid query: a '(' is not closed.")
            return inner, rest[1:]
        if tokens[0] == ")":
            raise BadRequest(400, "Invalid query: a ')' closes nothing.")
        if tokens[0].startswith("~") and not tokens[0].startswith("~="):
            return _none_of(self._term(tokens[0][1:])), tokens[1:]
        return self._term(tokens[0]), tokens[1:]

    def _term(self, token: str) -> Matcher:
        field, sep, value = token.partition(":")
        if not sep:
            return _implicit(token)
        field = field.lower()
        if field in _TEXT_FIELDS:
            pattern = _text_pattern(value)
            return lambda fields: _search(pattern, fields.get(field))
        if field in _EQUAL_FIELDS:
            return lambda fields: str(fields.get(field) or "").lower() == value.lower()
        if field == "distribution":
            return _distribution(value)
        if field == "prerelease":
            wanted = value.lower() in ("true", "1", "yes")
            return lambda fields: _is_prerelease(fields.get("version")) == wanted
        if field == "version":
            return _version(value)
        if field in _NUMBER_FIELDS:
            return _compare(field, value, _number)
        if field == "uploaded":
            return self._uploaded(value)
        raise BadRequest(400, f"Unknown search field {field!r} in query {token!r}.")

    def _uploaded(self, value: str) -> Matcher:
        comparison = _COMPARISON.match(value)
        if comparison and comparison[1] != "~=":
            bound, check = _moment(comparison[2], self._now()), _CHECKS[comparison[1]]
            return lambda fields: check(fields["uploaded_at"], bound)
        day = _day(_moment(value, self._now()))
        return lambda fields: _day(fields["uploaded_at"]) == day


def _any_of(left: Matcher, right: Matcher) -> Matcher:
    return lambda fields: left(fields) or right(fields)


def _all_of(left: Matcher, right: Matcher) -> Matcher:
    return lambda fields: left(fields) and right(fields)


def _none_of(inner: Matcher) -> Matcher:
    return lambda fields: not inner(fields)


def _implicit(token: str) -> Matcher:
    pattern = _text_pattern(token)
    return lambda fields: any(_search(pattern, fields.get(key)) for key in _IMPLICIT)


def _distribution(value: str) -> Matcher:
    wanted = value.lower().strip("/")

    def matches(fields: Fields) -> bool:
        distribution = str(fields.get("distribution") or "").lower()
        return bool(distribution) and (
            distribution == wanted or distribution.split("/")[0] == wanted
        )

    return matches


def _version(value: str) -> Matcher:
    comparison = _COMPARISON.match(value)
    if comparison and comparison[1] == "~=":
        low = _version_key(comparison[2])
        numbers = re.findall(r"\d+", comparison[2])
        if len(numbers) < 2:
            raise BadRequest(400, f"~= needs a version of two parts or more, not {value!r}.")
        high = _version_key(".".join([*numbers[:-2], str(int(numbers[-2]) + 1)]))
        return lambda fields: (
            fields.get("version") is not None and (low <= _version_key(fields["version"]) < high)
        )
    if comparison:
        return _compare("version", value, _version_key)
    if any(mark in value for mark in "^$*"):
        pattern = _text_pattern(value)
        return lambda fields: _search(pattern, fields.get("version"))
    return lambda fields: (
        fields.get("version") is not None
        and (_version_key(fields["version"]) == _version_key(value))
    )


def _compare(field: str, value: str, key: Callable[[Any], Any]) -> Matcher:
    comparison = _COMPARISON.match(value)
    if comparison is None or comparison[1] == "~=":
        bound = key(value)
        return lambda fields: fields.get(field) is not None and key(fields[field]) == bound
    check, bound = _CHECKS[comparison[1]], key(comparison[2])
    return lambda fields: fields.get(field) is not None and check(key(fields[field]), bound)


def _text_pattern(value: str) -> re.Pattern[str]:
    start, end = value.startswith("^"), value.endswith("$") and len(value) > 1
    core = value[1 if start else 0 : len(value) - (1 if end else 0)]
    body = ".*".join(re.escape(piece) for piece in core.split("*"))
    return re.compile(("^" if start else "") + body + ("$" if end else ""), re.IGNORECASE)


def _search(pattern: re.Pattern[str], value: str | Sequence[str] | None) -> bool:
    values = [value] if isinstance(value, str) else list(value or ())
    return any(pattern.search(str(item)) for item in values)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = re.findall(r"\d+|[A-Za-z]+", str(version))
    return tuple((0, int(part)) if part.isdigit() else (-1, part.lower()) for part in parts)


def _number(value: str | int) -> int:
    try:
        return int(value)
    except ValueError:
        raise BadRequest(400, f"Expected a number, not {value!r}.") from None


def _moment(text: str, now: float) -> float:
    """Epoch seconds of ``today``, ``yesterday``, ``N units ago`` or an ISO date or time."""
    value = text.strip().strip("'\"").strip()
    lowered = value.lower()
    if lowered in ("today", "now"):
        return now
    if lowered == "yesterday":
        return now - 86400
    if ago := _AGO.match(value):
        return now - int(ago[1]) * _SECONDS[ago[2].lower()]
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            400, f"Cannot read {text!r} as a date; use 2024-08-14, today or '3 days ago'."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).date().isoformat()
