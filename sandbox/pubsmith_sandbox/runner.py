"""Run a sandbox in this process: the server in a thread, for tests, benchmarks and the CLI."""

from __future__ import annotations

import http.client
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pubsmith_sandbox.app import SandboxApp
from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.config import SandboxConfig
from pubsmith_sandbox.errors import SandboxConfigError, SandboxError
from pubsmith_sandbox.server import SandboxServer

__all__ = ["Sandbox", "running_sandbox"]

_PROBE_SECONDS = 30.0


class Sandbox:
    """A sandbox serving at :attr:`url` (no trailing slash) until :meth:`close`.

    Prefer :func:`running_sandbox`, which starts and closes it.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if self.config.data_dir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="pubsmith-sandbox-")
            self.data_dir = Path(self._tempdir.name)
        else:
            self.data_dir = Path(self.config.data_dir)
        try:
            self._app = SandboxApp(self.config, self.data_dir)
        except BaseException:
            self._cleanup()
            raise
        address = (self.config.host, self.config.port)
        try:
            self._server = SandboxServer(address, self._app)
        except OSError as exc:
            self._app.close()
            self._cleanup()
            raise SandboxConfigError(
                f"the sandbox cannot listen on {address[0]}:{address[1]} ({exc.strerror}); "
                "pick another port, or 0 for a free one"
            ) from None
        self.url = self._server.root
        self._closed = False
        # How long close() may wait for the serving loop to notice: tests start and stop
        # hundreds of sandboxes, and an idle loop waking 100 times a second costs nothing.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="sandbox-http",
            daemon=True,
        )

    def start(self) -> None:
        self._app.start()
        self._thread.start()

    def close(self) -> None:
        """Stop serving and release everything; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._app.close()
        self._cleanup()

    def state(self) -> dict[str, Any]:
        """What ``GET /_sandbox/state`` answers."""
        return self._app.state()

    @property
    def clock(self) -> Clock:
        """The sandbox's clock; ``clock.advance(seconds)`` when it is a manual one."""
        return self._app.clock

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change fault settings (or ``sync_seconds``) while running; returns all settings."""
        return self._app.configure(changes)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Return once every request sent so far has ended, queued connections included.

        For reading what a client sent before it was killed: its last requests end, with
        whatever they had received counted, soon after it dies, but not at once.
        """
        # The kernel queues connections first in, first out, and each is counted as it is
        # accepted: once a request of our own is answered, every earlier one is counted.
        host, port = self._server.server_address[:2]
        # ``timeout`` is for the others to end; answering this probe is the sandbox's own.
        probe = http.client.HTTPConnection(str(host), int(port), timeout=_PROBE_SECONDS)
        try:
            probe.request("GET", "/_sandbox/config/", headers={"Connection": "close"})
            probe.getresponse().read()
        finally:
            probe.close()
        if not self._server.wait_idle(timeout):
            raise SandboxError(f"requests to the sandbox were still open after {timeout:g} s")

    def mint_oidc_token(
        self, subject: str = "sandbox-test", expires_in: float = 300.0, **claims: Any
    ) -> str:
        """A JWT from the sandbox's own OIDC issuer, for ``POST /openid/{org}/``."""
        return self._app.mint_oidc_token(self.url, subject, expires_in, **claims)

    def _cleanup(self) -> None:
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None


@contextmanager
def running_sandbox(config: SandboxConfig | None = None) -> Iterator[Sandbox]:
    """Serve a sandbox for the duration of the ``with`` block."""
    sandbox = Sandbox(config)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.close()
