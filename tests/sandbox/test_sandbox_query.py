"""packages_list's ``query`` and ``sort``: the search syntax Cloudsmith documents, on
packages' fields, and the sort fields ``cloudsmith list pkgs --sort`` sends."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pubsmith_sandbox.errors import BadRequest
from pubsmith_sandbox.query import compile_query, sort_by
from tests.support.sandbox_api import OPEN_SANDBOX, REPO, publish, wait_settled

NOW = datetime(2026, 6, 15, 12, tzinfo=timezone.utc).timestamp()
DAY = 86400.0

# The choices of cloudsmith-cli 1.30.0's `list packages --sort`.
CLI_SORTS = (
    "date",
    "downloads",
    "format",
    "name",
    "scan",
    "scan_date",
    "size",
    "status",
    "version",
)


def package(name: str | None, version: str, **fields: Any) -> dict[str, Any]:
    """A package's searchable fields, as ``serializers.search_fields`` makes them."""
    return {
        "name": name,
        "version": version,
        "filename": fields.pop("filename", f"{name}-{version}.tar.gz"),
        "format": "python",
        "distribution": None,
        "architecture": None,
        "type": "source",
        "license": None,
        "repository": "staging",
        "downloads": 0,
        "tag": [],
        "status": "completed",
        "checksum": ["5afba1e2"],
        "size": 1000,
        "uploaded_at": NOW - DAY,
        "scan_status": None,
        "scan_date": None,
        **fields,
    }


PACKAGES = [
    package("acme-greeting", "1.0.0"),
    package("acme-greeting", "1.1.0", tag=["latest"]),
    package("acme-greeting", "1.2.0rc1", uploaded_at=NOW - 40 * DAY),
    package("acme-greeting", "2.0.0", size=90_000),
    package(
        "hello",
        "1.0-1",
        format="deb",
        filename="hello_1.0-1_amd64.deb",
        distribution="debian/bookworm",
        architecture="amd64",
        type="binary",
    ),
    package(
        "hello",
        "1.0-1",
        format="rpm",
        filename="hello-1.0-1.x86_64.rpm",
        distribution="el/9",
        architecture="x86_64",
        type="binary",
        status="failed",
    ),
]
GREETINGS = [f"python:acme-greeting={version}" for version in ("1.0.0", "1.1.0", "1.2.0rc1")]
GREETING_2 = "python:acme-greeting=2.0.0"
DEB, RPM = "deb:hello=1.0-1", "rpm:hello=1.0-1"


def found(query: str) -> list[str]:
    matches = compile_query(query, lambda: NOW)
    return [f"{p['format']}:{p['name']}={p['version']}" for p in PACKAGES if matches(p)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name:acme version:1.1.0", [GREETINGS[1]]),
        ("version:^1.1", [GREETINGS[1]]),
        ("version:>=1.1.0 AND name:^acme", [*GREETINGS[1:], GREETING_2]),
        ("version:>=1.1.0 version:<2", GREETINGS[1:]),
        ("version:~=1.1.0", [GREETINGS[1]]),  # at least 1.1.0, below 1.2
        ("version:~=1.1", GREETINGS[1:]),  # at least 1.1, below 2
        ("prerelease:true", [GREETINGS[2]]),
        ("prerelease:false name:acme", [*GREETINGS[:2], GREETING_2]),
        ("tag:latest", [GREETINGS[1]]),
        # Plain text: names, files, versions, tags, distributions, architectures, formats
        # and statuses, as packages_list's description lists them.
        ("latest", [GREETINGS[1]]),
        ("2.0.0", [GREETING_2]),
        ("bookworm", [DEB]),
        ("failed", [RPM]),
        ("format:deb OR format:rpm", [DEB, RPM]),
        ("distribution:el", [RPM]),
        ("distribution:EL/9", [RPM]),
        ("distribution:el/8", []),
        ("distribution:deb", []),  # a slug, not a substring
        ("distribution:debian/bookworm", [DEB]),
        ("architecture:x86_64", [RPM]),
        ("type:binary status:failed", [RPM]),
        ("name:hello NOT format:rpm", [DEB]),
        ("name:hello ~format:rpm", [DEB]),
        ("(format:deb OR format:rpm) AND status:completed", [DEB]),
        ("format:rpm OR format:deb AND status:completed", [DEB, RPM]),  # AND binds tighter
        ("((format:deb OR format:rpm)) status:failed", [RPM]),  # a run of parentheses
        ("NOT (name:acme OR format:deb)", [RPM]),
        ('name:"(acme)"', []),  # quoted, a parenthesis is text
        ("size:>50000", [GREETING_2]),
        ("filename:amd64.deb$", [DEB]),
        ("checksum:5afba name:hello format:rpm", [RPM]),
        ('uploaded:<"30 days ago"', [GREETINGS[2]]),
        ("uploaded:2026-05-06", [GREETINGS[2]]),
        ("uploaded:yesterday format:python", [*GREETINGS[:2], GREETING_2]),
        ("downloads:>8", []),
        ("downloads:0 format:deb", [DEB]),
    ],
)
def test_the_documented_search_terms(query: str, expected: list[str]) -> None:
    assert found(query) == expected


