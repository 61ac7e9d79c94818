"""The ``query`` and ``sort`` parameters of list endpoints, in Cloudsmith's search syntax.

As Cloudsmith documents it ("Package Search Syntax"): terms are ``field:value`` or plain
text, matched against the list's implicit fields. Terms are joined by ``AND`` (the
default), ``OR`` and ``NOT``, ``AND`` binding tighter, grouped with parentheses; ``~``
before a term or its value negates it (``~name:foo``, ``name:~foo``, ``~foo``). What a
field name means depends on its kind in the list's :class:`Vocabulary`:

- text (``name``, ``filename``, ``tag``, ...): contains the value, anchored with
  ``^``/``$``, ``*`` matching anything; a list value matches when one of its items does;
- exact (``format``, ``status``, ...): equal, in any case;
- compared: ``version`` exactly (``version:1.1.0``), as a pattern (``^1.1``,
  ``1.1*post1``), compared (``>``, ``>=``, ``<``, ``<=``) or ``~=1.2.0`` (at least 1.2.0,
  below 1.3); numbers (``size``, ``downloads``) exactly or compared;
- slug paths (``distribution``): ``el`` or ``el/7``, matched by leading parts;
- dates (``uploaded``): ``2024-08-14``, ``today``, ``"3 days ago"``, compared, or alone
  for that day, by the sandbox's clock;
- flags (``prerelease``): ``true`` or ``false``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pubsmith_sandbox.errors import BadRequest

__all__ = [
    "PACKAGES",
    "Matcher",
    "Vocabulary",
    "collated",
    "compile_query",
    "sort_by",
]

Fields = dict[str, Any]
Matcher = Callable[[Fields], bool]
Now = Callable[[], float]
"""The sandbox's clock, read when a query is compiled."""

# A query is a line typed by a person; these bound what a hostile one costs to parse.
_MAX_LENGTH = 2000
_MAX_DEPTH = 32
_COMPARISON = re.compile(r"^(>=|<=|~=|>|<)(.+)$")
_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
_PHASE_ORDER = {"awaiting": 1, "in_progress": 2, "completed": 3, "failed": 4}
# PEP 440's pre-releases and development releases, and SemVer's x.y.z-anything.
_PRERELEASE = re.compile(
    r"(?i)\d[._-]?(a|b|c|rc|alpha|beta|pre|preview|dev)\d*\b|^v?\d+\.\d+\.\d+-[0-9a-z]"
)
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
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


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = re.findall(r"\d+|[A-Za-z]+", str(version))
    return tuple((0, int(part)) if part.isdigit() else (-1, part.lower()) for part in parts)


def _number(value: str | int) -> int:
    """A whole number; ``ValueError`` for anything else (the term's name goes in the 400)."""
    return int(value)


def _is_prerelease(version: str | None) -> bool:
    return bool(version) and _PRERELEASE.search(str(version)) is not None


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
    dates: Mapping[str, str] = field(default_factory=dict)
    """A term's name and the field of epoch seconds it compares with a date."""
    flags: Mapping[str, Callable[[Fields], bool]] = field(default_factory=dict)
    """``name:true`` or ``name:false``: whether the predicate holds."""
    implicit: tuple[str, ...] = ()
    """Searched by a term that names no field."""
    sortable: Mapping[str, Callable[[Fields], Any]] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        return (
            *self.text,
            *self.exact,
            *self.compared,
            *self.slug_paths,
            *self.dates,
            *self.flags,
        )


