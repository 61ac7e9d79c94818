"""packages_list's query, in the search syntax Cloudsmith documents, on packages' fields."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from pubsmith_sandbox.errors import BadRequest
from pubsmith_sandbox.query import compile_query

NOW = datetime(2026, 6, 15, 12, tzinfo=timezone.utc).timestamp()
DAY = 86400.0


def package(name: str, version: str, **fields: Any) -> dict[str, Any]:
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


def found(query: str) -> list[str]:
    matches = compile_query(query, now=lambda: NOW)
    return [f"{p['format']}:{p['name']}={p['version']}" for p in PACKAGES if matches(p)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name:acme version:1.1.0", ["python:acme-greeting=1.1.0"]),
        ("version:^1.1", ["python:acme-greeting=1.1.0"]),
        (
            "version:>=1.1.0 AND name:^acme",
            [
                "python:acme-greeting=1.1.0",
                "python:acme-greeting=1.2.0rc1",
                "python:acme-greeting=2.0.0",
            ],
        ),
        ("version:~=1.1.0", ["python:acme-greeting=1.1.0"]),  # at least 1.1.0, below 1.2
        ("version:~=1.1", ["python:acme-greeting=1.1.0", "python:acme-greeting=1.2.0rc1"]),
        ("prerelease:true", ["python:acme-greeting=1.2.0rc1"]),
        ("tag:latest", ["python:acme-greeting=1.1.0"]),
        ("latest", ["python:acme-greeting=1.1.0"]),  # plain text: names, files, tags, versions
        ("2.0.0", ["python:acme-greeting=2.0.0"]),
        ("format:deb OR format:rpm", ["deb:hello=1.0-1", "rpm:hello=1.0-1"]),
        ("distribution:el", ["rpm:hello=1.0-1"]),
        ("distribution:debian/bookworm", ["deb:hello=1.0-1"]),
        ("architecture:x86_64", ["rpm:hello=1.0-1"]),
        ("type:binary status:failed", ["rpm:hello=1.0-1"]),
        ("name:hello NOT format:rpm", ["deb:hello=1.0-1"]),
        ("name:hello ~format:rpm", ["deb:hello=1.0-1"]),
        ("(format:deb OR format:rpm) AND status:completed", ["deb:hello=1.0-1"]),
        ("format:deb OR format:rpm AND status:completed", ["deb:hello=1.0-1"]),  # AND binds
        ("size:>50000", ["python:acme-greeting=2.0.0"]),
        ("filename:amd64.deb$", ["deb:hello=1.0-1"]),
        ("checksum:5afba name:hello format:rpm", ["rpm:hello=1.0-1"]),
        ('uploaded:<"30 days ago"', ["python:acme-greeting=1.2.0rc1"]),
        ("uploaded:2026-05-06", ["python:acme-greeting=1.2.0rc1"]),
        ("downloads:>8", []),
    ],
)
def test_the_documented_search_terms(query: str, expected: list[str]) -> None:
    assert found(query) == expected


@pytest.mark.parametrize(
    "query",
    ["colour:red", "(format:deb", "format:deb)", "size:>lots", "uploaded:someday", "version:~=1"],
)
def test_a_query_it_cannot_read_is_a_400_naming_the_problem(query: str) -> None:
    with pytest.raises(BadRequest):
        compile_query(query)
