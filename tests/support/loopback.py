"""A tiny HTTP server on loopback whose every answer a test decides, recording what it saw.

It plays the misbehaving parts of the world the sandbox does not: a server answering HTML or
broken JSON, a host a redirect points to, a proxy that loses one particular answer.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.http_clients import http_client

__all__ = ["Answer", "LoopbackServer", "Seen", "forwarding", "serving"]

Answer = tuple[int, Mapping[str, str], bytes] | None
"""Status, headers and body to send; None resets the connection without an answer."""

_HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, answer: Callable[[Seen], Answer], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.host = host
        super().__init__((host, port), _Handler)
        self.url = f"http://{host}:{self.server_address[1]}"

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        super(ThreadingHTTPServer, self).server_bind()  # type: ignore[misc]
        self.server_name, self.server_port = self.host, self.server_address[1]

    def with_key(self, key: str) -> list[Seen]:
        """Requests that carried ``key`` in any header."""
        return [seen for seen in self.seen if any(key in value for value in seen.headers.values())]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        with self.server.lock:
            self.server.seen.append(seen)
        answer = self.server.answer(seen)
        if answer is None:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        status, headers, content = answer
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(
    answer: Callable[[Seen], Answer], host: str = "127.0.0.1", port: int = 0
) -> Iterator[LoopbackServer]:
    """A server on ``host`` (any loopback address) and ``port`` (0: a free one)."""
    server = LoopbackServer(answer, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def forwarding(
    target: str,
    drop: Callable[[Seen], bool] = lambda seen: False,
    rewrite: Callable[[Seen, bytes], bytes] | None = None,
) -> Iterator[LoopbackServer]:
    """A proxy to ``target`` that does the work but loses the answer when ``drop`` says so,
    and passes each answer's body through ``rewrite`` when given."""
    with http_client(base_url=target, follow_redirects=False, timeout=60) as upstream:

        def answer(seen: Seen) -> Answer:
            headers = {k: v for k, v in seen.headers.items() if k not in _HOP_BY_HOP}
            response = upstream.request(seen.method, seen.path, headers=headers, content=seen.body)
            if drop(seen):
                return None
            content = rewrite(seen, response.content) if rewrite else response.content
            return response.status_code, dict(response.headers), content

        with serving(answer) as server:
            yield server
