"""The sandbox's parts wired together: storage, services, faults, routes and introspection."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from email.message import Message
from pathlib import Path
from typing import Any

from pubsmith_sandbox.api_files import file_routes
from pubsmith_sandbox.api_metadata import metadata_routes
from pubsmith_sandbox.api_misc import misc_routes
from pubsmith_sandbox.api_packages import package_routes
from pubsmith_sandbox.api_repos import repo_routes
from pubsmith_sandbox.auth import CREDENTIAL_HEADERS, Authenticator
from pubsmith_sandbox.config import SandboxConfig
from pubsmith_sandbox.control import control_routes
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.errors import NotFound, SandboxConfigError
from pubsmith_sandbox.faults import FaultInjector
from pubsmith_sandbox.link import Link
from pubsmith_sandbox.metadata import MetadataStore
from pubsmith_sandbox.package_store import PackageStore
from pubsmith_sandbox.packages import PackageService
from pubsmith_sandbox.pages import page_routes
from pubsmith_sandbox.processing import Processor
from pubsmith_sandbox.protocol import Request, Router
from pubsmith_sandbox.ratelimit import RateLimiter
from pubsmith_sandbox.records import package_phase
from pubsmith_sandbox.repos import RepoService
from pubsmith_sandbox.signing import OIDC_ISSUER_PATH, Signer, fingerprint
from pubsmith_sandbox.uploads import UploadService
from pubsmith_sandbox.validation import load_models

__all__ = ["FAULT_KINDS", "SandboxApp"]

FAULT_KINDS = ("error", "reset_before", "reset_after", "latency", "rate_limited", "fail_processing")
_PHASES = ("awaiting", "in_progress", "completed", "failed")


class SandboxApp:
    def __init__(self, config: SandboxConfig, data_dir: Path) -> None:
        load_models()
        data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.data_dir = data_dir
        self.clock = config.clock
        self.db = Database(data_dir / "sandbox.sqlite3")
        self.signer = Signer(self.db.secret())
        self.auth = Authenticator(self.db, config.api_key, self.clock)
        self.uploads = UploadService(
            self.db, data_dir, self.signer, config.upload_url_seconds, self.clock
        )
        self.repos = RepoService(self.db, self.uploads, config.repo_pairs, self.clock)
        self.faults = FaultInjector(config.faults, self.record_fault)
        self.limiter = RateLimiter(
            config.faults.rate_limit, config.faults.rate_interval, self.clock.now
        )
        # Bandwidth is shaped in real time whatever the clock: it models the wire, which a
        # manual clock does not move.
        self.link = Link(config.faults.bandwidth)
        self._lock = threading.Lock()
        self._sync_seconds = config.sync_seconds
        store = PackageStore(self.db, self.clock)
        self.processor = Processor(store, self.uploads, self.faults, self.clock)
        self.packages = PackageService(
            store,
            self.uploads,
            self.repo_exists,
            lambda: self._sync_seconds,
            self.processor.wake,
            self.clock,
        )
        self.metadata = MetadataStore(self.db, self.clock)
        self.router = Router(
            [
                *misc_routes(self),
                *file_routes(self),
                *package_routes(self),
                *repo_routes(self),
                *metadata_routes(self),
                *control_routes(self),
                *page_routes(self),
            ]
        )

    def start(self) -> None:
        self.processor.start()

    def close(self) -> None:
        self.processor.stop()
        self.uploads.close()
        self.db.close()

    def repo_exists(self, owner: str, repo: str) -> bool:
        return self.repos.exists(owner, repo)

    def repo_of(self, request: Request) -> tuple[str, str]:
        """Authenticate, then the request's repository: 404 unless the sandbox serves it."""
        self.auth.authenticate(request.headers)
        owner, repo = request.params["owner"], request.params["repo"]
        if not self.repo_exists(owner, repo):
            raise NotFound(404, "Not found.")
        return owner, repo

    def count_request(self, operation: str) -> None:
        self.db.bump("requests", operation)

    def record_fault(self, kind: str) -> None:
        self.db.bump("faults", kind)

    def count_received(self, operation: str, size: int) -> None:
        """Body bytes read from a request, so tests can tell how much a client re-sent."""
        if size:
            self.db.bump("bytes_received", operation, size)

    def count_dropped(self, operation: str) -> None:
        """An answer lost to a reset after the work was done: the client cannot know."""
        self.db.bump("answers_dropped", operation)

    def record_credentials(self, endpoint: str, headers: Message) -> None:
        """Note credential headers sent where none belong, as a fingerprint, never the value."""
        seen = [
            (endpoint, name, fingerprint(value), self.clock.now())
            for name in CREDENTIAL_HEADERS
            if (value := headers.get(name))
        ]
        if seen:
            with self.db.transaction() as conn:
                conn.executemany(
                    "INSERT INTO credentials_seen (endpoint, header, fingerprint, seen_at) "
                    "VALUES (?, ?, ?, ?)",
                    seen,
                )

    def settings(self) -> dict[str, Any]:
        return {"sync_seconds": self._sync_seconds, **self.faults.faults.as_dict()}

    def configure(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change faults (and ``sync_seconds``, for packages queued from now on) live."""
        values = dict(changes)
        sync_seconds = values.pop("sync_seconds", None)
        if sync_seconds is not None and (
            not isinstance(sync_seconds, (int, float))
            or isinstance(sync_seconds, bool)
            or sync_seconds < 0
        ):
            raise SandboxConfigError(f"sync_seconds must be a number >= 0, not {sync_seconds!r}")
        faults = self.faults.faults.updated(values)
        with self._lock:
            if sync_seconds is not None:
                self._sync_seconds = float(sync_seconds)
            self.faults.configure(faults)
            self.limiter.configure(faults.rate_limit, faults.rate_interval)
            self.link.configure(faults.bandwidth)
        return self.settings()

    def state(self) -> dict[str, Any]:
        now = self.clock.now()
        packages = {
            f"{repo.owner}/{repo.slug}": dict.fromkeys(_PHASES, 0) for repo in self.repos.listed()
        }
        for record in self.packages.store.everything():
            phase, _ = package_phase(record, now)
            packages.setdefault(record.repo_slug, dict.fromkeys(_PHASES, 0))[phase] += 1
        credentials = [
            {key: row[key] for key in ("endpoint", "header", "fingerprint")}
            for row in self.db.rows("SELECT * FROM credentials_seen ORDER BY rowid")
        ]
        return {
            "requests": self.db.counters("requests"),
            "packages": dict(sorted(packages.items())),
            "uploads": self.uploads.counts(),
            "credentials_seen": credentials,
            "faults": {**dict.fromkeys(FAULT_KINDS, 0), **self.db.counters("faults")},
            "bytes_received": self.db.counters("bytes_received"),
            "answers_dropped": self.db.counters("answers_dropped"),
            "settings": self.settings(),
        }

    def mint_oidc_token(
        self, root: str, subject: str = "sandbox-test", expires_in: float = 300.0, **claims: Any
    ) -> str:
        now = int(self.clock.now())
        return self.signer.mint_jwt(
            {
                "iss": root + OIDC_ISSUER_PATH,
                "sub": subject,
                "aud": "cloudsmith",
                "iat": now,
                "exp": now + expires_in,
                **claims,
            }
        )
