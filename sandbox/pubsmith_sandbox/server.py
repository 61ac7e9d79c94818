"""HTTP/1.1 on the standard library: keep-alive, streamed bodies, and faults on the wire.

Each request is routed, counted, then put through its fault plan: latency, the rate-limit
budget, a reset before any work, an injected 5xx, the work itself, a reset after it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import socketserver
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pubsmith_sandbox.app import SandboxApp
from pubsmith_sandbox.bodies import BodyReader
from pubsmith_sandbox.errors import HttpError, ServerFault, Throttled
from pubsmith_sandbox.protocol import HtmlPage, Request, Response, Route, error_response
from pubsmith_sandbox.ratelimit import RateStatus

__all__ = ["SandboxServer"]

_log = logging.getLogger(__name__)
_DRAIN_LIMIT = 16 * 1024 * 1024
_ERROR_DETAIL = {
    500: "A server error occurred (sandbox fault injected).",
    502: "Bad gateway (sandbox fault injected).",
    503: "Service temporarily unavailable (sandbox fault injected).",
}


class SandboxServer(ThreadingHTTPServer):
    """Serves one :class:`SandboxApp` on ``address``; ``root`` is its base URL."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._resetting: set[socket.socket] = set()
        self._active = 0
        self._idle = threading.Condition()
        super().__init__(address, _Handler)
        host, port = self.server_address[:2]
        self.root = f"http://{host!s}:{port}"

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        # Counted here, as it is accepted, not when its thread starts: once a later
        # connection is answered, every earlier one is counted (see wait_idle).
        with self._idle:
            self._active += 1
            self._connections.add(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._forget(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._forget(request)

    def _forget(self, request: Any) -> None:
        with self._idle:
            self._active -= 1
            self._connections.discard(request)
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Whether every connection accepted so far closed within ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout=timeout)

    def shutdown_request(self, request: Any) -> None:
        if request in self._resetting:
            # No FIN first: closing with SO_LINGER 0 is a plain connection reset.
            self._resetting.discard(request)
            request.close()
            return
        super().shutdown_request(request)

    def reset_later(self, connection: socket.socket) -> None:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._resetting.add(connection)

    def server_close(self) -> None:
        """Stop listening, end open keep-alive connections and wait for their threads."""
        super().server_close()
        with self._idle:
            for connection in list(self._connections):
                with contextlib.suppress(OSError):  # already gone
                    connection.shutdown(socket.SHUT_RDWR)
            self._idle.wait_for(lambda: self._active == 0, timeout=10)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pubsmith-sandbox"
    timeout = 120
    # Small answers must not wait for the client's delayed ACK (a 40 ms stall per request).
    disable_nagle_algorithm = True
    server: SandboxServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug(format, *args)

    def _serve(self) -> None:
        app = self.server.app
        request = self._request()
        if request is None:
            return
        try:
            route, request.params = app.router.match(request.method, request.path)
        except HttpError as exc:
            self._send(request, error_response(exc))
            return
        if route.control:
            self._send(request, self._call(route, request))
            return
        operation = route.operation_for(request.params)
        app.count_request(operation)
        try:
            self._respond(route, request, operation)
        finally:
            app.count_received(operation, request.body.received)

    def _respond(self, route: Route, request: Request, operation: str) -> None:
        app = self.server.app
        plan = app.faults.plan()
        if plan.latency:
            time.sleep(plan.latency)
        rate = app.limiter.take()
        if not rate.allowed:
            app.record_fault("rate_limited")
            wait = rate.retry_after
            throttled = Throttled(
                429, f"Request was throttled. Expected available in {wait} seconds."
            )
            self._send(request, error_response(throttled, {"Retry-After": str(wait)}), rate)
        elif plan.reset_before:
            self.server.reset_later(self.connection)
            self.close_connection = True
        elif plan.error_status is not None:
            error = ServerFault(plan.error_status, _ERROR_DETAIL[plan.error_status])
            self._send(request, error_response(error), rate)
        else:
            response = self._call(route, request)
            if plan.reset_after:
                app.count_dropped(operation)
                with contextlib.suppress(HttpError):  # the answer is dropped either way
                    request.body.drain(_DRAIN_LIMIT)
                self.server.reset_later(self.connection)
                self.close_connection = True
            else:
                self._send(request, response, rate)

    def _request(self) -> Request | None:
        url = urlsplit(self.path)
        path = re.sub(r"/{2,}", "/", url.path)
        if path == "/v1" or path.startswith("/v1/"):
            path = path[3:] or "/"
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self.send_error(400, "Bad Content-Length")
            return None
        body = BodyReader(self.rfile, length, chunked)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        return Request(self.command, path, query, self.headers, body, self.server.root)

    def _call(self, route: Route, request: Request) -> Response:
        try:
            return route.handler(request)
        except HttpError as exc:
            return error_response(exc)
        except Exception as exc:  # answer, like a real server, rather than drop the client
            _log.exception("%s %s failed", request.method, request.path)
            return error_response(ServerFault(500, f"Internal sandbox error: {exc}"))

    def _send(self, request: Request, response: Response, rate: RateStatus | None = None) -> None:
        payload, content_type = _encoded(response.body, request.flag("pretty"))
        try:
            complete = request.body.drain(_DRAIN_LIMIT)
        except HttpError:
            complete = False
        if not complete:
            self.close_connection = True
        self.send_response(response.status)
        headers = {**(rate or self.server.app.limiter.peek()).headers(), **response.headers}
        if content_type:
            headers["Content-Type"] = content_type
        if response.status != 204:
            headers["Content-Length"] = str(len(payload))
        if self.close_connection:
            headers["Connection"] = "close"
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        if not complete:
            self._linger()

    def _linger(self) -> None:
        """Close gently while the client still sends: a hard close could lose our answer."""
        self.wfile.flush()
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(2)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and self.connection.recv(1024 * 1024):
                pass
        except OSError:
            pass  # the client hung up first, which is all we wanted


def _encoded(body: Any, pretty: bool) -> tuple[bytes, str | None]:
    """A response body's bytes and content type (None for no body)."""
    if body is None:
        return b"", None
    if isinstance(body, HtmlPage):
        return body.text.encode("utf-8"), "text/html; charset=utf-8"
    return json.dumps(body, indent=2 if pretty else None).encode("utf-8"), "application/json"
