"""The ``cloudsmith_sandbox`` pytest fixtures, for pubsmith's tests and for plugin authors.

Registered as the ``pubsmith_sandbox`` pytest11 entry point, so installing this
distribution is enough. Loading it imports nothing heavy: the server, SQLite and the
Cloudsmith bindings are imported when a test first asks for a sandbox.

``cloudsmith_sandbox`` is a fresh sandbox for one test; ``cloudsmith_sandbox_factory``
starts as many as a test needs (to run two at once, or to restart one on the same data).
Both take their settings from the ``cloudsmith_sandbox`` marker, on the test, its class or
its module (the nearest setting wins), and the factory's keyword arguments override it::

    @pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/prod"], clock="manual")
    def test_promote(cloudsmith_sandbox):
        ...
        cloudsmith_sandbox.clock.advance(5)  # five seconds of processing, at once

Settings: ``repos`` (``OWNER/REPO`` strings, default ``acme/sandbox``), ``api_key``
(default ``sandbox-key``; ``None`` accepts any non-empty key), ``sync_seconds`` (how long
processing takes, default 0.05), ``faults`` (a :class:`~pubsmith_sandbox.Faults` or a
mapping of its fields), ``clock`` (``"real"``, ``"manual"`` or a
:class:`~pubsmith_sandbox.Clock`: one object, shared by every test the marker applies to;
``"manual"`` gives each sandbox a fresh one), ``oidc_key_seconds``, ``upload_url_seconds``,
and for the factory ``data_dir``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pubsmith_sandbox.clock import Clock, clock_named
from pubsmith_sandbox.config import Faults, SandboxConfig
from pubsmith_sandbox.errors import SandboxConfigError

if TYPE_CHECKING:
    from pubsmith_sandbox.runner import Sandbox

__all__ = [
    "API_KEY",
    "MARKER",
    "SandboxFactory",
    "SandboxFixture",
    "cloudsmith_sandbox",
    "cloudsmith_sandbox_factory",
]

OWNER = "acme"
REPO = "sandbox"
API_KEY = "sandbox-key"
MARKER = "cloudsmith_sandbox"

_DEFAULTS: dict[str, Any] = {
    "repos": (f"{OWNER}/{REPO}",),
    "api_key": API_KEY,
    # Long enough that a client sees a package processing, short enough for a quick test.
    "sync_seconds": 0.05,
    "faults": None,
    "clock": "real",
    "oidc_key_seconds": SandboxConfig.oidc_key_seconds,
    "upload_url_seconds": SandboxConfig.upload_url_seconds,
    "data_dir": None,
}


@dataclass(frozen=True)
class SandboxFixture:
    """A running sandbox at ``url`` serving ``repos``; ``api_key`` is a key it accepts.

    ``owner``, ``repo`` and ``repo_slug`` name the first repository.
    """

    url: str
    api_key: str
    repos: tuple[str, ...]
    data_dir: Path
    sandbox: Sandbox

    @property
    def owner(self) -> str:
        return self.repo_slug.partition("/")[0]

    @property
    def repo(self) -> str:
        return self.repo_slug.partition("/")[2]

    @property
    def repo_slug(self) -> str:
        return self.repos[0]

    @property
    def clock(self) -> Clock:
        """The sandbox's clock: ``clock.advance(seconds)`` when it runs on a manual one."""
        return self.sandbox.clock

    def state(self) -> dict[str, Any]:
        """Request counts, packages by status, uploads, credentials seen, faults injected."""
        return self.sandbox.state()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Switch faults on or off (``error_rate=0.5``, ``rate_limit=3``, ...) while running."""
        return self.sandbox.configure(**changes)

    def mint_oidc_token(
        self, subject: str = "sandbox-test", expires_in: float = 300.0, **claims: Any
    ) -> str:
        """A JWT from the sandbox's own OIDC issuer, for ``POST /openid/{owner}/``."""
        return self.sandbox.mint_oidc_token(subject, expires_in, **claims)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Return once every request sent to the sandbox so far has ended."""
        self.sandbox.wait_idle(timeout)

    def close(self) -> None:
        """Stop the sandbox now rather than after the test (to restart it on its data)."""
        self.sandbox.close()


SandboxFactory = Callable[..., SandboxFixture]
"""``cloudsmith_sandbox_factory``: call it with settings to start one more sandbox."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): settings of the cloudsmith_sandbox fixtures: repos, api_key, "
        "sync_seconds, faults, clock ('real' or 'manual'), oidc_key_seconds, "
        "upload_url_seconds",
    )


