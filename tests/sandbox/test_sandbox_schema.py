"""Every implemented operation's answers, success and error, against the official OpenAPI schema.

The description is Cloudsmith's document and stays out of this repository. The test reads
it from ``PUBSMITH_OPENAPI`` (JSON or YAML), else from ``../shared/reference/
cloudsmith-openapi.json`` beside the clone. Without ``PUBSMITH_OPENAPI`` a missing file
skips the test, saying how to get it; with it (as ``.ci/run`` sets it) a missing file fails.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.catalog import ROOT as ROOT_DIR
from tests.support.http_clients import http_client
from tests.support.sandbox_api import OPEN_SANDBOX, REPO, upload, wait_settled

SPEC_VARIABLE = "PUBSMITH_OPENAPI"
SHARED_SPEC = ROOT_DIR.parent / "shared" / "reference" / "cloudsmith-openapi.json"
SPEC_SOURCE = (
    "api/openapi.yaml in Cloudsmith's Go bindings, github.com/cloudsmith-io/cloudsmith-api-go"
)
ROOT = "urn:cloudsmith-openapi"
VALUES = {
    "name": "notes",
    "version": "1.0.0",
    "scope": "acme",
    "provider": "virtualbox",
    "filepath": "tools/notes.txt",
}
DISTRIBUTIONS = {"deb": "debian/bookworm", "rpm": "fedora/40", "alpine": "alpine/v3.20"}
BASIC_OPERATIONS = {
    "user_self",
    "formats_list",
    "formats_read",
    "distros_list",
    "distros_read",
    "rates_limits_list",
    "openid_create",
    "files_validate",
    "files_create",
    "files_info",
    "files_complete",
    "files_abort",
    "packages_list",
    "packages_read",
    "packages_delete",
    "packages_status",
    "packages_copy",
    "packages_move",
    "packages_tag",
    "packages_resync",
    "repos_user_list",
    "repos_namespace_list",
    "repos_create",
    "repos_read",
    "repos_partial_update",
    "repos_delete",
}

pytestmark = OPEN_SANDBOX


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    pattern: re.Pattern[str]
    literals: int
    responses: dict[str, Any]
    request_schema: str | None


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    body: bytes


def _load_spec() -> dict[str, Any]:
    named = os.environ.get(SPEC_VARIABLE)
    path = Path(named) if named else SHARED_SPEC
    if not path.is_file():
        missing = (
            f"Cloudsmith's OpenAPI description is not at {path}: it is not kept in this "
            f"repository; get {SPEC_SOURCE} (CI has it as {SHARED_SPEC.name} in "
            f"../shared/reference) and set {SPEC_VARIABLE} to its path"
        )
        if named:
            pytest.fail(f"{missing} ({SPEC_VARIABLE} names it, so it is required)")
        pytest.skip(missing)
    text = path.read_text(encoding="utf-8")
    spec = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    assert isinstance(spec, dict) and "paths" in spec, f"{path} is not an OpenAPI description"
    return spec


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 to JSON Schema: ``nullable`` becomes a null type, refs point at ROOT."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: _to_json_schema(value)
        for key, value in node.items()
        if key not in ("nullable", "x-nullable", "example")
    }
    if isinstance(converted.get("$ref"), str):
        converted["$ref"] = ROOT + converted["$ref"]
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _operations(spec: dict[str, Any]) -> list[Operation]:
    operations = []
    for template, item in spec["paths"].items():
        regex = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref")
            operations.append(
                Operation(
                    operation["operationId"],
                    method.upper(),
                    re.compile(f"^{regex}$"),
                    len([part for part in template.split("/") if part and "{" not in part]),
                    operation["responses"],
                    ref.rsplit("/", 1)[1] if ref else None,
                )
            )
    return operations


class Validator:
    def __init__(self, spec: dict[str, Any]) -> None:
        components = {"components": _to_json_schema(spec["components"])}
        resource = Resource.from_contents(components, default_specification=DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(ROOT, resource)
        self._schemas = spec["components"]["schemas"]
        self._operations = _operations(spec)

    def operation(self, method: str, path: str) -> Operation | None:
        matches = [op for op in self._operations if op.method == method and op.pattern.match(path)]
        return max(matches, key=lambda op: op.literals) if matches else None

    def required(self, schema_name: str) -> list[str]:
        return list(self._schemas[schema_name].get("required", []))

    def check(self, operation: Operation, answer: Answer) -> None:
        documented = operation.responses.get(str(answer.status))
        if documented is None:
            assert answer.status >= 400, f"{operation.id} answered undocumented {answer.status}"
            schema: Any = {"$ref": f"{ROOT}#/components/schemas/ErrorDetail"}
        else:
            content = documented.get("content", {}).get("application/json")
            if content is None:
                assert answer.body == b"", f"{operation.id} {answer.status} must have no body"
                return
            schema = _to_json_schema(content["schema"])
        validator = jsonschema.Draft4Validator(schema, registry=self._registry)
        errors = sorted(validator.iter_errors(json.loads(answer.body)), key=str)
        assert not errors, f"{operation.id} {answer.status}: {errors[0].message} at " + "/".join(
            str(part) for part in errors[0].absolute_path
        )


@pytest.fixture
def recorded(sandbox: SandboxFixture) -> Iterator[tuple[list[Answer], Callable[..., httpx.Client]]]:
    answers: list[Answer] = []
    clients: list[httpx.Client] = []

    def keep(response: httpx.Response) -> None:
        response.read()
        path = re.sub(r"^/v1(?=/)", "", response.request.url.path)
        answers.append(
            Answer(response.request.method, path, response.status_code, response.content)
        )

    def client(key: str | None = "k") -> httpx.Client:
        headers = {"X-Api-Key": key} if key else {}
        made = http_client(
            base_url=sandbox.url, headers=headers, timeout=30, event_hooks={"response": [keep]}
        )
        clients.append(made)
        return made

    yield answers, client
    for made in clients:
        made.close()


def test_answers_validate_against_the_official_schema(
    sandbox: SandboxFixture,
    recorded: tuple[list[Answer], Callable[..., httpx.Client]],
    plain: httpx.Client,
) -> None:
    validator = Validator(_load_spec())
    answers, client = recorded
    api, anonymous, wrong = client(), client(None), client("")
    wrong.headers["Authorization"] = "Basic !!!"  # malformed: a 401 even where any key works
    _exercise_misc(sandbox, api, wrong)
    _exercise_files(api)
    _exercise_packages(api, plain, validator)
    _exercise_repos(api, wrong)
    sandbox.configure(rate_limit=1, rate_interval=60)
    for path in ("/formats/", "/user/self/", "/rates/limits/"):
        api.get(path)
    sandbox.configure(rate_limit=None, error_rate=1.0, seed=1)
    for _ in range(6):
        api.get("/distros/")
    sandbox.configure(error_rate=0.0)
    anonymous.get("/user/self/")

    seen: dict[str, set[str]] = {}
    for answer in answers:
        operation = validator.operation(answer.method, answer.path)
        if operation is None:
            continue
        validator.check(operation, answer)
        seen.setdefault(operation.id, set()).add("success" if answer.status < 400 else "error")
    formats = {
        op.id.rsplit("_", 1)[1]
        for op in validator._operations
        if op.id.startswith("packages_upload_")
    }
    expected = (
        BASIC_OPERATIONS
        | {f"packages_upload_{fmt}" for fmt in formats}
        | {f"packages_validate-upload_{fmt}" for fmt in formats}
    )
    missing = sorted(op for op in expected if seen.get(op) != {"success", "error"})
    assert not missing, f"not exercised both ways: {missing}"
    assert {answer.status for answer in answers} >= {200, 201, 202, 204, 400, 401, 404, 429}
    assert {answer.status for answer in answers} & {500, 502, 503}


def _exercise_misc(sandbox: SandboxFixture, api: httpx.Client, wrong: httpx.Client) -> None:
    for path in (
        "/user/self/",
        "/formats/",
        "/distros/",
        "/rates/limits/",
        "/formats/raw/",
        "/distros/debian/",
    ):
        api.get(path)
        wrong.get(path)
    api.get("/formats/cobol/")
    api.get("/distros/beos/")
    token = sandbox.mint_oidc_token()
    api.post("/openid/acme/", json={"oidc_token": token, "service_slug": "ci"})
    api.post("/openid/acme/", json={"oidc_token": "x.y.z", "service_slug": "ci"})
    api.post("/openid/acme/", json={})


def _exercise_files(api: httpx.Client) -> None:
    base = f"/files/{REPO}"
    api.post(f"{base}/validate/", json={"filename": "a.bin"})
    api.post(f"{base}/validate/", json={})
    for method in ("post", "put", "put_parts"):
        api.post(f"{base}/", json={"filename": "a.bin", "method": method})
    api.post(f"{base}/", json={"filename": "a.bin", "method": "carrier-pigeon"})
    api.post("/files/acme/missing/", json={"filename": "a.bin"})
    parts = api.post(f"{base}/", json={"filename": "p.bin", "method": "put_parts"}).json()
    single = api.post(f"{base}/", json={"filename": "s.bin"}).json()
    api.get(f"{base}/{parts['identifier']}/info/")
    api.get(f"{base}/{single['identifier']}/info/")
    api.get(f"{base}/missing/info/")
    api.put(
        "/_sandbox/upload/parts/",
        params={"upload_id": parts["identifier"], "part_number": 1},
        content=b"part",
    )
    api.post(f"{base}/{parts['identifier']}/complete/", json={"upload_id": parts["identifier"]})
    api.post(f"{base}/{single['identifier']}/complete/")
    other = api.post(f"{base}/", json={"filename": "o.bin", "method": "put_parts"}).json()
    api.post(f"{base}/{other['identifier']}/abort/")
    api.post(f"{base}/{single['identifier']}/abort/")
    api.post(f"{base}/missing/abort/")


def _exercise_packages(api: httpx.Client, plain: httpx.Client, validator: Validator) -> None:
    base = f"/packages/{REPO}"
    identifier = upload(api, plain, "notes.txt", b"notes\n")
    for operation in validator._operations:
        if not operation.id.startswith("packages_upload_"):
            continue
        fmt = operation.id.rsplit("_", 1)[1]
        assert operation.request_schema is not None
        payload: dict[str, Any] = {}
        for field in validator.required(operation.request_schema):
            if field.endswith("_file"):
                payload[field] = identifier
            elif field == "distribution":
                payload[field] = DISTRIBUTIONS[fmt]
            else:
                payload[field] = VALUES[field]
        api.post(f"{base}/validate-upload/{fmt}/", json=payload)
        api.post(f"{base}/validate-upload/{fmt}/", json={})
        api.post(f"{base}/upload/{fmt}/", json=payload)
        api.post(f"{base}/upload/{fmt}/", json={})
    raw = api.post(f"{base}/upload/raw/", json={"package_file": identifier, "version": "2"}).json()
    slug = raw["slug"]
    for action in ("copy", "move", "resync"):
        api.post(f"{base}/{slug}/{action}/", json={"destination": "other"})
    wait_settled(api, slug)
    api.get(f"{base}/", params={"query": "format:raw", "page_size": 5})
    api.get(f"{base}/", params={"query": "colour:red"})
    api.get("/packages/acme/missing/")
    api.get(f"{base}/{slug}/")
    api.get(f"{base}/{slug}/status/")
    api.get(f"{base}/missing/")
    api.get(f"{base}/missing/status/")
    api.post(f"{base}/{slug}/tag/", json={"tags": ["x"]})
    api.post(f"{base}/{slug}/tag/", json={"action": "Shout"})
    api.post(f"{base}/{slug}/resync/")
    # Those made while processing may be refused or, on a slow machine, accepted once
    # processing is done: these are refused either way.
    for action in ("copy", "move", "resync"):
        api.post(f"{base}/missing/{action}/", json={"destination": "other"})
    wait_settled(api, slug)
    api.post(f"{base}/{slug}/copy/", json={"destination": "other"})
    api.post(f"{base}/{slug}/move/", json={"destination": "other"})
    api.delete(f"{base}/missing/")
    api.delete(f"/packages/acme/other/{slug}/")


def _exercise_repos(api: httpx.Client, wrong: httpx.Client) -> None:
    wrong.get("/repos/")
    api.get("/repos/")
    api.get("/repos/acme/")
    api.get("/repos/nobody/")
    api.post("/repos/acme/", json={"name": "Schema Check", "repository_type_str": "Private"})
    api.post("/repos/acme/", json={"name": "x"})
    api.get("/repos/acme/schema-check/")
    api.get("/repos/acme/missing/")
    api.patch("/repos/acme/schema-check/", json={"description": "checked"})
    api.patch("/repos/acme/schema-check/", json={"content_kind": "Upstream"})
    api.delete("/repos/acme/schema-check/")
    api.delete("/repos/acme/schema-check/")


def test_a_missing_description_skips_unless_it_is_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SPEC_VARIABLE, raising=False)
    monkeypatch.setattr(sys.modules[__name__], "SHARED_SPEC", tmp_path / "absent.json")
    with pytest.raises(pytest.skip.Exception, match="cloudsmith-api-go.*set PUBSMITH_OPENAPI"):
        _load_spec()
    monkeypatch.setenv(SPEC_VARIABLE, str(tmp_path / "named.yaml"))
    with pytest.raises(pytest.fail.Exception, match="PUBSMITH_OPENAPI names it, so it is required"):
        _load_spec()


def test_the_description_may_be_yaml_as_the_go_bindings_ship_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    described = tmp_path / "openapi.yaml"
    described.write_text("openapi: 3.0.1\npaths:\n  /user/self/: {}\n")
    monkeypatch.setenv(SPEC_VARIABLE, str(described))
    assert _load_spec() == {"openapi": "3.0.1", "paths": {"/user/self/": {}}}
