"""Settings of a sandbox: what it serves, where it keeps its state, which faults it injects.

Kept free of heavy imports: the pytest plugin imports this module when pytest starts.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.errors import SandboxConfigError

__all__ = ["DEFAULT_REPO", "SLUG", "Faults", "SandboxConfig", "parse_repo"]

DEFAULT_REPO = "acme/sandbox"

# An owner or repository slug on the command line.
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RATES = ("error_rate", "reset_before_rate", "reset_after_rate", "fail_processing_rate")


def parse_repo(text: str) -> tuple[str, str]:
    """Split ``OWNER/REPO`` into its two slugs."""
    owner, sep, repo = text.partition("/")
    if not sep or not SLUG.match(owner) or not SLUG.match(repo):
        raise SandboxConfigError(
            f"repository {text!r} is not OWNER/REPO; write it as, for example, {DEFAULT_REPO}"
        )
    return owner, repo


@dataclass(frozen=True)
class Faults:
    """Faults the sandbox injects into API and upload requests; all off by default.

    Rates are fractions of requests (0 to 1), drawn from one RNG seeded with ``seed`` so a
    run repeats itself. ``rate_limit`` requests are allowed per ``rate_interval`` seconds
    (``None``: no limit, though the rate-limit headers are still sent). Packages whose name
    or filename matches a ``fail_processing`` glob always fail processing. ``bandwidth``
    (MiB a second; ``None``: unlimited) is shared by every upload body, as a real link is.
    """

    error_rate: float = 0.0
    reset_before_rate: float = 0.0
    reset_after_rate: float = 0.0
    latency_ms: int = 0
    rate_limit: int | None = None
    rate_interval: float = 3600.0
    fail_processing_rate: float = 0.0
    fail_processing: tuple[str, ...] = ()
    seed: int | None = None
    bandwidth: float | None = None

    def __post_init__(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if not _is_number(value) or not 0.0 <= value <= 1.0:
                raise SandboxConfigError(
                    f"fault {name} must be a number from 0 to 1, not {value!r}"
                )
        if not _is_int(self.latency_ms) or self.latency_ms < 0:
            raise SandboxConfigError(
                f"latency_ms must be a whole number >= 0, not {self.latency_ms!r}"
            )
        if self.rate_limit is not None and (not _is_int(self.rate_limit) or self.rate_limit < 1):
            raise SandboxConfigError(
                f"rate_limit must be a whole number >= 1 (or null: none), not {self.rate_limit!r}"
            )
        if not _is_number(self.rate_interval) or self.rate_interval <= 0:
            raise SandboxConfigError(
                f"rate_interval must be seconds > 0, not {self.rate_interval!r}"
            )
        if not all(isinstance(glob, str) and glob for glob in self.fail_processing):
            raise SandboxConfigError("fail_processing must be a list of non-empty name globs")
        if self.seed is not None and not _is_int(self.seed):
            raise SandboxConfigError(f"seed must be a whole number, not {self.seed!r}")
        if self.bandwidth is not None and (not _is_number(self.bandwidth) or self.bandwidth <= 0):
            raise SandboxConfigError(
                f"bandwidth must be MiB a second > 0 (or null: unlimited), not {self.bandwidth!r}"
            )

    def updated(self, changes: Mapping[str, Any]) -> Faults:
        """A copy with ``changes`` applied; raises naming any unknown or invalid field."""
        known = {item.name for item in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise SandboxConfigError(
                f"unknown fault setting {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values = dict(changes)
        globs = values.get("fail_processing")
        if isinstance(globs, str):
            values["fail_processing"] = (globs,)
        elif isinstance(globs, list):
            values["fail_processing"] = tuple(globs)
        return dataclasses.replace(self, **values)

    def as_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["fail_processing"] = list(self.fail_processing)
        return values


@dataclass(frozen=True)
class SandboxConfig:
    """How to run a sandbox.

    ``data_dir`` holds the SQLite database and the uploaded files; a restart with the same
    directory keeps everything. ``None`` uses a temporary directory removed on close.
    ``api_key`` ``None`` accepts any non-empty key. ``port`` 0 picks a free port.
    ``clock`` is the system's unless a test passes a :class:`~pubsmith_sandbox.ManualClock`.
    """

    data_dir: Path | None = None
    repos: tuple[str, ...] = (DEFAULT_REPO,)
    api_key: str | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = 0
    sync_seconds: float = 0.5
    faults: Faults = field(default_factory=Faults)
    oidc_key_seconds: float = 3600.0
    upload_url_seconds: float = 3600.0
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        if isinstance(self.repos, str):
            raise SandboxConfigError("repos must be a list of OWNER/REPO strings, not one string")
        if not self.repos:
            raise SandboxConfigError(
                f"a sandbox needs at least one repository, such as {DEFAULT_REPO}"
            )
        for repo in self.repos:
            parse_repo(repo)
        if self.api_key is not None and not self.api_key.strip():
            raise SandboxConfigError(
                "the sandbox API key must not be blank; omit it to accept any key"
            )
        if not _is_number(self.sync_seconds) or self.sync_seconds < 0:
            raise SandboxConfigError(f"sync_seconds must be >= 0, not {self.sync_seconds!r}")
        if not _is_int(self.port) or not 0 <= self.port <= 65535:
            raise SandboxConfigError(f"port must be 0 to 65535, not {self.port!r}")
        if not isinstance(self.clock, Clock):
            raise SandboxConfigError(f"clock must be a pubsmith_sandbox Clock, not {self.clock!r}")

    @property
    def repo_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(parse_repo(repo) for repo in self.repos)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
