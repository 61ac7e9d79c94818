"""Package processing: a background thread finishes each package when its sync time is up.

Until then a package's phase is computed from the clock (see ``records.package_phase``).
Finishing opens the stored file with the installed pubsmith format plugins, fills in name,
version, checksums and size, and settles duplicates; packages finish in the order they fell
due. On a manual clock the thread waits for the clock to be advanced, and advancing it
returns once everything then due is finished.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pubsmith import ArtifactError, PackageInfo, PluginError, PubsmithError
from pubsmith.registry import FormatRegistry
from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.errors import SandboxError
from pubsmith_sandbox.faults import FaultInjector
from pubsmith_sandbox.package_store import PackageStore
from pubsmith_sandbox.records import PackageRecord, package_phase
from pubsmith_sandbox.text import is_utf8, storable
from pubsmith_sandbox.uploads import UploadService

__all__ = ["Formats", "Processor"]

_log = logging.getLogger(__name__)

_CATCH_UP_SECONDS = 120.0
"""How long advancing a manual clock waits for processing before it gives up."""


@dataclass(frozen=True)
class Outcome:
    reason: str | None
    info: PackageInfo | None = None
    checksums: dict[str, str] = field(default_factory=dict)
    size: int | None = None


class Processor:
    def __init__(
        self, store: PackageStore, uploads: UploadService, faults: FaultInjector, clock: Clock
    ) -> None:
        self._store = store
        self._uploads = uploads
        self._faults = faults
        self._clock = clock
        self._formats = Formats()
        self._wakeup = threading.Condition()
        self._stopping = False
        self._idle = False
        """Set by the thread when nothing is due; cleared by whoever waits for it to be."""
        self._thread = threading.Thread(target=self._run, name="sandbox-processing", daemon=True)

    def start(self) -> None:
        self._clock.subscribe(self.catch_up)
        self._thread.start()

    def stop(self) -> None:
        self._clock.unsubscribe(self.catch_up)
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout=30)

    def wake(self) -> None:
        """Look again for due packages: one was queued or its timing changed."""
        with self._wakeup:
            self._wakeup.notify_all()

    def catch_up(self) -> None:
        """Return once every package due by the clock's time now has finished processing."""
        deadline = time.monotonic() + _CATCH_UP_SECONDS
        with self._wakeup:
            self._idle = False
            self._wakeup.notify_all()
            while not self._idle and not self._stopping and self._thread.is_alive():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SandboxError(
                        f"processing did not catch up with the clock in {_CATCH_UP_SECONDS:g} s"
                    )
                self._wakeup.wait(timeout=remaining)

    def _run(self) -> None:
        while True:
            with self._wakeup:
                if self._stopping:
                    return
                due = self._store.next_due()
                delay = None if due is None else due[1] - self._clock.now()
                if delay is None or delay > 0:
                    self._idle = True
                    self._wakeup.notify_all()
                    wait = None if delay is None else self._clock.real_seconds(delay)
                    self._wakeup.wait(timeout=wait)
                    continue
            assert due is not None
            try:
                self.finish(due[0])
            except Exception as exc:  # a bug here must not stop all processing
                _log.exception("processing %s failed", due[0])
                self._store.settle(due[0], None, f"Internal sandbox error: {exc}", {})

    def finish(self, slug_perm: str) -> None:
        record = self._store.by_slug_perm(slug_perm)
        if record is None or record.state != "pending":
            return
        outcome = self._examine(record)
        reason = outcome.reason or self._faults.processing_failure(
            record.name or (outcome.info.name if outcome.info else None), record.filename
        )
        values: dict[str, object] = {"size": outcome.size, **outcome.checksums}
        if outcome.info is not None:
            values["name"] = record.name or outcome.info.name
            values["version"] = record.version or outcome.info.version
        _, progress = package_phase(record, self._clock.now())
        self._store.settle(slug_perm, record.queued_at, reason, values, progress)

    def _examine(self, record: PackageRecord) -> Outcome:
        upload = self._uploads.get(record.upload)
        path = self._uploads.blob_path(upload) if upload else None
        if path is None or not path.is_file():
            return Outcome(f"{record.filename}: the uploaded file is missing.")
        with tempfile.TemporaryDirectory(prefix="sandbox-inspect-") as scratch:
            # Some formats keep metadata in a companion (nix's narinfo, a jar's pom): lay the
            # uploaded companions beside the file, and name each by its payload field.
            folder = Path(scratch)
            given: dict[str, Path] = {}
            for field_name, companion in [("package_file", path), *self._companions(record)]:
                link = folder / companion.name
                if not link.exists():
                    link.symlink_to(companion)
                given.setdefault(field_name, link)
            reason, info = self._formats.inspect(folder / path.name, record.format, given)
        if reason:
            return Outcome(reason)
        if info is not None and (problem := _not_text(info)):
            return Outcome(f"{record.filename}: {problem}")
        size, checksums = _checksums(path)
        return Outcome(None, info, checksums, size)

    def _companions(self, record: PackageRecord) -> list[tuple[str, Path]]:
        found = []
        for ref in record.files:
            upload = self._uploads.get(ref.identifier) if ref.identifier != record.upload else None
            path = self._uploads.blob_path(upload) if upload else None
            if path is not None and path.is_file():
                found.append((ref.field, path))
        return found