@pytest.fixture
def cloudsmith_sandbox_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[SandboxFactory]:
    """Starts sandboxes set up by the marker and its arguments; all stop after the test."""
    from pubsmith_sandbox.runner import Sandbox

    marked = _marked_settings(request.node)
    started: list[Sandbox] = []

    def start(**settings: Any) -> SandboxFixture:
        chosen = {**_DEFAULTS, **marked, **_checked(settings, "cloudsmith_sandbox_factory()")}
        name = "cloudsmith-sandbox" + (f"-{len(started) + 1}" if started else "")
        data_dir = Path(chosen["data_dir"] or tmp_path / name)
        try:
            config = _config(chosen, data_dir)
            sandbox = Sandbox(config)
        except SandboxConfigError as exc:
            problem = f"cloudsmith_sandbox: {exc}"
        else:
            started.append(sandbox)
            sandbox.start()
            key = config.api_key or API_KEY
            return SandboxFixture(sandbox.url, key, config.repos, data_dir, sandbox)
        pytest.fail(problem, pytrace=False)  # outside the except: no chained traceback

    try:
        yield start
    finally:
        for sandbox in reversed(started):
            sandbox.close()


@pytest.fixture
def cloudsmith_sandbox(cloudsmith_sandbox_factory: SandboxFactory) -> SandboxFixture:
    """A fresh sandbox for one test: by default repository acme/sandbox, key ``sandbox-key``."""
    return cloudsmith_sandbox_factory()


def _marked_settings(node: pytest.Item) -> dict[str, Any]:
    """The marker's settings, the nearest marker's winning setting by setting."""
    settings: dict[str, Any] = {}
    for mark in reversed(list(node.iter_markers(MARKER))):  # farthest first
        if mark.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes settings by name, as in "
                f"@pytest.mark.{MARKER}(sync_seconds=0), not {mark.args!r}",
                pytrace=False,
            )
        settings.update(_checked(mark.kwargs, f"@pytest.mark.{MARKER}"))
    return settings


def _checked(settings: Mapping[str, Any], where: str) -> dict[str, Any]:
    unknown = sorted(set(settings) - set(_DEFAULTS))
    if unknown:
        pytest.fail(
            f"{where}: unknown setting {', '.join(unknown)}; known: {', '.join(sorted(_DEFAULTS))}",
            pytrace=False,
        )
    return dict(settings)


def _config(settings: Mapping[str, Any], data_dir: Path) -> SandboxConfig:
    faults = settings["faults"]
    if faults is None:
        faults = Faults()
    elif isinstance(faults, Mapping):
        faults = Faults().updated(faults)
    elif not isinstance(faults, Faults):
        raise SandboxConfigError(f"faults is a Faults or a mapping of its fields, not {faults!r}")
    clock = settings["clock"]
    if isinstance(clock, str):
        clock = clock_named(clock)
    elif not isinstance(clock, Clock):
        raise SandboxConfigError(f"clock is 'real', 'manual' or a Clock, not {clock!r}")
    repos = settings["repos"]
    if isinstance(repos, str):
        raise SandboxConfigError(f"repos is a list of OWNER/REPO strings, as in [{repos!r}]")
    return SandboxConfig(
        data_dir=data_dir,
        repos=tuple(repos),
        api_key=settings["api_key"],
        sync_seconds=settings["sync_seconds"],
        faults=faults,
        clock=clock,
        oidc_key_seconds=settings["oidc_key_seconds"],
        upload_url_seconds=settings["upload_url_seconds"],
    )
