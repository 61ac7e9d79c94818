"""The Repos API: repositories made, read, listed, changed and deleted through the API, and
used for uploads and packages like those given with ``--repo``."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFactory, SandboxFixture
from tests.support.http_clients import http_client
from tests.support.sandbox_api import OPEN_SANDBOX, publish, request_upload, upload, wait_settled

INVALID = "The request body has invalid fields; see fields."

pytestmark = OPEN_SANDBOX


def _create(api: httpx.Client, owner: str = "acme", **fields: Any) -> dict[str, Any]:
    response = api.post(f"/repos/{owner}/", json=fields)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _refused(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == INVALID
    fields: dict[str, list[str]] = response.json()["fields"]
    return fields


def test_a_created_repository_is_described_read_and_listed(api: httpx.Client) -> None:
    created = _create(
        api, name="Team Builds (beta)", description="Nightlies", repository_type_str="Private"
    )
    assert created["slug"] == "team-builds-beta"
    assert created["name"] == "Team Builds (beta)"
    assert (created["namespace"], created["repository_type_str"]) == ("acme", "Private")
    assert (created["is_private"], created["is_public"], created["repository_type"]) == (
        True,
        False,
        2,
    )
    assert created["package_count"] == 0
    assert created["size_str"] == "0.0B"
    assert created["self_url"].endswith("/v1/repos/acme/team-builds-beta/")
    # Defaults of the request model are filled in; settings nobody gave are empty, not null.
    assert (created["broadcast_state"], created["copy_packages"]) == ("Off", "Read")
    assert (created["proxy_pypi"], created["distributes"], created["open_source_license"]) == (
        False,
        [],
        None,
    )
    by_slug = api.get("/repos/acme/team-builds-beta/").json()
    by_perm = api.get(f"/repos/acme/{created['slug_perm']}/").json()
    assert by_slug == by_perm == created

    listed = api.get("/repos/acme/", params={"sort": "name"})
    assert listed.status_code == 200
    assert [repo["slug"] for repo in listed.json()] == ["other", "sandbox", "team-builds-beta"]
    assert listed.headers["X-Pagination-Count"] == "3"
    second_page = api.get("/repos/acme/", params={"sort": "name", "page": 2, "page_size": 2})
    assert [repo["slug"] for repo in second_page.json()] == ["team-builds-beta"]
    assert api.get("/repos/acme/", params={"page": 3, "page_size": 2}).status_code == 404
    everywhere = api.get("/repos/")
    assert {repo["slug"] for repo in everywhere.json()} == {"team-builds-beta", "other", "sandbox"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "x"}, {"name": ["This value does not match the required pattern."]}),
        (
            {"name": "ok", "slug": "no spaces"},
            {
                "slug": [
                    'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
                ]
            },
        ),
        ({"name": "日本"}, {"name": ["No slug can be made of this name; give a slug."]}),
        ({"name": "ok", "description": None}, {"description": ["This field may not be null."]}),
        (
            {"name": "ok", "repository_type_str": "Secret"},
            {"repository_type_str": ['"Secret" is not a valid choice.']},
        ),
        (
            {"name": "ok", "repository_type_str": "Open-Source"},
            {
                "open_source_license": ["An Open-Source repository needs this field."],
                "open_source_project_url": ["An Open-Source repository needs this field."],
            },
        ),
        (
            {"name": "ok", "open_source_project_url": "ftp://x"},
            {"open_source_project_url": ["Enter a valid URL."]},
        ),
        (
            {"name": "ok", "distributes": ["sandbox"]},
            {"distributes": ["Only a Distribution repository distributes others."]},
        ),
        (
            {"name": "ok", "content_kind": "Distribution", "distributes": ["nope"]},
            {"distributes": ["No repository 'nope' in namespace 'acme'."]},
        ),
        (
            {"name": "Sandbox"},
            {
                "slug": [
                    "A repository with the slug 'sandbox' already exists in namespace 'acme' "
                    "(a deleted one keeps its slug)."
                ]
            },
        ),
    ],
    ids=[
        "no-name",
        "name-pattern",
        "slug-pattern",
        "no-slug-from-name",
        "null",
        "type-choice",
        "open-source-terms",
        "url",
        "distributes-standard",
        "distributes-unknown",
        "slug-taken",
    ],
)
def test_bad_create_bodies_are_400s_naming_each_field(
    api: httpx.Client, sandbox: SandboxFixture, body: dict[str, Any], fields: dict[str, list[str]]
) -> None:
    assert _refused(api.post("/repos/acme/", json=body)) == fields
    assert set(sandbox.state()["packages"]) == {"acme/sandbox", "acme/other"}


def test_an_open_source_distribution_with_its_terms_is_created(api: httpx.Client) -> None:
    created = _create(
        api,
        name="Everything",
        content_kind="Distribution",
        distributes=["sandbox", "other"],
        repository_type_str="Open-Source",
        open_source_license="MIT",
        open_source_project_url="https://example.invalid/everything",
    )
    assert created["distributes"] == ["sandbox", "other"]
    assert (created["is_open_source"], created["is_public"]) == (True, True)


def test_an_update_changes_only_what_it_names(api: httpx.Client) -> None:
    _create(api, name="Updates", broadcast_state="Private", move_own=True)
    response = api.patch("/repos/acme/updates/", json={"description": "Now described"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["description"] == "Now described"
    # The patch model's defaults ("Off", ...) are not applied to fields it did not name.
    assert (updated["broadcast_state"], updated["move_own"]) == ("Private", True)
    assert api.get("/repos/acme/updates/").json() == updated


def test_an_update_refuses_what_is_fixed_at_creation_and_bad_values(api: httpx.Client) -> None:
    _create(api, name="Fixed")
    refusals = {
        "content_kind": {"content_kind": "Distribution"},
        "repository_type_str": {
            "repository_type_str": "Open-Source",
            "open_source_license": "MIT",
            "open_source_project_url": "https://example.invalid",
        },
        "slug": {"slug": "other"},
        "blank slug": {"slug": ""},
        "name": {"name": None},
        "copy_packages": {"copy_packages": "Everyone"},
    }
    for field, body in refusals.items():
        refused = _refused(api.patch("/repos/acme/fixed/", json=body))
        assert field.removeprefix("blank ") in refused, field
    assert api.get("/repos/acme/fixed/").json()["content_kind"] == "Standard"
    assert api.patch("/repos/acme/nope/", json={}).status_code == 404


def test_a_new_slug_moves_the_repository_with_its_packages(
    api: httpx.Client, plain: httpx.Client
) -> None:
    _create(api, name="Before")
    package = publish(api, plain, "raw", "moved.txt", b"moved\n", repo="acme/before")
    wait_settled(api, package["slug"], repo="acme/before")
    open_upload = request_upload(api, "later.bin", b"later", repo="acme/before")
    renamed = api.patch("/repos/acme/before/", json={"slug": "after", "name": "After"})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["slug"], renamed.json()["package_count"]) == ("after", 1)
    assert api.get("/repos/acme/before/").status_code == 404
    assert api.get("/packages/acme/before/").status_code == 404
    status = api.get(f"/packages/acme/after/{package['slug']}/status/")
    assert status.json()["is_sync_completed"]
    done = api.get(f"/files/acme/after/{open_upload['identifier']}/info/")
    assert done.status_code == 400  # found in its new repository (and not multipart)


def test_a_created_repository_takes_uploads_and_counts_its_packages(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    _create(api, name="Fresh")
    repo = "acme/fresh"
    first = publish(api, plain, "raw", "one.txt", b"1" * 1000, repo=repo, version="1")
    second = publish(api, plain, "raw", "two.txt", b"2" * 1048, repo=repo, version="1")
    for package in (first, second):
        assert wait_settled(api, package["slug"], repo=repo)["is_sync_completed"]
    described = api.get("/repos/acme/fresh/").json()
    assert (described["package_count"], described["package_group_count"]) == (2, 2)
    assert (described["size"], described["size_str"]) == (2048, "2.0KB")
    assert sandbox.state()["packages"][repo]["completed"] == 2
    copied = api.post(f"/packages/{repo}/{first['slug']}/copy/", json={"destination": "fresh"})
    assert copied.status_code == 400  # the same repository
    listed = api.get(f"/packages/{repo}/", params={"sort": "name"})
    assert [item["filename"] for item in listed.json()] == ["one.txt", "two.txt"]


def test_a_deleted_repository_is_gone_with_its_packages_and_files(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    _create(api, name="Doomed")
    repo = "acme/doomed"
    kept = publish(api, plain, "raw", "kept.txt", b"kept\n", repo=repo, version="1")
    gone = publish(api, plain, "raw", "gone.txt", b"gone\n", repo=repo, version="1")
    for package in (kept, gone):
        wait_settled(api, package["slug"], repo=repo)
    copied = api.post(f"/packages/{repo}/{kept['slug']}/copy/", json={"destination": "sandbox"})
    assert copied.status_code == 200, copied.text
    wait_settled(api, copied.json()["slug"], repo="acme/sandbox")
    parts = request_upload(api, "big.bin", b"big", method="put_parts", repo=repo)
    put = api.put(
        "/_sandbox/upload/parts/",
        params={"upload_id": parts["identifier"], "part_number": 1},
        content=b"part",
    )
    assert put.status_code == 200
    blobs = sandbox.data_dir / "blobs"
    before = {path.name for path in blobs.iterdir()}

    deleted = api.delete("/repos/acme/doomed/")
    assert (deleted.status_code, deleted.content) == (200, b"")
    assert api.get("/repos/acme/doomed/").status_code == 404
    assert api.delete("/repos/acme/doomed/").status_code == 404
    assert api.get(f"/packages/{repo}/").status_code == 404
    assert api.get(f"/packages/{repo}/{gone['slug']}/status/").status_code == 404
    assert api.post(f"/files/{repo}/", json={"filename": "x.txt"}).status_code == 404
    assert repo not in sandbox.state()["packages"]
    assert "doomed" not in {item["slug"] for item in api.get("/repos/acme/").json()}
    # The copy in acme/sandbox keeps its file: it resyncs (reads the file) and completes.
    after = {path.name for path in blobs.iterdir()}
    assert after < before
    assert not (sandbox.data_dir / "parts" / parts["identifier"]).exists()
    resynced = api.post(f"/packages/acme/sandbox/{copied.json()['slug']}/resync/")
    assert resynced.status_code == 200
    assert wait_settled(api, copied.json()["slug"], repo="acme/sandbox")["is_sync_completed"]
    # A deleted repository keeps its slug, as Cloudsmith's do until they are purged.
    assert "slug" in _refused(api.post("/repos/acme/", json={"name": "Doomed"}))


def test_a_repository_in_a_new_namespace_makes_the_namespace(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    assert api.get("/repos/newco/").status_code == 404
    _create(api, "newco", name="First")
    assert [repo["slug"] for repo in api.get("/repos/newco/").json()] == ["first"]
    upload(api, plain, "a.txt", b"a", repo="newco/first")
    api.delete("/repos/newco/first/")
    # Its last repository deleted, the namespace is still there (and empty).
    assert api.get("/repos/newco/").json() == []
    token = sandbox.mint_oidc_token()
    exchanged = api.post("/openid/newco/", json={"oidc_token": token, "service_slug": "ci"})
    assert exchanged.status_code == 201
    assert api.post("/repos/bad owner/", json={"name": "xy"}).status_code == 404


@pytest.mark.cloudsmith_sandbox(api_key="only-key")
def test_the_repos_api_needs_the_key(sandbox: SandboxFixture) -> None:
    with http_client(base_url=sandbox.url) as anonymous:
        for method, path in (
            ("GET", "/repos/"),
            ("GET", "/repos/acme/"),
            ("POST", "/repos/acme/"),
            ("GET", "/repos/acme/sandbox/"),
            ("PATCH", "/repos/acme/sandbox/"),
            ("DELETE", "/repos/acme/sandbox/"),
        ):
            response = anonymous.request(method, path, json={"name": "xy"})
            assert response.status_code == 401, (method, path)
        keyed = anonymous.get("/repos/acme/sandbox/", headers={"X-Api-Key": "only-key"})
        assert keyed.status_code == 200


def test_a_configured_repository_deleted_is_back_after_a_restart(
    cloudsmith_sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    first = cloudsmith_sandbox_factory(data_dir=tmp_path / "state", api_key="k")
    with http_client(base_url=first.url, headers={"X-Api-Key": "k"}) as api:
        api.patch("/repos/acme/sandbox/", json={"description": "kept"})
        _create(api, name="Made")
        api.delete("/repos/acme/sandbox/")
        assert api.get("/repos/acme/sandbox/").status_code == 404
    first.close()
    second = cloudsmith_sandbox_factory(data_dir=tmp_path / "state", api_key="k")
    with http_client(base_url=second.url, headers={"X-Api-Key": "k"}) as api:
        back = api.get("/repos/acme/sandbox/")
        assert back.status_code == 200
        assert (back.json()["description"], back.json()["package_count"]) == ("kept", 0)
        assert api.get("/repos/acme/made/").status_code == 200


def test_a_data_directory_from_before_the_repos_api_keeps_working(
    cloudsmith_sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    data = tmp_path / "old"
    data.mkdir()
    with sqlite3.connect(data / "sandbox.sqlite3") as old:
        old.execute(
            "CREATE TABLE repos (owner TEXT NOT NULL, name TEXT NOT NULL, "
            "PRIMARY KEY (owner, name))"
        )
        old.execute("INSERT INTO repos VALUES ('acme', 'legacy')")
    old.close()
    sandbox = cloudsmith_sandbox_factory(data_dir=data, repos=["acme/legacy"], api_key="k")
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": "k"}) as api:
        legacy = api.get("/repos/acme/legacy/")
        assert legacy.status_code == 200, legacy.text
        assert (legacy.json()["name"], legacy.json()["repository_type_str"]) == (
            "legacy",
            "Public",
        )


@pytest.mark.cloudsmith_sandbox(clock="manual")
def test_the_repos_list_sorts_and_searches_as_documented(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    for name, kind in (("Zeta Builds", "Private"), ("Alpha Builds", "Public")):
        sandbox.clock.advance(60)  # made a minute after the repositories before it
        assert api.post("/repos/acme/", json={"name": name, "repository_type_str": kind})
    publish(api, plain, "raw", "one.txt", b"1", repo="acme/zeta-builds")

    def slugs(**params: str) -> list[str]:
        response = api.get("/repos/acme/", params=params)
        assert response.status_code == 200, response.text
        return [item["slug"] for item in response.json()]

    # Newest first by default; the configured two were made at the same moment.
    assert slugs()[:2] == ["alpha-builds", "zeta-builds"]
    assert slugs(sort="created_at")[2:] == ["zeta-builds", "alpha-builds"]
    assert slugs(sort="name") == ["alpha-builds", "other", "sandbox", "zeta-builds"]
    assert slugs(sort="-package_count")[0] == "zeta-builds"
    assert slugs(query="builds") == ["alpha-builds", "zeta-builds"]
    assert slugs(query="repository_type:private") == ["zeta-builds"]
    assert slugs(query="slug:^zeta OR name:^other$") == ["zeta-builds", "other"]
    assert api.get("/repos/acme/", params={"sort": "version"}).status_code == 400
    assert api.get("/repos/acme/", params={"query": "format:raw"}).status_code == 400
