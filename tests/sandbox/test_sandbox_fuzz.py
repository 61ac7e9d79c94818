"""Bodies nobody would send, generated: the sandbox answers each with a 4xx in the API's
shape, or accepts it, and never fails with a server error.

One sandbox serves every example of a test (a fixture per example would make hypothesis
start hundreds of servers); the examples reach past validation into storage because
half of each body is fields the endpoint's model knows, holding a real upload's id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_client import REPO, upload

from pubsmith_sandbox import SandboxConfig, running_sandbox
from pubsmith_sandbox.catalog import FORMATS, model_name
from pubsmith_sandbox.runner import Sandbox
from pubsmith_sandbox.validation import load_models

FUZZ = settings(
    max_examples=150,
    deadline=None,  # a loaded CI machine; the point is the answer, not its speed
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow],
)

# Any character at all, lone surrogates included (hypothesis leaves them out by default).
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
    ["\ud800", "a\udcff", "", " ", "../..", ".incoming-x", "é" * 200, "\x00", "1e999"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
RAW = st.binary(max_size=64) | st.sampled_from(
    [b"", b"{", b"[]", b"null", b'"x"', b"NaN", b'{"a": Infinity}', b"[" * 5000]
)


@pytest.fixture
def fuzzed(tmp_path: Path) -> Iterator[tuple[Sandbox, httpx.Client, str]]:
    config = SandboxConfig(data_dir=tmp_path / "data", sync_seconds=0.05)
    with (
        running_sandbox(config) as sandbox,
        httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": "k"}, timeout=30) as api,
        httpx.Client(timeout=30) as plain,
    ):
        yield sandbox, api, upload(api, plain, "notes-1.0.txt", b"notes\n")


def _keys(model: str) -> list[str]:
    return sorted(getattr(load_models(), model).attribute_map.values())


def _bodies(keys: list[str], identifier: str) -> st.SearchStrategy[bytes]:
    """JSON objects of the model's keys (an upload id where a file goes) and others, with
    values of any shape; or bytes that are not a JSON object at all."""
    known = {
        key: (st.just(identifier) | VALUES) if key.endswith("_file") else VALUES for key in keys
    }
    objects = st.fixed_dictionaries({}, optional=known).flatmap(
        lambda body: st.dictionaries(TEXT, VALUES, max_size=2).map(lambda extra: {**extra, **body})
    )
    # ensure_ascii writes a lone surrogate as a \ud800 escape, as a client's JSON would.
    return objects.map(lambda body: json.dumps(body).encode()) | RAW


def _assert_answered(response: httpx.Response, body: bytes) -> None:
    assert response.status_code < 500, (body[:300], response.text[:500])
    if response.status_code >= 400:
        answer: Any = response.json()
        assert isinstance(answer.get("detail"), str) and answer["detail"], response.text
        for messages in answer.get("fields", {}).values():
            assert messages and all(isinstance(message, str) for message in messages)


def test_fuzzed_files_bodies_get_a_4xx_or_an_upload(
    fuzzed: tuple[Sandbox, httpx.Client, str],
) -> None:
    sandbox, api, identifier = fuzzed
    multipart = api.post(f"/files/{REPO}/", json={"filename": "p.bin", "method": "put_parts"})
    parts_id = multipart.json()["identifier"]
    keys = _keys("PackageFileUploadRequest")
    paths = [
        f"/files/{REPO}/validate/",
        f"/files/{REPO}/",
        f"/files/{REPO}/{parts_id}/complete/",
        f"/files/{REPO}/{parts_id}/abort/",
    ]

    @FUZZ
    @given(path=st.sampled_from(paths), body=_bodies([*keys, "upload_id"], identifier))
    def check(path: str, body: bytes) -> None:
        _assert_answered(api.post(path, content=body), body)

    check()
    assert sandbox.state()["requests"]["files_create"] > 0


def test_fuzzed_package_bodies_get_a_4xx_or_a_package(
    fuzzed: tuple[Sandbox, httpx.Client, str],
) -> None:
    sandbox, api, identifier = fuzzed
    formats = sorted(FORMATS)

    @FUZZ
    @given(
        fmt=st.sampled_from(formats),
        action=st.sampled_from(["upload", "validate-upload"]),
        data=st.data(),
    )
    def check(fmt: str, action: str, data: st.DataObject) -> None:
        body = data.draw(_bodies(_keys(model_name(fmt)), identifier))
        response = api.post(f"/packages/{REPO}/{action}/{fmt}/", content=body)
        _assert_answered(response, body)

    check()
    listed = api.get(f"/packages/{REPO}/", params={"page_size": 1000})
    assert listed.status_code == 200
    for package in listed.json():
        assert "Internal sandbox error" not in (package["status_reason"] or "")
    requests = sandbox.state()["requests"]
    assert sum(count for name, count in requests.items() if name.startswith("packages_")) > 0
