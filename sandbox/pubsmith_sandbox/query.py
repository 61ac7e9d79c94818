"""The ``query`` and ``sort`` parameters of list endpoints, in Cloudsmith's search syntax.

Terms are ``field:value`` or plain text (matched against the vocabulary's implicit fields),
joined by AND (the default), OR and NOT, grouped with parentheses (AND binds tighter than
OR). ``~`` before a value negates the term (``name:~foo``, ``~foo``). Text values match as
substrings unless anchored with ``^``/``$``; ``*`` is a wildcard. A bare version matches
exactly; ``>``, ``>=``, ``<`` and ``<=`` compare versions and sizes, and ``~=1.2.0`` is a
compatible release (at least 1.2.0, below 1.3). A distribution matches by slug
(``distribution:el``) or slug and release (``distribution:el/7``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pubsmith_sandbox.errors import BadRequest

__all__ = [
    "PACKAGES",
    "Matcher",
    "Vocabulary",
    "collated",
    "compile_query",
    "sort_by",
    "sort_packages",
]

Fields = dict[str, Any]
Matcher = Callable[[Fields], bool]

# A query is a line typed by a person; these bound what a hostile one costs to parse.
_MAX_LENGTH = 2000
_MAX_DEPTH = 32
_COMPARISON = re.compile(r"^(>=|<=|~=|>|<)(.+)$")
_PHASE_ORDER = {"awaiting": 1, "in_progress": 2, "completed": 3, "failed": 4}


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = re.findall(r"\d+|[A-Za-z]+", str(version))
    return tuple((0, int(part)) if part.isdigit() else (-1, part.lower()) for part in parts)


def _size_key(value: str | int) -> int:
    try:
        return int(value)
    except ValueError:
        raise BadRequest(400, f"size must be a number of bytes, not {value!r}.") from None


def collated(text: str | None) -> str | None:
    """Text as the API's database orders it: letters before case."""
    return None if text is None else text.casefold()


@dataclass(frozen=True)
class Vocabulary:
    """What a list's ``query`` may name and its ``sort`` may order by, by kind of match."""

    text: tuple[str, ...]
    """Substrings, anchors and wildcards; a list value matches when one of its items does."""
    exact: tuple[str, ...] = ()
    """The whole value, in any case."""
    compared: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    """Ordered by the key function: exact, or with an operator."""
    slug_paths: tuple[str, ...] = ()
    """``slug/release`` values: matched by their leading parts."""
    implicit: tuple[str, ...] = ()
    """Searched by a term that names no field."""
    sortable: Mapping[str, Callable[[Fields], Any]] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.text, *self.exact, *self.compared, *self.slug_paths)


PACKAGES = Vocabulary(
    text=("name", "filename", "tag", "checksum", "architecture"),
    exact=("format", "status"),
    compared={"version": _version_key, "size": _size_key},
    slug_paths=("distribution",),
    implicit=("name", "filename", "version", "tag", "distribution", "architecture"),
    sortable={
        "name": lambda item: collated(item["name"]),
        "version": lambda item: _version_key(item["version"] or ""),
        "date": lambda item: item["uploaded_at"],
        "filename": lambda item: collated(item["filename"]),
        "format": lambda item: item["format"],
        "size": lambda item: item["size"],
        "status": lambda item: _PHASE_ORDER[item["status"]],
        "downloads": lambda item: item["downloads"],
        "scan": lambda item: item["scan_status"],
        "scan_date": lambda item: item["scan_date"],
    },
)


def compile_query(text: str, vocabulary: Vocabulary = PACKAGES) -> Matcher:
    """A predicate over an item's searchable fields (a dict keyed by field name)."""
    if len(text) > _MAX_LENGTH:
        raise BadRequest(400, f"The query is longer than {_MAX_LENGTH} characters.")
    lexer = shlex.shlex(text, posix=True, punctuation_chars="()")
    lexer.whitespace_split = True
    try:
        # shlex returns a run of parentheses as one token: each is a token of its own.
        tokens = [
            piece
            for token in lexer
            for piece in (list(token) if set(token) <= {"(", ")"} else [token])
        ]
    except ValueError as exc:
        raise BadRequest(400, f"Invalid query: {exc}.") from None
    matcher, rest = _Parser(vocabulary).any_of(tokens, 0)
    if rest:
        raise BadRequest(400, f"Invalid query near {rest[0]!r}.")
    return matcher


def sort_packages(items: list[Fields], sort: str) -> list[Fields]:
    return sort_by(items, sort, PACKAGES)


def sort_by(items: list[Fields], sort: str, vocabulary: Vocabulary) -> list[Fields]:
    """``items`` ordered by each comma-separated field of ``sort``, "-" for descending.
    Items without a value come last, or first when descending, as PostgreSQL orders them."""
    parts = [part.strip() for part in sort.split(",")]
    known = vocabulary.sortable
    for part in parts:
        if part.removeprefix("-") not in known:
            raise BadRequest(400, f"Cannot sort by {part!r}; sort by one of {', '.join(known)}.")
    for part in reversed(parts):
        value = known[part.removeprefix("-")]

        def order(item: Fields, value: Callable[[Fields], Any] = value) -> tuple[bool, Any]:
            found = value(item)
            return found is None, 0 if found is None else found

        items = sorted(items, key=order, reverse=part.startswith("-"))
    return items