def test_a_tilde_negates_a_term_or_its_value() -> None:
    assert found("name:~acme") == [DEB, RPM]
    assert found("~acme") == found("NOT acme") == found("~name:acme") == found("name:~acme")
    assert found("name:~~acme") == found("name:acme")
    assert found("tag:~latest name:acme") == [GREETINGS[0], GREETINGS[2], GREETING_2]


def test_a_long_run_of_terms_matches_without_nesting() -> None:
    # As long as a query may be: nearly a thousand terms, each joined to those before.
    assert found("a " * 997 + "hello") == [DEB, RPM]
    assert found("x OR " * 399 + "hello") == [DEB, RPM]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("(format:deb", "Invalid query: a parenthesis is not closed."),
        ("format:deb)", "Invalid query near ')'."),
        (")", "Invalid query near ')'."),
        ("version:~=1", "~= takes a version of two or more numbers, such as ~=1.2, not '1'."),
        ("size:~=1.2", "~= compares versions; compare size with >, >=, < or <=."),
        ("size:>lots", "size takes a whole number, not 'lots'; as in size:>1000."),
        ("uploaded:someday", "Cannot read 'someday' as a date; use 2024-08-14, today or"),
        ('uploaded:"10000000000000000 years ago"', "Cannot read '10000000000000000 years ago'"),
        ("prerelease:maybe", "prerelease is true or false, not 'maybe'; as in prerelease:true."),
        ("NOT " * 40 + "acme", "The query nests deeper than 32 levels."),
        ("(" * 40 + "acme" + ")" * 40, "The query nests deeper than 32 levels."),
        ("a " * 1001, "The query is longer than 2000 characters."),
        ("name:'open", "Invalid query: No closing quotation."),
        ("colour:red", "Unknown search field 'colour' in query 'colour:red'; search by name,"),
    ],
)
def test_a_query_it_cannot_read_is_a_400_naming_the_problem(query: str, detail: str) -> None:
    with pytest.raises(BadRequest) as refused:
        compile_query(query, lambda: NOW)
    assert refused.value.status_code == 400
    assert refused.value.detail.startswith(detail)


@pytest.mark.parametrize("field", CLI_SORTS)
def test_every_sort_the_cli_offers_orders_both_ways(field: str) -> None:
    items = [
        package("b", "1.0", uploaded_at=2.0, size=5, format="rpm", status="failed"),
        package("a", "2.0", uploaded_at=1.0, size=7, format="deb", status="completed"),
    ]
    ascending = sort_by(items, field)
    descending = sort_by(items, f"-{field}")
    assert sorted(map(id, ascending)) == sorted(map(id, items))
    if field in ("downloads", "scan", "scan_date"):  # all equal in the sandbox: kept in order
        assert ascending == descending == items
    else:
        assert descending == ascending[::-1]


def test_packages_without_a_value_come_last_ascending_and_first_descending() -> None:
    items = [package(None, "1"), package("b", "1"), package("a", "1")]
    assert [item["name"] for item in sort_by(items, "name")] == ["a", "b", None]
    assert [item["name"] for item in sort_by(items, "-name")] == [None, "b", "a"]


TOKENS = st.sampled_from(
    ["(", ")", "((", "AND", "OR", "NOT", "~", "~~", "name:", "name:~a", "~name:a",
     "version:>=1", "version:~=", "version:~=1.2", "size:>x", "size:<=9", "downloads:>1",
     "distribution:el/7", "status:completed", "type:binary", "license:", "tag:^", "'", '"',
     "*", "$", "^a$", "format:", ":", "colour:red", "prerelease:true", "prerelease:",
     "uploaded:today", "uploaded:>", "uploaded:<'3 days ago'", "uploaded:9999-99-99"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(TOKENS | st.text(max_size=6), max_size=12).map(" ".join))
def test_any_query_compiles_or_is_a_400_and_matching_never_fails(query: str) -> None:
    try:
        matches = compile_query(query, lambda: NOW)
    except BadRequest as refused:
        status = refused.status_code
    else:
        status = 200
        for item in PACKAGES:
            assert matches(item) in (True, False)
    assert status in (200, 400)


@OPEN_SANDBOX
def test_the_api_lists_with_the_clis_sorts_and_queries(
    api: httpx.Client, plain: httpx.Client
) -> None:
    for name in ("aaa", "zzz"):
        published = publish(api, plain, "raw", f"{name}.txt", b"test content", version="1.0")
        wait_settled(api, published["slug"])

    def listed(**params: str) -> list[str]:
        response = api.get(f"/packages/{REPO}/", params=params)
        assert response.status_code == 200, response.text
        return [item["filename"] for item in response.json()]

    assert listed(sort="name") == ["aaa.txt", "zzz.txt"]
    assert listed(sort="-name") == ["zzz.txt", "aaa.txt"]
    assert listed(sort="-date") == listed() == ["zzz.txt", "aaa.txt"]
    for field in CLI_SORTS:
        assert sorted(listed(sort=field)) == ["aaa.txt", "zzz.txt"], field
    assert listed(query="filename:^aaa") == ["aaa.txt"]
    assert listed(query="(aaa OR zzz) NOT name:~aaa") == ["aaa.txt"]
    refused = api.get(f"/packages/{REPO}/", params={"query": "(aaa"})
    assert refused.status_code == 400
    assert refused.json() == {"detail": "Invalid query: a parenthesis is not closed."}
