from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest

from pubsmith_sandbox.catalog import FORMATS
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.http_clients import http_client
from tests.support.sandbox_api import OPEN_SANDBOX, REPO, publish, upload, wait_settled

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
NOTES = b"release notes\n"

# Values for every required field that is not a file, per format (see the bindings' models).
REQUIRED = {
    "alpine": {"distribution": "alpine/v3.19"},
    "deb": {"distribution": "ubuntu/jammy"},
    "rpm": {"distribution": "el/9"},
    "generic": {"filepath": "tools/notes.txt"},
    "swift": {"name": "notes", "scope": "acme", "version": "1.0.0"},
    "vagrant": {"name": "notes", "provider": "virtualbox", "version": "1.0.0"},
    "skills": {"name": "notes", "version": "1.0.0"},
}
COMPANIONS = {"conan": ("info_file", "manifest_file", "metadata_file")}

pytestmark = OPEN_SANDBOX


def _payload(identifier: str, fmt: str) -> dict[str, str]:
    payload = {"package_file": identifier, **REQUIRED.get(fmt, {})}
    payload.update(dict.fromkeys(COMPANIONS.get(fmt, ()), identifier))
    return payload


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.cloudsmith_sandbox(clock="manual")  # awaiting until the test says otherwise
def test_every_format_validates_and_accepts_an_upload(
    api: httpx.Client, plain: httpx.Client, fmt: str
) -> None:
    identifier = upload(api, plain, "notes.txt", NOTES)
    missing = api.post(f"/packages/{REPO}/validate-upload/{fmt}/", json={})
    assert missing.status_code == 400
    assert missing.json()["fields"]["package_file"] == ["This field is required."]
    valid = api.post(f"/packages/{REPO}/validate-upload/{fmt}/", json=_payload("local/path", fmt))
    assert valid.status_code == 204, valid.text
    created = api.post(f"/packages/{REPO}/upload/{fmt}/", json=_payload(identifier, fmt))
    assert created.status_code == 201, created.text
    package = created.json()
    assert (package["format"], package["filename"]) == (fmt, "notes.txt")
    assert package["status_str"] == "Awaiting Synchronisation"
    assert package["is_sync_awaiting"] is True