class _Parser:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary

    def any_of(self, tokens: list[str], depth: int) -> tuple[Matcher, list[str]]:
        left, tokens = self._all_of(tokens, depth)
        while tokens and tokens[0].upper() == "OR":
            right, tokens = self._all_of(tokens[1:], depth)
            left = _either(left, right)
        return left, tokens

    def _all_of(self, tokens: list[str], depth: int) -> tuple[Matcher, list[str]]:
        left, tokens = self._one(tokens, depth)
        while tokens and tokens[0].upper() != "OR" and tokens[0] != ")":
            if tokens[0].upper() == "AND":
                tokens = tokens[1:]
            right, tokens = self._one(tokens, depth)
            left = _both(left, right)
        return left, tokens

    def _one(self, tokens: list[str], depth: int) -> tuple[Matcher, list[str]]:
        if depth > _MAX_DEPTH:
            raise BadRequest(400, f"The query nests deeper than {_MAX_DEPTH} levels.")
        if not tokens:
            return (lambda fields: True), tokens
        head, rest = tokens[0], tokens[1:]
        if head.upper() == "NOT":
            inner, rest = self._one(rest, depth + 1)
            return _negated(inner), rest
        if head == "(":
            inner, rest = self.any_of(rest, depth + 1)
            if not rest or rest[0] != ")":
                raise BadRequest(400, "Invalid query: a parenthesis is not closed.")
            return inner, rest[1:]
        if head == ")":
            raise BadRequest(400, "Invalid query near ')'.")
        return self._term(head), rest

    def _term(self, token: str) -> Matcher:
        name, sep, value = token.partition(":")
        if not sep:
            name, value = "", token
        name = name.lower()
        negate = False
        while value.startswith("~") and not value.startswith("~="):
            negate, value = not negate, value[1:]
        matcher = self._match(name, value, token)
        return _negated(matcher) if negate else matcher

    def _match(self, name: str, value: str, token: str) -> Matcher:
        vocabulary = self._vocabulary
        if not name:
            pattern = _text_pattern(value)
            return lambda item: any(_search(pattern, item[key]) for key in vocabulary.implicit)
        if name in vocabulary.text:
            pattern = _text_pattern(value)
            return lambda item: _search(pattern, item[name])
        if name in vocabulary.exact:
            return lambda item: str(item[name]).lower() == value.lower()
        if name in vocabulary.slug_paths:
            wanted = value.lower().strip("/").split("/")
            return lambda item: str(item[name] or "").lower().split("/")[: len(wanted)] == wanted
        if name in vocabulary.compared:
            return _compare(name, value, vocabulary.compared[name])
        known = ", ".join(vocabulary.fields)
        raise BadRequest(
            400, f"Unknown search field {name!r} in query {token!r}; search by {known}."
        )


def _either(left: Matcher, right: Matcher) -> Matcher:
    return lambda fields: left(fields) or right(fields)


def _both(left: Matcher, right: Matcher) -> Matcher:
    return lambda fields: left(fields) and right(fields)


def _negated(inner: Matcher) -> Matcher:
    return lambda fields: not inner(fields)


def _compare(name: str, value: str, key: Callable[[Any], Any]) -> Matcher:
    if comparison := _COMPARISON.match(value):
        if comparison[1] == "~=":
            return _compatible(name, comparison[2], key)
        operator, bound = comparison[1], key(comparison[2])
        checks: dict[str, Callable[[Any, Any], bool]] = {
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
        }
        check = checks[operator]
        return lambda fields: fields[name] is not None and check(key(fields[name]), bound)
    if key is _version_key and any(mark in value for mark in "^$*"):
        pattern = _text_pattern(value)
        return lambda fields: _search(pattern, fields[name])
    return lambda fields: fields[name] is not None and key(fields[name]) == key(value)


def _compatible(name: str, version: str, key: Callable[[Any], Any]) -> Matcher:
    """``~=X.Y.Z``: at least X.Y.Z, below X.(Y+1), as PEP 440's compatible release."""
    release = re.match(r"^\d+(?:\.\d+)+", version)
    if key is not _version_key or release is None:
        raise BadRequest(
            400, f"~= takes a version of two or more numbers, such as ~=1.2, not {version!r}."
        )
    numbers = [int(part) for part in release[0].split(".")][:-1]
    numbers[-1] += 1
    low, high = key(version), key(".".join(map(str, numbers)))
    return lambda fields: fields[name] is not None and low <= key(fields[name]) < high


def _text_pattern(value: str) -> re.Pattern[str]:
    start, end = value.startswith("^"), value.endswith("$") and len(value) > 1
    core = value[1 if start else 0 : len(value) - (1 if end else 0)]
    body = ".*".join(re.escape(piece) for piece in core.split("*"))
    return re.compile(("^" if start else "") + body + ("$" if end else ""), re.IGNORECASE)


def _search(pattern: re.Pattern[str], value: str | Sequence[str] | None) -> bool:
    values = [value] if isinstance(value, str) else list(value or ())
    return any(pattern.search(item) for item in values)