class Formats:
    """The installed format plugins, loaded when the first package is processed.

    ``load`` builds the registry (the installed plugins by default; tests pass their own).
    """

    def __init__(self, load: Callable[[], FormatRegistry] = FormatRegistry.load) -> None:
        self._load_registry = load
        self._lock = threading.Lock()
        self._registry: FormatRegistry | None = None

    def inspect(
        self, path: Path, format_name: str, companions: Mapping[str, Path] | None = None
    ) -> tuple[str | None, PackageInfo | None]:
        """Open ``path`` with the plugin of ``format_name``: (failure reason, what it read).

        ``companions`` maps payload fields to the files uploaded for them. A format without
        an installed plugin passes unchecked, with nothing read.
        """
        try:
            registry = self._load()
        except PubsmithError as exc:
            return f"Format plugins could not be loaded: {exc}", None
        if format_name not in registry:
            return None, None
        try:
            _, _, info = registry.inspect(path, format_name, companions=companions)
        except (ArtifactError, PluginError) as exc:  # each is one line naming the problem
            return f"{path.name}: {exc.problem}", None
        except Exception as exc:  # a third-party plugin's bug is a finding, not a crash
            problem = f"{type(exc).__name__}: {exc}"
            return f"{path.name}: the {format_name} plugin failed: {problem}", None
        return None, info

    def _load(self) -> FormatRegistry:
        with self._lock:
            if self._registry is None:
                self._registry = self._load_registry()
            return self._registry


def _not_text(info: PackageInfo) -> str | None:
    """Why a name or version read from the artifact cannot be kept: a manifest can spell a
    lone surrogate (JSON's ``"\\ud800"``), which is not text and which nothing stores."""
    for field_name, value in (("name", info.name), ("version", info.version)):
        if value is not None and not is_utf8(value):
            return (
                f"the {field_name} in its metadata, '{storable(value)}', holds a lone "
                f"surrogate, which is not text; fix the {field_name} and build it again."
            )
    return None


def _checksums(path: Path) -> tuple[int, dict[str, str]]:
    hashers = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256", "sha512")}
    size = 0
    buffer = bytearray(1024 * 1024)
    with path.open("rb", buffering=0) as source, memoryview(buffer) as view:
        while count := source.readinto(view):
            for hasher in hashers.values():
                hasher.update(view[:count])
            size += count
    return size, {name: hasher.hexdigest() for name, hasher in hashers.items()}
