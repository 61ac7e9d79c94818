"""Bodies nobody would send, generated: the sandbox answers each with a 4xx in the API's
shape, or accepts it, and never fails with a server error.

One sandbox (the test's ``sandbox`` fixture) serves every example of a test: a sandbox per
example would start hundreds of servers. The examples reach past validation into storage
because half of each body is fields the endpoint's model knows, holding a real upload's id.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pubsmith_sandbox.catalog import FORMATS, model_name
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from pubsmith_sandbox.validation import load_models
from tests.support.sandbox_api import OPEN_SANDBOX, REPO, upload

pytestmark = [OPEN_SANDBOX, pytest.mark.slow]

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
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    identifier = upload(api, plain, "notes-1.0.txt", b"notes\n")
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


@pytest.mark.cloudsmith_sandbox(clock="manual")  # processed all at once, before the check
def test_fuzzed_package_bodies_get_a_4xx_or_a_package(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    identifier = upload(api, plain, "notes-1.0.txt", b"notes\n")
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
    sandbox.clock.advance(60)  # returns once every package made has been processed
    listed = api.get(f"/packages/{REPO}/", params={"page_size": 1000})
    assert listed.status_code == 200
    for package in listed.json():
        assert package["status_str"] in ("Completed", "Failed"), package
        assert "Internal sandbox error" not in (package["status_reason"] or "")
    requests = sandbox.state()["requests"]
    assert sum(count for name, count in requests.items() if name.startswith("packages_")) > 0
