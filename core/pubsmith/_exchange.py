"""One request with its retries, logging and mapping of failures to pubsmith errors.

This is the single place where the API key is put on a request, where ``httpx`` errors
become :mod:`pubsmith.errors`, where the retry loop runs, and where each attempt is held
to its :class:`~pubsmith._deadline.Deadline`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from pubsmith._answers import explain, loggable_headers, loggable_url, one_line
from pubsmith._bodies import FileBody
from pubsmith._deadline import Deadline, active, timed
from pubsmith._proxy import redact_proxy_url
from pubsmith._urls import Origin, check_key_target, origin
from pubsmith._version import __version__
from pubsmith.errors import (
    AmbiguousResultError,
    ApiError,
    AuthenticationError,
    ConfigError,
    NotFoundError,
    PubsmithError,
    RateLimitedError,
    ServerError,
    TransportError,
    UploadError,
    ValidationError,
)
from pubsmith.events import EventSink, Retrying, Throttled
from pubsmith.retry import Attempts, RateLimiter, RetryPolicy, never_reached_server
from pubsmith.secret import Secret, redact

__all__ = ["USER_AGENT", "Call", "Exchange"]

log = logging.getLogger("pubsmith.http")

USER_AGENT = f"pubsmith/{__version__}"
MAX_ANSWER = 32 * 1024 * 1024
_KEY_HINT = "check CLOUDSMITH_API_KEY / --api-key: the key is wrong, expired or lacks permission"
_MAYBE_DONE = "it may have taken effect, so it was not repeated: check before sending it again"
_TIMEOUT_WHILE = {
    httpx.ConnectTimeout: "connecting to",
    httpx.ReadTimeout: "waiting for the answer from",
    httpx.WriteTimeout: "sending to",
    httpx.PoolTimeout: "waiting for a free connection to",
}


@dataclass
class Call:
    """What to send. ``api`` calls get JSON and API error classes; others are uploads."""

    method: str
    url: httpx.URL
    operation: str
    idempotent: bool = True
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    body: FileBody | None = None
    with_key: bool = True
    api: bool = True
    not_found_hint: str = ""
    done_on_retry: frozenset[int] = frozenset()
    """Statuses that, after an attempt whose outcome is unknown, mean it did the job
    (a 404 when deleting again, a refusal to complete an upload twice)."""
    sent_before: bool = False
    """An earlier run may have sent this already (resuming after a kill): ``done_on_retry``
    applies from the first attempt."""
    log_body: bool = True
    """False when the JSON body carries a credential (an OIDC token): never logged."""


class Exchange:
    """Sends :class:`Call` s for a client: one origin, one key, one policy."""

    def __init__(
        self,
        http: Callable[[], httpx.Client],
        key: Secret | None,
        api_origin: Origin,
        policy: RetryPolicy,
        limiter: RateLimiter,
        on_event: EventSink | None = None,
        proxy_for: Callable[[httpx.URL], httpx.URL | None] | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self._http = http
        self._proxy_for = proxy_for
        self._secrets = [secret for secret in secrets if secret]
        """Other credentials no message may show (a proxy's password)."""
        self._key = key
        self._origin = api_origin
        self.policy = policy
        self.limiter = limiter
        self.on_event = on_event
        """Told of retries and rate-limit pauses before each wait starts."""

    def json(self, call: Call) -> Any:
        return self.json_with_headers(call)[1]

    def json_with_headers(self, call: Call) -> tuple[httpx.Response, Any]:
        response, content = self.send(call)
        if not response.is_success or response.status_code == 204 or not content.strip():
            return response, None
        try:
            return response, json.loads(content)
        except ValueError:
            detail, _ = explain(response, content)
            raise ServerError(
                response.status_code, self._redact(detail), operation=call.operation
            ) from None

    def send(self, call: Call) -> tuple[httpx.Response, bytes]:
        """The answer and its body, after retries; raises a pubsmith error otherwise."""
        paced = origin(call.url) == self._origin
        attempts = self.policy.attempts()
        maybe_done = call.sent_before  # an earlier attempt may have been processed
        while True:
            if paced:
                self.limiter.acquire(before=self._throttled)
            started = time.monotonic()
            deadline = Deadline(
                self.policy.clock,
                self.policy.request_timeout,
                sending=call.body.content_length if call.body is not None else 0,
                rate=self.policy.min_send_rate,
            )
            try:
                response, content = self._send_once(call, deadline)
            except httpx.TransportError as exc:
                reason = self._redact(one_line(f"{type(exc).__name__}: {exc}"))
                log.info(
                    "%s %s -> %s (%.2f s)",
                    call.method,
                    loggable_url(call.url),
                    reason,
                    time.monotonic() - started,
                )
                if self.policy.should_retry_error(exc, idempotent=call.idempotent) and self._retry(
                    call, attempts, None, type(exc).__name__
                ):
                    maybe_done = maybe_done or not never_reached_server(exc)
                    continue
                raise self._transport_error(call, exc, attempts.number, deadline) from exc
            status = response.status_code
            self._log_answer(call, response, content, started)
            if paced:
                self.limiter.observe(response.headers)
            if response.is_success or (maybe_done and status in call.done_on_retry):
                return response, content
            if self.policy.should_retry_status(
                status, response.headers, idempotent=call.idempotent
            ) and self._retry(
                call, attempts, self.policy.retry_after(response.headers), f"HTTP {status}"
            ):
                maybe_done = maybe_done or status >= 500
                continue
            raise self._status_error(call, response, content)

    def _log_answer(
        self, call: Call, response: httpx.Response, content: bytes, started: float
    ) -> None:
        log.info(
            "%s %s -> %d (%.2f s)",
            call.method,
            loggable_url(call.url),
            response.status_code,
            time.monotonic() - started,
        )
        if log.isEnabledFor(logging.DEBUG):
            log.debug("answer headers: %s", loggable_headers(response.headers.multi_items()))
            if not response.is_success:
                text = content[:4096].decode("utf-8", "replace")
                log.debug("answer body: %s", self._redact(one_line(text, 1000)))

    def _retry(self, call: Call, attempts: Attempts, retry_after: float | None, why: str) -> bool:
        number = attempts.number

        def announce(delay: float) -> None:
            if self.on_event is not None:
                self.on_event(
                    Retrying(call.operation, why, number + 1, self.policy.max_attempts, delay)
                )

        delay = attempts.wait(retry_after, before=announce)
        if delay is None:
            return False
        log.info(
            "retried %s %s after %s: waited %.1f s before attempt %d of %d",
            call.method,
            loggable_url(call.url),
            why,
            delay,
            number + 1,
            self.policy.max_attempts,
        )
        return True

    def _throttled(self, delay: float) -> None:
        log.info("rate limit nearly spent: pausing %.1f s", delay)
        if self.on_event is not None:
            self.on_event(Throttled(delay))

    def _send_once(self, call: Call, deadline: Deadline) -> tuple[httpx.Response, bytes]:
        headers = {"User-Agent": USER_AGENT, **call.headers}
        if call.api:
            headers["Accept"] = "application/json"
        if call.with_key and self._key:
            check_key_target(call.url, self._origin, call.operation)  # the last line of defence
            headers["X-Api-Key"] = self._key.reveal()
        if log.isEnabledFor(logging.DEBUG):
            # loggable_headers masks X-Api-Key (and any other credential-like header).
            log.debug(
                "%s %s headers: %s",
                call.method,
                loggable_url(call.url),
                loggable_headers(headers.items()),
            )
            if call.json is not None and call.log_body:
                log.debug("request body: %s", self._redact(one_line(json.dumps(call.json), 2000)))
        http = self._http()
        with contextlib.ExitStack() as stack:
            stack.enter_context(active(deadline))
            content: Iterator[bytes] | None = None
            if call.body is not None:
                content = timed(stack.enter_context(call.body.open()), deadline)
                headers["Content-Length"] = str(call.body.content_length)
            request = http.build_request(
                call.method, call.url, json=call.json, content=content, headers=headers
            )
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                return response, _read_capped(response, deadline)
            finally:
                response.close()

    def _redact(self, text: str | None) -> str | None:
        if not text:
            return text
        return redact(text, [self._key.reveal() if self._key else "", *self._secrets])

    def _transport_error(
        self, call: Call, exc: httpx.TransportError, tries: int, deadline: Deadline
    ) -> PubsmithError:
        host = call.url.netloc.decode("ascii", "replace").rpartition("@")[2]
        reason = self._redact(one_line(str(exc) or type(exc).__name__, 120))
        proxy = self._proxy_for(call.url) if self._proxy_for is not None else None
        if proxy is not None:
            host += f" through the proxy {redact_proxy_url(str(proxy))}"
        if isinstance(exc, httpx.ProxyError) and (reason or "").startswith("407"):
            return self._proxy_refused(call)
        if isinstance(exc, httpx.ProxyError):
            what = f"the proxy refused the connection to {host} ({reason})"
            fix = "check --proxy, HTTPS_PROXY and NO_PROXY"
        elif isinstance(exc, httpx.TimeoutException) and deadline.remaining() <= 0:
            what = f"{host} did not finish within the {deadline.allowed} s deadline"
            fix = "check the network, or raise --timeout for a slow one"
        elif isinstance(exc, httpx.TimeoutException):
            what = f"timed out {_TIMEOUT_WHILE.get(type(exc), 'talking to')} {host}"
            fix = "check the network or try again later"
        elif isinstance(exc, httpx.ConnectError) and any(
            word in (reason or "").upper() for word in ("CERTIFICATE", "SSL", "TLS")
        ):
            what = f"TLS verification of {host} failed ({reason})"
            fix = "if it uses a private CA, pass --ca-bundle with its certificate"
        elif isinstance(exc, httpx.ConnectError):
            what = f"cannot connect to {host} ({reason})"
            fix = (
                "check the proxy (--proxy, HTTPS_PROXY, NO_PROXY) and the network"
                if proxy is not None
                else "check --api-url and the network; behind a proxy, set HTTPS_PROXY or --proxy"
            )
        else:
            what = f"connection to {host} failed ({type(exc).__name__}: {reason})"
            fix = "try again later"
        if not call.idempotent and not never_reached_server(exc):
            return AmbiguousResultError(f"{call.operation}: {what}; {_MAYBE_DONE}")
        after = f" (after {tries} attempts)" if tries > 1 else ""
        return TransportError(f"{call.operation}: {what}{after}; {fix}")

    def _proxy_refused(self, call: Call) -> PubsmithError:
        proxy = self._proxy_for(call.url) if self._proxy_for is not None else None
        shown = redact_proxy_url(str(proxy)) if proxy is not None else "the proxy"
        return ConfigError(
            f"{call.operation}: {shown} refused its credentials (HTTP 407 Proxy Authentication "
            "Required); check the user and password in --proxy, HTTPS_PROXY or HTTP_PROXY"
        )

    def _status_error(self, call: Call, response: httpx.Response, content: bytes) -> PubsmithError:
        status = response.status_code
        if status == 407:  # a forward proxy's answer, not the server's
            return self._proxy_refused(call)
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("location", "")).hostname
            return ServerError(
                status,
                f"redirected to {target or 'an unknown address'}; redirects are not followed "
                f"so the API key stays with {self._origin[1]}",
                operation=call.operation,
                hint="set --api-url to the address that answers directly",
            )
        detail, fields = explain(response, content)
        detail = self._redact(detail)
        fields = {key: [self._redact(m) or "" for m in msgs] for key, msgs in fields.items()}
        keyed = call.with_key and status in (401, 403)
        if not call.api and not keyed and status != 429 and status < 500:
            return UploadError(
                f"{call.operation} failed (HTTP {status}): {detail}; "
                "the upload URL may have expired: publish again"
            )
        kind: type[ApiError] = ApiError
        hint = ""
        if status in (401, 403):
            kind, hint = AuthenticationError, _KEY_HINT
        elif status == 404:
            kind, hint = NotFoundError, call.not_found_hint
        elif status in (400, 422):
            kind = ValidationError
        elif status == 429:
            kind, hint = RateLimitedError, "try again later or lower --concurrency"
        elif status >= 500:
            kind, hint = ServerError, "the service is failing: try again later"
        ambiguous = (
            not call.idempotent
            and status >= 500
            and not (status == 503 and "retry-after" in response.headers)
        )
        if ambiguous:
            error = kind(status, detail, fields, operation=call.operation)
            return AmbiguousResultError(f"{error}; {_MAYBE_DONE}", status_code=status)
        return kind(status, detail, fields, operation=call.operation, hint=hint)


def _read_capped(response: httpx.Response, deadline: Deadline) -> bytes:
    # A runaway answer is cut rather than held in memory; what is kept still explains it.
    # One that trickles in ends at the deadline, however steadily it trickles.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        deadline.check()
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ANSWER:
            break
    return b"".join(chunks)
