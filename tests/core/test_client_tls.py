"""The client's own transports, against real loopback servers: HTTPS verified, HTTP plain."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import TransportError
from pubsmith.retry import RetryPolicy
from tests.support.tls import self_signed


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"authenticated": True, "scheme": self.server.scheme}).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(scheme: str, tls: tuple[Path, Path] | None) -> Iterator[str]:
    """Yields the server's URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.scheme = scheme  # type: ignore[attr-defined]
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    # A short poll: shutdown() waits for the serving loop to notice (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


@pytest.fixture
def https_url(certificate: tuple[Path, Path]) -> Iterator[str]:
    yield from _serve("https", certificate)


@pytest.fixture
def http_url() -> Iterator[str]:
    yield from _serve("http", None)


def test_https_is_verified_against_the_given_ca_bundle(
    https_url: str, certificate: tuple[Path, Path]
) -> None:
    with CloudsmithClient(https_url, "k", verify=str(certificate[0])) as client:
        assert client.user_self() == {"authenticated": True, "scheme": "https"}


def test_https_to_an_untrusted_certificate_is_refused(https_url: str) -> None:
    policy = RetryPolicy(max_attempts=1)
    with (
        CloudsmithClient(https_url, "k", policy=policy) as client,
        pytest.raises(TransportError, match="TLS verification"),
    ):
        client.user_self()


def test_plain_http_and_https_share_one_client(
    http_url: str, https_url: str, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    # The API on loopback HTTP, with an upload endpoint on HTTPS: each scheme its transport.
    path = tmp_path / "pkg.bin"
    path.write_bytes(b"contents")
    with CloudsmithClient(http_url, "k", verify=str(certificate[0])) as client:
        assert client.user_self()["scheme"] == "http"
        client.upload_put(f"{https_url}/upload", {}, path, None)
