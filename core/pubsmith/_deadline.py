"""One attempt of a request over by a deadline: connected, sent and answered in full.

httpx's timeouts bound each socket operation, so a server that trickles its answer a byte
at a time, each within the read timeout, holds a request forever. A :class:`Deadline`
bounds the whole attempt. :class:`~pubsmith._exchange.Exchange` checks it between the
chunks it sends and reads, and makes it the current deadline of its thread while the
attempt runs, so that :class:`DeadlineBackend` (the network layer of pubsmith's own
transports) never lets one socket wait, headers included, run past it.
"""

from __future__ import annotations

import contextlib
import threading
import typing
from collections.abc import Callable, Iterable, Iterator

import httpcore
import httpx

__all__ = ["Deadline", "DeadlineBackend", "active", "timed"]

Clock = Callable[[], float]


class Deadline:
    """When one attempt must be over, on ``clock``.

    An attempt that sends a body of ``sending`` bytes gets ``seconds`` plus the time that
    body takes at ``rate`` bytes a second to send it; once the body is sent
    (:meth:`sent`), the answer has ``seconds`` from then to arrive whole.
    """

    def __init__(self, clock: Clock, seconds: float, *, sending: int = 0, rate: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.started = clock()
        self.at = self.started + seconds + sending / rate

    @property
    def allowed(self) -> str:
        """Seconds from the start of the attempt to the deadline, for a message."""
        return f"{self.at - self.started:.1f}".removesuffix(".0")

    def remaining(self) -> float:
        return self.at - self.clock()

    def sent(self) -> None:
        self.at = self.clock() + self.seconds

    def check(self, error: type[httpx.TimeoutException] = httpx.ReadTimeout) -> None:
        """Raise ``error`` (an httpx timeout, retried as one) once the deadline has passed."""
        if self.remaining() <= 0:
            raise error(f"no complete answer within {self.allowed} s")


def timed(chunks: Iterable[bytes], deadline: Deadline) -> Iterator[bytes]:
    """``chunks`` as a request body that stops at ``deadline`` and marks when it is sent."""
    for chunk in chunks:
        deadline.check(httpx.WriteTimeout)
        yield chunk
    deadline.sent()


_current = threading.local()


@contextlib.contextmanager
def active(deadline: Deadline) -> Iterator[None]:
    """Make ``deadline`` the one this thread's sockets wait by (httpx's sync I/O runs on
    the calling thread) for the duration of the block."""
    previous = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = previous


def _bounded(timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        raise error(f"no complete answer within {deadline.allowed} s")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        secure = self._stream.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _Stream(secure)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, whose every wait ends by the current :class:`Deadline`."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            _bounded(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _Stream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
