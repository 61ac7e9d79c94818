"""Cloudsmith's search syntax and sort fields, as the docs describe them and as
``cloudsmith list pkgs --sort ... -q ...`` sends them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_client import REPO, publish, wait_settled

from pubsmith_sandbox.errors import BadRequest
from pubsmith_sandbox.query import compile_query, sort_packages

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


def _item(name: str | None, version: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "filename": f"{name}-{version}.txt",
        "format": "raw",
        "tag": [],
        "status": "completed",
        "checksum": [],
        "size": 10,
        "uploaded_at": 0.0,
        "distribution": None,
        "architecture": [],
        "downloads": 0,
        "scan_status": None,
        "scan_date": None,
        **extra,
    }


ITEMS = [
    _item("alpha", "1.1.9"),
    _item("alpha", "1.2.0", tag=["latest"]),
    _item("alpha", "1.2.5"),
    _item("beta", "1.3.0", distribution="debian/bookworm", format="deb"),
    _item("beta", "2.0", distribution="el/7", format="rpm", size=99),
]


def _found(query: str) -> list[tuple[str, str]]:
    matches = compile_query(query)
    return [(item["name"], item["version"]) for item in ITEMS if matches(item)]


def test_parentheses_group_and_and_binds_tighter_than_or() -> None:
    assert _found("name:alpha OR name:beta version:2.0") == [
        ("alpha", "1.1.9"),
        ("alpha", "1.2.0"),
        ("alpha", "1.2.5"),
        ("beta", "2.0"),
    ]
    assert _found("(name:alpha OR name:beta) version:2.0") == [("beta", "2.0")]
    assert _found("NOT (name:alpha OR format:deb)") == [("beta", "2.0")]
    assert _found('name:"(x)"') == []


def test_a_tilde_negates_a_term() -> None:
    assert _found("name:~alpha") == [("beta", "1.3.0"), ("beta", "2.0")]
    assert _found("~alpha") == _found("NOT alpha") == _found("name:~alpha")
    assert _found("name:~~alpha") == _found("name:alpha")
    assert _found("tag:~latest name:alpha") == [("alpha", "1.1.9"), ("alpha", "1.2.5")]


def test_a_plain_term_searches_names_versions_tags_and_distributions() -> None:
    assert _found("1.2.5") == [("alpha", "1.2.5")]
    assert _found("latest") == [("alpha", "1.2.0")]
    assert _found("bookworm") == [("beta", "1.3.0")]
    assert _found("beta-2.0.txt") == [("beta", "2.0")]


def test_distributions_match_by_slug_or_slug_and_release() -> None:
    assert _found("distribution:debian") == [("beta", "1.3.0")]
    assert _found("distribution:EL/7") == [("beta", "2.0")]
    assert _found("distribution:el/8") == []
    assert _found("distribution:deb") == []  # a slug, not a substring


def test_compatible_release_versions() -> None:
    assert _found("version:~=1.2.0") == [("alpha", "1.2.0"), ("alpha", "1.2.5")]
    assert _found("version:~=1.2") == [
        ("alpha", "1.2.0"),
        ("alpha", "1.2.5"),
        ("beta", "1.3.0"),
    ]
    assert _found("version:>=1.2.5 version:<2") == [("alpha", "1.2.5"), ("beta", "1.3.0")]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("(name:alpha", "Invalid query: a parenthesis is not closed."),
        ("name:alpha)", "Invalid query near ')'."),
        (")", "Invalid query near ')'."),
        ("version:~=1", "~= takes a version of two or more numbers, such as ~=1.2, not '1'."),
        ("size:~=1.2", "~= takes a version of two or more numbers"),
        ("NOT " * 40 + "alpha", "The query nests deeper than 32 levels."),
        ("(" * 40 + "alpha" + ")" * 40, "The query nests deeper than 32 levels."),
        ("a " * 1001, "The query is longer than 2000 characters."),
        ("name:'open", "Invalid query: No closing quotation."),
        ("colour:red", "Unknown search field 'colour' in query 'colour:red'; search by name,"),
    ],
)
def test_malformed_queries_are_refused_saying_why(query: str, detail: str) -> None:
    with pytest.raises(BadRequest) as refused:
        compile_query(query)
    assert refused.value.status_code == 400
    assert refused.value.detail.startswith(detail)


@pytest.mark.parametrize("field", CLI_SORTS)
def test_every_sort_the_cli_offers_orders_both_ways(field: str) -> None:
    items = [
        _item("b", "1.0", uploaded_at=2.0, size=5, format="rpm", status="failed"),
        _item("a", "2.0", uploaded_at=1.0, size=7, format="deb", status="completed"),
    ]
    ascending = sort_packages(items, field)
    descending = sort_packages(items, f"-{field}")
    assert sorted(map(id, ascending)) == sorted(map(id, items))
    if field in ("downloads", "scan", "scan_date"):  # all equal in the sandbox: kept in order
        assert ascending == descending == items
    else:
        assert descending == ascending[::-1]


def test_packages_without_a_value_come_last_ascending_and_first_descending() -> None:
    items = [_item(None, "1"), _item("b", "1"), _item("a", "1")]
    assert [item["name"] for item in sort_packages(items, "name")] == ["a", "b", None]
    assert [item["name"] for item in sort_packages(items, "-name")] == [None, "b", "a"]


TOKENS = st.sampled_from(
    ["(", ")", "AND", "OR", "NOT", "~", "~~", "name:", "name:~a", "version:>=1", "version:~=",
     "version:~=1.2", "size:>x", "size:<=9", "distribution:el/7", "status:completed", "tag:^",
     "'", '"', "*", "$", "^a$", "format:", ":", "colour:red"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(TOKENS | st.text(max_size=6), max_size=12).map(" ".join))
def test_any_query_compiles_or_is_a_400_and_matching_never_fails(query: str) -> None:
    try:
        matches = compile_query(query)
    except BadRequest as refused:
        status = refused.status_code
    else:
        status = 200
    assert status in (200, 400)
    if status == 400:
        return
    for item in ITEMS:
        assert matches(item) in (True, False)


def test_the_api_lists_with_the_clis_sorts_and_queries(
    api: httpx.Client, plain: httpx.Client
) -> None:
    for name in ("aaa", "zzz"):
        package = publish(api, plain, "raw", f"{name}.txt", b"test content", version="1.0")
        wait_settled(api, package["slug"])

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
