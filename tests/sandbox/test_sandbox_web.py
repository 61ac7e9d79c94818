"""The web pages behind ``self_webapp_url``: what a user sees clicking the link pubsmith
prints after a publish, with untrusted package text escaped, served without a key."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest

from pubsmith_sandbox.pages import visible
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.sandbox.conftest import KEY
from tests.support.catalog import fixture
from tests.support.http_clients import http_get
from tests.support.sandbox_api import REPO, publish, wait_settled

pytestmark = pytest.mark.cloudsmith_sandbox(repos=[REPO, "acme/other"], api_key=KEY)

WHEEL = fixture("acme_greeting-1.2.0-py3-none-any.whl").path
HOSTILE = '<script>alert("x")</script>\x1b[31m\u202e'


def _page(url: str) -> httpx.Response:
    """GET a page as a browser would: no API key."""
    response = http_get(url)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response


def test_package_page_shows_the_published_wheel(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    data = WHEEL.read_bytes()
    created = publish(api, plain, "python", WHEEL.name, data)
    wait_settled(api, created["slug_perm"])
    package = api.get(f"/packages/{REPO}/{created['slug_perm']}/").json()
    url = package["self_webapp_url"]
    assert url == package["self_html_url"]
    assert url == (
        f"{sandbox.url}/~acme/repos/sandbox/packages/detail/python/{package['slug_perm']}/"
    )

    response = _page(url)

    assert response.status_code == 200
    page = response.text
    assert package["name"] in page and ">1.2.0<" in page
    assert "Completed" in page
    assert hashlib.sha256(data).hexdigest() in page
    assert WHEEL.name in page and f"{len(data)} bytes" in page
    assert f"acme/sandbox/{package['slug_perm']}" in page
    assert f'<a href="{package["self_url"]}">' in page
    assert package["uploaded_at"] in page
    assert "<script" not in page and "http" not in page.replace(sandbox.url, "")


def test_a_hostile_name_is_shown_escaped_never_as_markup(
    api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "notes.txt", b"notes\n", name=HOSTILE, version="1")

    page = _page(package["self_webapp_url"]).text

    assert "<script" not in page and "\x1b" not in page and "\u202e" not in page
    shown = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\x1b[31m\\u202e"
    assert shown in page
    assert f"<title>{shown} 1 in acme/sandbox" in page


def test_visible_writes_out_control_and_format_characters() -> None:
    assert visible("a\x00b\tc\x7f\u200bd'&") == "a\\x00b\\x09c\\x7f\\u200bd&#x27;&amp;"
    assert visible("x\ud800") == "x\\ud800"  # a lone surrogate cannot reach the page's UTF-8


def test_repository_page_lists_its_packages_with_links(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "notes.txt", b"notes\n", name="notes", version="2.0")
    other = publish(
        api, plain, "raw", "other.txt", b"o\n", repo="acme/other", name="elsewhere", version="9"
    )
    repo = api.get(f"/repos/{REPO}/").json()
    assert repo["self_webapp_url"] == repo["self_html_url"] == f"{sandbox.url}/~acme/repos/sandbox/"

    page = _page(repo["self_webapp_url"]).text

    row = re.search(r"<tr><td><a href=\"([^\"]+)\">notes</a></td>(.*?)</tr>", page)
    assert row is not None
    assert row.group(1) == package["self_webapp_url"]
    assert row.group(2).startswith("<td>2.0</td><td>raw</td><td>")
    assert "elsewhere" not in page
    assert "elsewhere" in _page(other["self_webapp_url"]).text


def test_pages_are_not_api_operations_no_key_no_faults_not_counted(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "notes.txt", b"notes\n", name="notes", version="1")
    before = sandbox.state()["requests"]
    sandbox.configure(error_rate=1.0, rate_limit=1)

    assert _page(package["self_webapp_url"]).status_code == 200
    assert _page(f"{sandbox.url}/~acme/repos/sandbox/").status_code == 200

    assert sandbox.state()["requests"] == before
    assert api.get(f"/packages/{REPO}/").status_code >= 429  # the API is faulted


@pytest.mark.parametrize(
    "path",
    [
        "/~acme/repos/sandbox/packages/detail/raw/NoSuchSlug/",
        "/~acme/repos/sandbox/packages/detail/python/{slug}/",  # the wrong format
        "/~acme/repos/nowhere/packages/detail/raw/{slug}/",
        "/~nobody/repos/sandbox/packages/detail/raw/{slug}/",
        "/~acme/repos/nowhere/",
        "/~nobody/repos/sandbox/",
    ],
)
def test_unknown_pages_are_an_html_404(
    path: str, sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "notes.txt", b"notes\n", name="notes", version="1")

    response = _page(sandbox.url + path.format(slug=package["slug_perm"]))

    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_a_404_page_escapes_the_path_it_names(sandbox: SandboxFixture) -> None:
    response = _page(f"{sandbox.url}/~acme/repos/%3Cb%3E/")
    assert response.status_code == 404
    assert "<b>" not in response.text