def test_required_fields_and_unknown_distributions_are_named(api: httpx.Client) -> None:
    response = api.post(f"/packages/{REPO}/upload/deb/", json={"package_file": "x"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"distribution": ["This field is required."]}
    wrong = api.post(
        f"/packages/{REPO}/validate-upload/deb/",
        json={"package_file": "x", "distribution": "el/9", "ignored_key": 1},
    )
    assert wrong.status_code == 400
    assert "debian/bookworm" in wrong.json()["fields"]["distribution"][0]
    typed = api.post(
        f"/packages/{REPO}/validate-upload/raw/",
        json={"package_file": "x", "republish": "maybe", "name": ["a"]},
    )
    assert typed.json()["fields"] == {
        "republish": ["Must be a valid boolean."],
        "name": ["Not a valid string."],
    }


def test_package_files_must_be_completed_uploads_of_the_same_repo(
    api: httpx.Client, plain: httpx.Client
) -> None:
    elsewhere = upload(api, plain, "notes.txt", NOTES, repo="acme/other")
    open_upload = api.post(f"/files/{REPO}/", json={"filename": "a.txt"}).json()["identifier"]
    for identifier, words in (
        ("nope", "No upload"),
        (elsewhere, "No upload"),
        (open_upload, "is open"),
    ):
        response = api.post(f"/packages/{REPO}/upload/raw/", json={"package_file": identifier})
        assert response.status_code == 400
        assert words in response.json()["fields"]["package_file"][0]


def test_a_wheel_is_processed_and_described_from_its_contents(
    api: httpx.Client, plain: httpx.Client
) -> None:
    data = WHEEL.read_bytes()
    package = publish(api, plain, "python", WHEEL.name, data, tags="beta,ci")
    status = wait_settled(api, package["slug"])
    assert status["status_str"] == "Completed", status["status_reason"]
    assert (status["stage_str"], status["sync_progress"]) == ("Fully Synchronised", 100)
    read = api.get(f"/packages/{REPO}/{package['slug_perm']}/").json()
    assert (read["name"], read["version"]) == ("acme-greeting", "1.2.0")
    assert read["checksum_sha256"] == hashlib.sha256(data).hexdigest()
    assert read["checksum_sha512"] == hashlib.sha512(data).hexdigest()
    assert read["size"] == len(data)
    assert read["tags"] == {"info": ["beta", "ci"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", read["uploaded_at"])
    assert read["is_copyable"] is True


def test_a_text_file_sent_as_a_wheel_fails_with_the_plugins_reason(
    api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "python", "fake-1.0-py3-none-any.whl", b"not a zip\n")
    status = wait_settled(api, package["slug"])
    assert status["is_sync_failed"] is True
    assert status["status_str"] == "Failed"
    assert status["status_reason"].startswith("fake-1.0-py3-none-any.whl: ")


def test_a_truncated_wheel_fails(api: httpx.Client, plain: httpx.Client) -> None:
    data = WHEEL.read_bytes()
    package = publish(api, plain, "python", WHEEL.name, data[: len(data) // 2])
    assert wait_settled(api, package["slug"])["is_sync_failed"] is True


def test_a_duplicate_fails_unless_republished_which_replaces_the_old(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    first = publish(api, plain, "raw", "notes.txt", NOTES, version="1.0")
    assert wait_settled(api, first["slug"])["is_sync_completed"]
    duplicate = publish(api, plain, "raw", "notes.txt", NOTES, version="1.0")
    status = wait_settled(api, duplicate["slug"])
    assert status["is_sync_failed"] and "duplicate" in status["status_reason"]
    other_version = publish(api, plain, "raw", "notes.txt", NOTES, version="1.1")
    assert wait_settled(api, other_version["slug"])["is_sync_completed"]
    republished = publish(api, plain, "raw", "notes.txt", NOTES, version="1.0", republish=True)
    assert wait_settled(api, republished["slug"])["is_sync_completed"]
    assert api.get(f"/packages/{REPO}/{first['slug']}/").status_code == 404
    assert sandbox.state()["packages"][REPO] == {
        "awaiting": 0,
        "in_progress": 0,
        "completed": 2,
        "failed": 1,
    }


@pytest.mark.cloudsmith_sandbox(sync_seconds=10, clock="manual")
def test_processing_goes_through_awaiting_then_in_progress(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "notes.txt", NOTES)
    assert package["is_sync_awaiting"] and package["sync_progress"] == 0

    def status() -> tuple[str, bool, int]:
        answer = api.get(f"/packages/{REPO}/{package['slug']}/status/").json()
        return answer["status_str"], answer["is_sync_in_progress"], answer["sync_progress"]

    sandbox.clock.advance(1)  # the first fifth of processing is spent awaiting it
    assert status() == ("Awaiting Synchronisation", False, 0)
    sandbox.clock.advance(5)  # halfway through the rest: (6 - 2) / 8 of 99
    assert status() == ("Synchronising", True, 49)
    sandbox.clock.advance(4)  # due: finished by the time the clock has moved
    assert status() == ("Completed", False, 100)


def test_list_filters_sorts_and_pages_like_the_real_api(
    api: httpx.Client, plain: httpx.Client
) -> None:
    for version in ("1.0", "1.2", "2.0"):
        package = publish(
            api, plain, "raw", f"tool-{version}.txt", NOTES, name="tool", version=version
        )
        wait_settled(api, package["slug"])
    publish(api, plain, "raw", "other.txt", NOTES, name="other", version="1.0")
    page = api.get(f"/packages/{REPO}/", params={"page_size": 2, "sort": "name,-version"})
    assert page.status_code == 200
    assert [item["version"] for item in page.json()] == [None, "2.0"] or [
        (item["name"], item["version"]) for item in page.json()
    ] == [("other", "1.0"), ("tool", "2.0")]
    headers = page.headers
    assert (headers["X-Pagination-Count"], headers["X-Pagination-Page"]) == ("4", "1")
    assert (headers["X-Pagination-PageTotal"], headers["X-Pagination-PageSize"]) == ("2", "2")
    assert 'rel="next"' in headers["Link"] and "page=2" in headers["Link"]

    def names(query: str) -> list[tuple[str, str]]:
        response = api.get(f"/packages/{REPO}/", params={"query": query, "sort": "version"})
        assert response.status_code == 200, response.text
        return [(item["name"], item["version"]) for item in response.json()]

    assert names("name:^tool$ version:1.2") == [("tool", "1.2")]
    assert names("name:too version:>1.0") == [("tool", "1.2"), ("tool", "2.0")]
    assert names("filename:other.txt format:raw") == [("other", "1.0")]
    assert names("other OR version:2.0") == [("other", "1.0"), ("tool", "2.0")]
    assert names("name:tool NOT version:1*") == [("tool", "2.0")]
    assert names("status:completed name:tool") == [
        ("tool", "1.0"),
        ("tool", "1.2"),
        ("tool", "2.0"),
    ]
    assert names("format:deb") == []
    assert api.get(f"/packages/{REPO}/", params={"query": "colour:red"}).status_code == 400
    assert api.get(f"/packages/{REPO}/", params={"sort": "colour"}).status_code == 400
    assert api.get(f"/packages/{REPO}/", params={"page": 9}).status_code == 404
    assert api.get(f"/packages/{REPO}/", params={"page": "x"}).status_code == 400


def test_read_status_and_delete(api: httpx.Client, plain: httpx.Client) -> None:
    package = publish(api, plain, "raw", "notes.txt", NOTES)
    for identifier in (package["slug"], package["slug_perm"]):
        assert (
            api.get(f"/packages/{REPO}/{identifier}/").json()["slug_perm"] == package["slug_perm"]
        )
        assert api.get(f"/packages/{REPO}/{identifier}/status/").status_code == 200
    assert api.get(f"/packages/acme/other/{package['slug']}/").status_code == 404
    assert api.delete(f"/packages/{REPO}/{package['slug']}/").status_code == 204
    assert api.get(f"/packages/{REPO}/{package['slug']}/").status_code == 404
    assert api.delete(f"/packages/{REPO}/{package['slug']}/").status_code == 404
    assert api.get(f"/packages/{REPO}/{package['slug']}/status/").status_code == 404


@pytest.mark.cloudsmith_sandbox(clock="manual")  # never processed: the clock stands still
def test_copy_and_move_need_a_synchronised_package(
    sandbox: SandboxFixture, plain: httpx.Client
) -> None:
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": "k"}) as api:
        package = publish(api, plain, "raw", "notes.txt", NOTES, version="1")
        for action in ("copy", "move"):
            response = api.post(
                f"/packages/{REPO}/{package['slug']}/{action}/", json={"destination": "other"}
            )
            assert response.status_code == 400
            assert response.json()["detail"] == (
                "The package is in the wrong state for the requested operation."
            )
        assert sandbox.state()["packages"]["acme/other"]["awaiting"] == 0


def test_copy_and_move_check_the_destination(api: httpx.Client, plain: httpx.Client) -> None:
    package = publish(api, plain, "raw", "notes.txt", NOTES, version="1")
    wait_settled(api, package["slug"])
    for action in ("copy", "move"):
        url = f"/packages/{REPO}/{package['slug']}/{action}/"
        for destination in ("missing", "sandbox"):
            bad = api.post(url, json={"destination": destination})
            assert bad.status_code == 400 and "destination" in bad.json()["fields"]
        missing = api.post(url, json={})
        assert missing.json()["fields"] == {"destination": ["This field is required."]}


def test_copy_honours_republish_and_move_relocates(api: httpx.Client, plain: httpx.Client) -> None:
    package = publish(api, plain, "raw", "notes.txt", NOTES, version="1")
    wait_settled(api, package["slug"])
    copied = api.post(f"/packages/{REPO}/{package['slug']}/copy/", json={"destination": "other"})
    assert copied.status_code == 200
    assert copied.json()["repository"] == "other"
    assert wait_settled(api, copied.json()["slug"], repo="acme/other")["is_sync_completed"]
    again = api.post(f"/packages/{REPO}/{package['slug']}/copy/", json={"destination": "other"})
    failed = wait_settled(api, again.json()["slug"], repo="acme/other")
    assert failed["is_sync_failed"] and "duplicate" in failed["status_reason"]
    forced = api.post(
        f"/packages/{REPO}/{package['slug']}/copy/",
        json={"destination": "other", "republish": True},
    )
    assert wait_settled(api, forced.json()["slug"], repo="acme/other")["is_sync_completed"]
    assert api.get(f"/packages/acme/other/{copied.json()['slug']}/").status_code == 404
    assert api.get(f"/packages/{REPO}/{package['slug']}/").status_code == 200

    moved_source = publish(api, plain, "raw", "moved.txt", NOTES)
    wait_settled(api, moved_source["slug"])
    moved = api.post(
        f"/packages/{REPO}/{moved_source['slug']}/move/", json={"destination": "other"}
    )
    assert moved.status_code == 200
    assert moved.json()["slug_perm"] == moved_source["slug_perm"]
    assert api.get(f"/packages/{REPO}/{moved_source['slug']}/").status_code == 404
    assert wait_settled(api, moved_source["slug"], repo="acme/other")["is_sync_completed"]


def test_tag_actions(api: httpx.Client, plain: httpx.Client) -> None:
    package = publish(api, plain, "raw", "notes.txt", NOTES, tags="a")
    url = f"/packages/{REPO}/{package['slug']}/tag/"

    def tag(**body: object) -> dict[str, object]:
        response = api.post(url, json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    assert tag(tags=["b"])["tags"] == {"info": ["a", "b"]}
    assert tag(action="Add", tags=["keep"], is_immutable=True)["tags_immutable"] == {
        "info": ["keep"]
    }
    assert tag(action="Remove", tags=["a", "keep"])["tags"] == {"info": ["b", "keep"]}
    assert tag(action="Replace", tags=["z"])["tags"] == {"info": ["keep", "z"]}
    assert tag(action="Clear")["tags"] == {"info": ["keep"]}
    assert api.post(url, json={"action": "Shout"}).status_code == 400


@pytest.mark.cloudsmith_sandbox(clock="manual")  # each processing waits for the test
def test_resync_reprocesses_a_settled_package_only(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    package = publish(api, plain, "raw", "notes.txt", NOTES)
    url = f"/packages/{REPO}/{package['slug']}/resync/"
    assert api.post(url).status_code == 400
    sandbox.clock.advance(1)
    wait_settled(api, package["slug"])
    sandbox.configure(fail_processing=["notes*"])
    resynced = api.post(url)
    assert resynced.status_code == 200
    assert resynced.json()["is_sync_awaiting"] is True
    sandbox.clock.advance(1)
    status = wait_settled(api, package["slug"])
    assert status["is_sync_failed"] and "sandbox fault" in status["status_reason"]
    sandbox.configure(fail_processing=[])
    assert api.post(url).status_code == 200
    sandbox.clock.advance(1)
    assert wait_settled(api, package["slug"])["is_sync_completed"]
