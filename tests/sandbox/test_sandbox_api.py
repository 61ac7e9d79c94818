"""Authentication, response conventions and the small endpoints."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import httpx
import pytest

from pubsmith_sandbox import Faults, ManualClock
from pubsmith_sandbox.pytest_plugin import SandboxFactory, SandboxFixture
from tests.support.http_clients import http_client, http_get, http_post
from tests.support.sandbox_api import OPEN_SANDBOX, REPO, publish, wait_settled

KEY = "the-one-key"
LOCKED = pytest.mark.cloudsmith_sandbox(api_key=KEY)
"""A sandbox that accepts only ``KEY``."""

pytestmark = OPEN_SANDBOX


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Api-Key": KEY},
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": "Basic " + base64.b64encode(f"someone:{KEY}".encode()).decode()},
    ],
    ids=["x-api-key", "bearer", "basic"],
)
@LOCKED
def test_the_key_is_accepted_in_all_three_forms(
    sandbox: SandboxFixture, headers: dict[str, str]
) -> None:
    response = http_get(f"{sandbox.url}/packages/{REPO}/", headers=headers)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"X-Api-Key": "wrong"}, "Invalid API key."),
        ({"Authorization": "Bearer wrong"}, "Invalid API key."),
        ({"Authorization": "Basic " + base64.b64encode(b"u:wrong").decode()}, "Invalid API key."),
        ({"Authorization": "Basic !!!"}, "Invalid basic header."),
        ({"Authorization": "Digest abc"}, "Unsupported authorization scheme 'Digest'."),
    ],
)
@LOCKED
def test_missing_or_wrong_keys_are_refused(
    sandbox: SandboxFixture, headers: dict[str, str], detail: str
) -> None:
    response = http_post(f"{sandbox.url}/files/{REPO}/", headers=headers, json={"filename": "a"})
    assert response.status_code == 401
    assert response.json() == {"detail": detail}


def test_without_a_configured_key_any_non_empty_key_works(sandbox: SandboxFixture) -> None:
    assert http_get(f"{sandbox.url}/packages/{REPO}/", headers={"X-Api-Key": "x"}).is_success
    assert http_get(f"{sandbox.url}/packages/{REPO}/").status_code == 401


def test_unknown_repositories_and_paths_answer_404(api: httpx.Client) -> None:
    for path in ("/packages/acme/nope/", "/files/other/sandbox/", "/packages/acme/nope/x/status/"):
        response = api.post(path, json={}) if path.startswith("/files") else api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    assert api.get("/no/such/thing/").status_code == 404
    assert api.post(f"/packages/{REPO}/upload/nonsense/", json={}).status_code == 404
    wrong_method = api.get(f"/files/{REPO}/validate/")
    assert wrong_method.status_code == 405


def test_every_answer_follows_the_response_conventions(api: httpx.Client) -> None:
    for response in (
        api.get("/user/self/"),
        api.get("/v1/user/self/"),
        api.get("/nope/"),
        api.post(f"/files/{REPO}/validate/", json={"filename": "a"}),
    ):
        assert set(response.headers) >= {
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ratelimit-interval",
        }
    body = api.get("/v1/user/self/", params={"pretty": "true"}).text
    assert body.startswith('{\n  "authenticated": true')
    assert "\n" not in api.get("/user/self/").text


def test_v1_prefix_and_missing_trailing_slash_reach_the_same_operation(api: httpx.Client) -> None:
    assert api.get("/v1/packages/acme/sandbox").status_code == 200
    assert api.get("/v1/formats/").json() == api.get("/formats").json()


def test_blank_fields_are_null_and_timestamps_millisecond_utc(
    api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "notes.txt", b"notes\n")
    assert package["description"] is None
    assert package["sync_finished_at"] is None
    settled = wait_settled(api, package["slug"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", settled["sync_finished_at"])


@LOCKED
def test_user_self_tells_who_is_authenticated(sandbox: SandboxFixture) -> None:
    anonymous = http_get(f"{sandbox.url}/user/self/").json()
    assert anonymous["authenticated"] is False and anonymous["slug"] is None
    known = http_get(f"{sandbox.url}/user/self/", headers={"X-Api-Key": KEY}).json()
    assert known["authenticated"] is True and known["slug"] == "sandbox"
    assert http_get(f"{sandbox.url}/user/self/", headers={"X-Api-Key": "bad"}).status_code == 401


def test_formats_and_distros(api: httpx.Client) -> None:
    formats = api.get("/formats/").json()
    assert len(formats) == 31
    deb = api.get("/formats/deb/").json()
    assert deb["supports"]["distributions"] is True
    assert {distro["slug"] for distro in deb["distributions"]} == {"debian", "ubuntu", "any-distro"}
    assert api.get("/formats/cobol/").status_code == 404
    distros = api.get("/distros/").json()
    assert {distro["slug"] for distro in distros} == {
        "debian",
        "ubuntu",
        "el",
        "fedora",
        "alpine",
        "any-distro",
    }
    ubuntu = api.get("/distros/ubuntu/").json()
    assert {"slug": "jammy", "name": "22.04 Jammy Jellyfish"} in ubuntu["versions"]
    assert api.get("/distros/beos/").status_code == 404


def test_rate_limits_list_reports_the_budget(cloudsmith_sandbox_factory: SandboxFactory) -> None:
    start = 1_700_000_000  # 2023-11-14T22:13:20Z
    sandbox = cloudsmith_sandbox_factory(
        faults=Faults(rate_limit=50, rate_interval=60), clock=ManualClock(start)
    )
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": "k"}) as api:
        api.get("/user/self/")
        sandbox.clock.advance(12)
        core = api.get("/rates/limits/").json()["resources"]["core"]
    assert (core["limit"], core["remaining"], core["throttled"]) == (50, 48, False)
    assert core["interval"] == round(48 / 48, 3)  # 48 s left for 48 requests
    assert (core["reset"], core["reset_iso_8601"]) == (start + 60, "2023-11-14T22:14:20.000Z")


@LOCKED
def test_openid_exchanges_a_sandbox_token_for_a_working_key(sandbox: SandboxFixture) -> None:
    url = f"{sandbox.url}/openid/acme/"
    token = sandbox.mint_oidc_token(subject="repo:acme/app")
    answer = http_post(url, json={"oidc_token": token, "service_slug": "ci"})
    assert answer.status_code == 201
    key = answer.json()["token"]
    assert key != KEY
    assert http_get(f"{sandbox.url}/packages/{REPO}/", headers={"X-Api-Key": key}).is_success
    over_http = http_post(f"{sandbox.url}/_sandbox/oidc/token/", json={"subject": "x"}).json()
    assert http_post(url, json={"oidc_token": over_http["token"], "service_slug": "ci"}).is_success


@pytest.mark.parametrize(
    ("make_token", "status"),
    [
        (lambda sandbox: "not.a.jwt", 401),
        (lambda sandbox: sandbox.mint_oidc_token(expires_in=-5), 401),
        (lambda sandbox: sandbox.mint_oidc_token(iss="https://elsewhere.example"), 401),
        (lambda sandbox: sandbox.mint_oidc_token()[:-4] + "AAAA", 401),
    ],
    ids=["garbage", "expired", "other-issuer", "bad-signature"],
)
@LOCKED
def test_openid_refuses_tokens_it_did_not_issue(
    sandbox: SandboxFixture, make_token: Callable[[SandboxFixture], str], status: int
) -> None:
    body = {"oidc_token": make_token(sandbox), "service_slug": "ci"}
    response = http_post(f"{sandbox.url}/openid/acme/", json=body)
    assert response.status_code == status
    assert "OIDC token" in response.json()["detail"]


@LOCKED
def test_openid_validates_its_body_and_owner(sandbox: SandboxFixture) -> None:
    missing = http_post(f"{sandbox.url}/openid/acme/", json={"oidc_token": "x"})
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"service_slug": ["This field is required."]}
    token = sandbox.mint_oidc_token()
    other = http_post(
        f"{sandbox.url}/openid/nobody/", json={"oidc_token": token, "service_slug": "ci"}
    )
    assert other.status_code == 404


def test_bad_json_bodies_are_refused(api: httpx.Client) -> None:
    broken = api.post(
        f"/files/{REPO}/", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("JSON parse error")
    listed = api.post(f"/files/{REPO}/", json=["filename"])
    assert listed.json() == {"detail": "Invalid data. Expected a dictionary, but got list."}
