"""Publishing through a real forward proxy (proxy.py, from PyPI) to the sandbox.

``https://`` goes through a ``CONNECT`` tunnel: a recording relay in front of the proxy
sees every byte pubsmith sends it, and the key is never among them. The sandbox speaks
plain HTTP, so a TLS front with a certificate made here stands before it for the
``https://`` cases.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import TransportError
from pubsmith.retry import RetryPolicy
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import Env, error_lines, pubsmith
from tests.support.tls import self_signed
from tests.support.waiting import wait_for

KEY = "proxied-key-never-in-clear"
PROXY_PASSWORD = "proxy-pass-w0rd"

pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging"], api_key=KEY)


class Relay:
    """Accepts TCP (or TLS) on loopback and relays each connection to ``upstream``,
    recording what clients sent; ``answer=False`` accepts and never says anything."""

    def __init__(self, upstream: tuple[str, int] | None, tls: ssl.SSLContext | None = None) -> None:
        self.upstream = upstream
        self.tls = tls
        self.received = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: list[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stopped = True
        self._server.close()
        for sock in list(self._open):
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._open.append(client)
        try:
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            if self.upstream is None:
                while client.recv(65536):
                    pass
                return
            upstream = socket.create_connection(self.upstream)
            self._open.append(upstream)
            self._pump(client, upstream)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        with upstream:
            while True:
                pending = client.pending() if isinstance(client, ssl.SSLSocket) else 0
                ready = [client] if pending else select.select([client, upstream], [], [], 30)[0]
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        with self._lock:
                            self.received += data
                        upstream.sendall(data)
                    else:
                        client.sendall(data)


@contextlib.contextmanager
def forward_proxy(tmp_path: Path, *auth: str) -> Iterator[int]:
    """proxy.py on a free loopback port, as its users run it; yields the port."""
    port_file = tmp_path / "proxy.port"
    command = [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0"]
    command += ["--port-file", str(port_file), "--num-workers", "1", "--num-acceptors", "1"]
    command += ["--log-level", "WARNING"]
    if auth:
        command += ["--basic-auth", ":".join(auth)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def port() -> int | None:
        assert process.poll() is None, "proxy.py exited at start"
        written = port_file.read_text().strip() if port_file.is_file() else ""
        return int(written) if written else None

    try:
        yield wait_for(port, "proxy.py to listen")
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def tls_front(sandbox: SandboxFixture, tmp_path: Path) -> Iterator[tuple[Relay, Path]]:
    """The sandbox behind TLS on another port: yields the front and its CA bundle."""
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    host, port = sandbox.url.removeprefix("http://").split(":")
    front = Relay((host, int(port)), tls=context)
    yield front, cert
    front.close()


def publish(
    tmp_path: Path, api: str, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    notes = tmp_path / "notes.txt"
    notes.write_text("through the proxy")
    # Only the proxies the test names: none of the machine's own.
    unproxied: Env = {name: None for name in os.environ if "proxy" in name.lower()}
    return pubsmith(
        *("publish", f"raw:{notes}", "-o", "version=1"),
        *("--repo", "acme/staging", "--api-url", api, *args),
        env={**unproxied, "CLOUDSMITH_API_KEY": KEY, **env},
    )


@pytest.mark.e2e
def test_https_proxy_makes_a_connect_tunnel_and_the_key_never_crosses_it_in_clear(
    sandbox: SandboxFixture, tls_front: tuple[Relay, Path], tmp_path: Path
) -> None:
    front, ca_bundle = tls_front
    with forward_proxy(tmp_path) as proxy_port:
        recorder = Relay(("127.0.0.1", proxy_port))
        try:
            done = publish(
                tmp_path,
                f"https://127.0.0.1:{front.port}",
                {"HTTPS_PROXY": f"http://127.0.0.1:{recorder.port}"},
                "--ca-bundle",
                str(ca_bundle),
                "-vv",
            )
        finally:
            recorder.close()
    assert done.returncode == 0, done.stderr
    sent = bytes(recorder.received)
    assert sent.startswith(f"CONNECT 127.0.0.1:{front.port} HTTP/1.1\r\n".encode())
    assert KEY.encode() not in sent  # inside TLS the proxy cannot read
    assert b"X-Api-Key" not in sent and b"x-api-key" not in sent
    assert front.connections >= 1
    assert sandbox.state()["packages"]["acme/staging"]["completed"] == 1


@pytest.mark.e2e
def test_no_proxy_sends_the_host_past_the_proxy(
    sandbox: SandboxFixture, tls_front: tuple[Relay, Path], tmp_path: Path
) -> None:
    front, ca_bundle = tls_front
    with forward_proxy(tmp_path) as proxy_port:
        recorder = Relay(("127.0.0.1", proxy_port))
        try:
            done = publish(
                tmp_path,
                f"https://127.0.0.1:{front.port}",
                {"HTTPS_PROXY": f"http://127.0.0.1:{recorder.port}", "NO_PROXY": "127.0.0.1"},
                "--ca-bundle",
                str(ca_bundle),
            )
        finally:
            recorder.close()
    assert done.returncode == 0, done.stderr
    assert recorder.connections == 0 and not recorder.received
    assert front.connections >= 1


@pytest.mark.e2e
def test_proxy_flag_forwards_plain_http_with_its_credentials_kept_out_of_every_line(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    with forward_proxy(tmp_path, "user", PROXY_PASSWORD) as proxy_port:
        good = publish(
            tmp_path,
            sandbox.url,
            {},
            "--proxy",
            f"http://user:{PROXY_PASSWORD}@127.0.0.1:{proxy_port}",
            "--debug",
        )
        wrong = publish(
            tmp_path,
            sandbox.url,
            {"CLOUDSMITH_PROXY": f"http://user:wrong-{PROXY_PASSWORD}@127.0.0.1:{proxy_port}"},
        )
    assert good.returncode == 0, good.stderr
    assert sandbox.state()["packages"]["acme/staging"]["completed"] == 1
    assert PROXY_PASSWORD not in good.stdout + good.stderr
    assert wrong.returncode == 2, wrong.stderr
    [line] = error_lines(wrong.stderr)
    assert "407 Proxy Authentication Required" in line and "http://user:****@127.0.0.1" in line
    assert PROXY_PASSWORD not in wrong.stderr and "Traceback" not in wrong.stderr


def test_every_socket_wait_through_a_proxy_ends_at_the_request_deadline(tmp_path: Path) -> None:
    silent = Relay(None)  # takes the CONNECT and never answers it
    try:
        with (
            CloudsmithClient(
                "https://api.cloudsmith.example",
                KEY,
                policy=RetryPolicy(max_attempts=1, request_timeout=0.5),
                proxy=f"http://127.0.0.1:{silent.port}",
                environ={},
            ) as client,
            pytest.raises(TransportError) as caught,
        ):
            client.user_self()
    finally:
        silent.close()
    message = str(caught.value)
    assert "did not finish within the 0.5 s deadline" in message
    assert f"through the proxy http://127.0.0.1:{silent.port}" in message