PACKAGES = Vocabulary(
    text=("name", "filename", "tag", "checksum", "license", "repository"),
    exact=("format", "status", "architecture", "type"),
    compared={"version": _version_key, "size": _number, "downloads": _number},
    slug_paths=("distribution",),
    dates={"uploaded": "uploaded_at"},
    flags={"prerelease": lambda item: _is_prerelease(item.get("version"))},
    # What packages_list's description says a search term queries.
    implicit=(
        "name",
        "filename",
        "version",
        "tag",
        "distribution",
        "architecture",
        "format",
        "status",
    ),
    # The choices of cloudsmith-cli's ``list packages --sort``, and the file name.
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


def compile_query(text: str, now: Now, vocabulary: Vocabulary = PACKAGES) -> Matcher:
    """A predicate over an item's searchable fields (a dict keyed by field name).

    ``now`` is the sandbox's clock: relative dates (``today``, ``"3 days ago"``) count
    from it.
    """
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
    matcher, rest = _Parser(vocabulary, now).any_of(tokens, 0)
    if rest:
        raise BadRequest(400, f"Invalid query near {rest[0]!r}.")
    return matcher


def sort_by(items: list[Fields], sort: str, vocabulary: Vocabulary = PACKAGES) -> list[Fields]:
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
    """Recursive descent over the tokens: OR of ANDs of (NOT) terms or groups.

    Only NOT and parentheses nest (and are bounded by ``_MAX_DEPTH``); a long run of terms
    becomes one flat ``all``/``any``, so matching never recurses deeper than the query nests.
    """

    def __init__(self, vocabulary: Vocabulary, now: Now) -> None:
        self._vocabulary = vocabulary
        self._now = now

    def any_of(self, tokens: list[str], depth: int) -> tuple[Matcher, list[str]]:
        choice, tokens = self._all_of(tokens, depth)
        either = [choice]
        while tokens and tokens[0].upper() == "OR":
            choice, tokens = self._all_of(tokens[1:], depth)
            either.append(choice)
        if len(either) == 1:
            return either[0], tokens
        return (lambda item: any(choice(item) for choice in either)), tokens

    def _all_of(self, tokens: list[str], depth: int) -> tuple[Matcher, list[str]]:
        term, tokens = self._one(tokens, depth)
        every = [term]
        while tokens and tokens[0].upper() != "OR" and tokens[0] != ")":
            if tokens[0].upper() == "AND":
                tokens = tokens[1:]
            term, tokens = self._one(tokens, depth)
            every.append(term)
        if len(every) == 1:
            return every[0], tokens
        return (lambda item: all(term(item) for term in every)), tokens

    def _one(self, tokens: list[str], depth: int) -> tuple[Matcher, list[str]]:
        if depth > _MAX_DEPTH:
            raise BadRequest(400, f"The query nests deeper than {_MAX_DEPTH} levels.")
        if not tokens:
            return (lambda item: True), tokens
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
        negate = False
        term = token
        while _negates(term):
            negate, term = not negate, term[1:]
        name, sep, value = term.partition(":")
        if not sep:
            name, value = "", term
        while _negates(value):
            negate, value = not negate, value[1:]
        matcher = self._match(name.lower(), value, token)
        return _negated(matcher) if negate else matcher

    def _match(self, name: str, value: str, token: str) -> Matcher:
        vocabulary = self._vocabulary
        if not name:
            pattern = _text_pattern(value)
            return lambda item: any(_search(pattern, item.get(key)) for key in vocabulary.implicit)
        if name in vocabulary.text:
            pattern = _text_pattern(value)
            return lambda item: _search(pattern, item.get(name))
        if name in vocabulary.exact:
            return lambda item: str(item.get(name) or "").lower() == value.lower()
        if name in vocabulary.slug_paths:
            return _slug_path(name, value)
        if name in vocabulary.compared:
            return _compare(name, value, vocabulary.compared[name])
        if name in vocabulary.dates:
            return _date(vocabulary.dates[name], value, self._now())
        if name in vocabulary.flags:
            return _flag(name, value, vocabulary.flags[name])
        known = ", ".join(vocabulary.fields)
        raise BadRequest(
            400, f"Unknown search field {name!r} in query {token!r}; search by {known}."
        )


def _negates(text: str) -> bool:
    return text.startswith("~") and not text.startswith("~=")


def _negated(inner: Matcher) -> Matcher:
    return lambda item: not inner(item)


def _slug_path(name: str, value: str) -> Matcher:
    wanted = value.lower().strip("/").split("/")

    def matches(item: Fields) -> bool:
        path = str(item.get(name) or "").lower()
        return bool(path) and path.split("/")[: len(wanted)] == wanted

    return matches


def _compare(name: str, value: str, key: Callable[[Any], Any]) -> Matcher:
    comparison = _COMPARISON.match(value)
    if comparison and comparison[1] == "~=":
        return _compatible(name, comparison[2], key)
    if comparison is None and key is _version_key and any(mark in value for mark in "^$*"):
        pattern = _text_pattern(value)
        return lambda item: _search(pattern, item.get(name))
    operator, operand = (comparison[1], comparison[2]) if comparison else ("=", value)
    check, bound = _CHECKS[operator], _bound(name, operand, key)
    return lambda item: item.get(name) is not None and check(key(item[name]), bound)


def _bound(name: str, value: str, key: Callable[[Any], Any]) -> Any:
    try:
        return key(value)
    except ValueError:
        raise BadRequest(
            400, f"{name} takes a whole number, not {value!r}; as in {name}:>1000."
        ) from None


def _compatible(name: str, version: str, key: Callable[[Any], Any]) -> Matcher:
    """``~=X.Y.Z``: at least X.Y.Z, below X.(Y+1), as PEP 440's compatible release."""
    if key is not _version_key:
        raise BadRequest(400, f"~= compares versions; compare {name} with >, >=, < or <=.")
    release = re.match(r"^\d+(?:\.\d+)+", version)
    if release is None:
        raise BadRequest(
            400, f"~= takes a version of two or more numbers, such as ~=1.2, not {version!r}."
        )
    numbers = [int(part) for part in release[0].split(".")][:-1]
    numbers[-1] += 1
    low, high = key(version), key(".".join(map(str, numbers)))
    return lambda item: item.get(name) is not None and low <= key(item[name]) < high


def _date(name: str, value: str, now: float) -> Matcher:
    comparison = _COMPARISON.match(value)
    if comparison and comparison[1] != "~=":
        bound, check = _moment(comparison[2], now), _CHECKS[comparison[1]]
        return lambda item: item.get(name) is not None and check(item[name], bound)
    day = _day(_moment(value, now))
    return lambda item: item.get(name) is not None and _day(item[name]) == day


def _flag(name: str, value: str, holds: Callable[[Fields], bool]) -> Matcher:
    wanted = value.lower()
    if wanted not in (*_TRUE, *_FALSE):
        raise BadRequest(400, f"{name} is true or false, not {value!r}; as in {name}:true.")
    expected = wanted in _TRUE
    return lambda item: holds(item) == expected


def _text_pattern(value: str) -> re.Pattern[str]:
    start, end = value.startswith("^"), value.endswith("$") and len(value) > 1
    core = value[1 if start else 0 : len(value) - (1 if end else 0)]
    body = ".*".join(re.escape(piece) for piece in core.split("*"))
    return re.compile(("^" if start else "") + body + ("$" if end else ""), re.IGNORECASE)


def _search(pattern: re.Pattern[str], value: object) -> bool:
    """Whether ``value``, or one of its items when it is a list, matches."""
    values = value if isinstance(value, (list, tuple)) else () if value is None else (value,)
    return any(pattern.search(str(item)) for item in values)


def _moment(text: str, now: float) -> float:
    """Epoch seconds of ``today``, ``yesterday``, ``N units ago`` or an ISO date or time,
    within the years a date can name (``"10**400 days ago"`` is not a date)."""
    value = text.strip().strip("'\"").strip()
    lowered = value.lower()
    try:
        if lowered in ("today", "now"):
            moment = now
        elif lowered == "yesterday":
            moment = now - 86400
        elif ago := _AGO.match(value):
            moment = now - int(ago[1]) * _SECONDS[ago[2].lower()]
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            moment = parsed.timestamp()
        _day(moment)  # raises beyond the years datetime has
    except (ValueError, OverflowError, OSError):
        raise BadRequest(
            400, f"Cannot read {text!r} as a date; use 2024-08-14, today or '3 days ago'."
        ) from None
    return moment


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).date().isoformat()
