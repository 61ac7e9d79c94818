"""Where the API key may go: the policy's rows that name public hosts.

| request                        | key                                                       |
|--------------------------------|-----------------------------------------------------------|
| the API's own origin           | yes                                                       |
| presigned POST / PUT           | never, even on the API's origin                           |
| multipart parts                | the API's origin; over https a host of the API's domain   |
| parts, loopback or IP API      | its own origin only (same host and port)                  |
| anything else                  | refused naming the host, before a byte is sent            |

Public hosts cannot be resolved here, so these rows run over ``httpx.MockTransport``; the
loopback rows run against real servers on 127.0.0.1 and 127.0.0.2 in
``tests/reliability/test_secrets.py``.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pubsmith._urls import may_carry_key, origin, registrable_domain
from pubsmith.client import CloudsmithClient
from pubsmith.errors import UploadError
from pubsmith.retry import RetryPolicy

KEY = "policy-key-3f9a1c"


@pytest.fixture
def part_file(tmp_path: Path) -> Path:
    path = tmp_path / "part.bin"
    path.write_bytes(b"p" * 4096)
    return path


def send_part(client: CloudsmithClient, url: str, path: Path) -> None:
    client.upload_part(url, upload_id="u1", part_number=1, path=path, offset=0, length=4096)


@pytest.mark.parametrize(
    ("api", "parts", "allowed"),
    [
        ("https://api.cloudsmith.io", "https://upload.cloudsmith.io/parts/", True),
        ("https://api.cloudsmith.io", "https://api.cloudsmith.io/parts/", True),
        ("https://api.cloudsmith.io", "https://UPLOAD.Cloudsmith.IO:8443/p/", True),
        ("https://api.cloudsmith.io", "https://cloudsmith.io.evil.com/parts/", False),
        ("https://api.cloudsmith.io", "https://evilcloudsmith.io/parts/", False),
        ("https://api.cloudsmith.io", "http://upload.cloudsmith.io/parts/", False),
        ("https://api.cloudsmith.io", "https://upload.cloudsmith.com/parts/", False),
        ("https://api.acme.co.uk", "https://upload.acme.co.uk/parts/", True),
        ("https://api.acme.co.uk", "https://evil.co.uk/parts/", False),
        ("https://acme.github.io", "https://evil.github.io/parts/", False),
        ("https://203.0.113.5", "https://203.0.113.6/parts/", False),
        ("https://api.cloudsmith.io", "https://203.0.113.6/parts/", False),
        ("http://localhost:8000", "https://localhost:8001/parts/", False),
    ],
)
def test_parts_go_only_to_the_apis_registrable_domain_over_https(
    api: str, parts: str, allowed: bool, part_file: Path
) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        CloudsmithClient(api, KEY, http=http, policy=RetryPolicy(max_attempts=1)) as client,
    ):
        if allowed:
            send_part(client, parts, part_file)
            assert [request.headers["X-Api-Key"] for request in sent] == [KEY]
        else:
            host = httpx.URL(parts).host.lower()
            with pytest.raises(UploadError, match=f"refusing to send the API key to {host} "):
                send_part(client, parts, part_file)
            assert sent == []
    assert may_carry_key(httpx.URL(parts), origin(httpx.URL(api))) is allowed


def test_registrable_domains_follow_the_public_suffix_list() -> None:
    assert registrable_domain("upload.cloudsmith.io") == "cloudsmith.io"
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"
    assert registrable_domain("co.uk") is None
    assert registrable_domain("bucket.s3.amazonaws.com") == "bucket.s3.amazonaws.com"
