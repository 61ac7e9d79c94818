"""The publish run as stages every package moves through.

**preflight** (the server validates each package before any byte of any file moves; with
``--skip-existing`` the repository is searched first, see :mod:`pubsmith.reruns`) →
**transfer** (the files go up, ``concurrency`` packages at a time) → **create** → **await**
(one :class:`~pubsmith.polling.Poller` follows every package being processed, so a
package never holds a transfer slot while the server works) → **promote**.

One package's failure never stops the others; a failure that would fail them all (a wrong
key, an unknown repository, a server that stays unreachable) stops the run, before any
upload when the preflight finds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pubsmith._bodies import file_size
from pubsmith.client import CloudsmithClient
from pubsmith.creation import PackageIdentity, PackageLookup
from pubsmith.errors import (
    AuthenticationError,
    NotFoundError,
    ProcessingError,
    PubsmithError,
    TransportError,
    ValidationError,
)
from pubsmith.events import EventSink, Finished, Stage, StageChanged, Transferred
from pubsmith.hashing import FileDigest, digest_file
from pubsmith.metadata import attach
from pubsmith.options import PublishOptions
from pubsmith.planning import PackagePlan
from pubsmith.polling import Poller
from pubsmith.promote import destination_repo, find_promoted
from pubsmith.reruns import Decision, decide
from pubsmith.results import PublishResult
from pubsmith.resume import ResumeStore
from pubsmith.settings import Repository
from pubsmith.upload import UploadedFile, Uploader

__all__ = ["Pipeline"]

_T = TypeVar("_T")

log = logging.getLogger("pubsmith.publishing")

# A failure reason after which a resync cannot help (Cloudsmith's CLI stops on it too).
_UNRECOVERABLE = "package should be deleted"


@dataclass
class _Package:
    """One package on its way through the run."""

    plan: PackagePlan
    result: PublishResult
    digest: FileDigest | None = None
    """The main file's checksums, once known."""
    replaces: tuple[str, ...] = ()
    """Failed packages of this file that ours replaces, deleted once ours is processed."""
    created: str | None = None
    """The slug_perm of the package this run created."""
    resyncs: int = 0
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def file(self) -> str:
        return str(self.plan.path)

    @property
    def identity(self) -> PackageIdentity:
        return PackageIdentity.of_plan(self.plan)


@dataclass(frozen=True)
class _Workers:
    """The threads of one run: transfers, the poller, and the steps after processing."""

    poller: Poller
    transfers: ThreadPoolExecutor
    follow_ups: ThreadPoolExecutor


class Pipeline:
    """Publishes planned packages to one repository over one client."""

    def __init__(
        self,
        client: CloudsmithClient,
        repository: Repository,
        options: PublishOptions,
        *,
        on_event: EventSink | None = None,
        resume: ResumeStore | None = None,
        poller: Callable[[CloudsmithClient, int], Poller] | None = None,
    ) -> None:
        self.client = client
        self.repository = repository
        self.options = options
        self._on_event = on_event
        self._lookup = PackageLookup(client, repository)
        self._target = (
            Repository(repository.owner, destination_repo(repository.owner, options.promote_to))
            if options.promote_to
            else None
        )
        self._uploader = Uploader(client, resume=resume, **_chunking(options.chunk_size))
        self._make_poller = poller or (lambda client, workers: Poller(client, workers=workers))
        self._fatal: PubsmithError | None = None
        self._lock = threading.Lock()
        self._workers: _Workers | None = None

    def run(self, plans: Sequence[PackagePlan]) -> list[PublishResult]:
        packages = [
            _Package(
                plan,
                PublishResult(
                    file=str(plan.path),
                    format=plan.format,
                    name=plan.name,
                    version=plan.version,
                    repository=str(self.repository),
                ),
            )
            for plan in plans
        ]
        workers = min(self.options.concurrency, max(1, len(packages)))
        with (
            self._make_poller(self.client, workers) as poller,
            ThreadPoolExecutor(workers, thread_name_prefix="pubsmith-transfer") as transfers,
            ThreadPoolExecutor(workers, thread_name_prefix="pubsmith-follow") as follow_ups,
        ):
            self._workers = _Workers(poller, transfers, follow_ups)
            self._check_target()
            # Every package is checked before any file moves: a rejected payload or a wrong
            # key costs one request, not an upload.
            checked = transfers.map(lambda p: self._guarded(p, self._preflight), packages)
            ready = [package for package, ok in zip(packages, checked, strict=True) if ok]
            for package in ready:
                if self.options.check:
                    self._finish(package, "checked")
                else:
                    transfers.submit(self._guarded, package, self._transfer)
            try:
                for package in packages:
                    package.finished.wait()
            except BaseException:
                # Interrupted: packages not yet under way stop at their next step.
                with self._lock:
                    self._fatal = self._fatal or PubsmithError("interrupted")
                raise
        return [package.result for package in packages]

    # -- stages --------------------------------------------------------------------

    def _check_target(self) -> None:
        """A promotion repository that does not exist stops the run before any upload."""
        target = self._target
        if target is None:
            return
        try:
            next(self.client.list_packages(target.owner, target.name, page_size=1), None)
        except PubsmithError as exc:
            with self._lock:
                self._fatal = exc

    def _preflight(self, package: _Package) -> bool:
        """Validate with the server; True if the package is to be transferred."""
        self._check_fatal()
        self._emit(package, "preflight")
        if self.options.skip_existing:
            candidates = self._lookup.matches(package.identity)
            if candidates and self._settle_existing(package, candidates):
                return False
        try:
            self.client.validate_upload(
                self.repository.owner,
                self.repository.name,
                package.plan.format,
                self._payload(package, None),
            )
        except ValidationError:
            # Another run may have published it since our search: not a rejection.
            if self.options.skip_existing and self._settle_existing(package):
                return False
            raise
        self._emit(package, "queued")
        return True

    def _transfer(self, package: _Package) -> None:
        """Upload every file of the package, create it, and hand it to the poller."""
        self._check_fatal()
        plan = package.plan
        owner, repo = self.repository.owner, self.repository.name
        self._emit(package, "transfer")
        total = sum(file_size(path) for path in plan.upload_paths())
        sent = 0
        sent_lock = threading.Lock()

        def progress(delta: int) -> None:
            nonlocal sent
            with sent_lock:
                sent += delta
                count = sent
            self._event(Transferred(package.file, count, total))

        uploaded: dict[Path, UploadedFile] = {}
        for path in plan.upload_paths():
            self._check_fatal()
            known = package.digest if path == plan.path else None
            uploaded[path] = self._uploader.upload(
                owner, repo, path, digest=known, progress=progress
            )
        own = uploaded[plan.path]
        package.digest = FileDigest(own.size, own.md5, own.sha256)
        payload = self._payload(package, {path: file.identifier for path, file in uploaded.items()})
        package.result.payload = payload
        self._emit(package, "create")
        try:
            created = self._lookup.create_once(plan, payload, package.digest)
        except ValidationError:
            if self.options.skip_existing and self._settle_existing(package):
                return
            raise
        package.created = _text(created.get("slug_perm")) or _text(created.get("slug"))
        package.result.slug = _text(created.get("slug"))
        package.result.slug_perm = _text(created.get("slug_perm"))
        self._created(package, created)
        if not (self.options.wait or self._target):
            self._finish(package, "published")
            return
        self._await(package, package.created or "", created, self._processed)

    def _created(self, package: _Package, created: Mapping[str, Any]) -> None:
        """The package exists: note its web page, and attach ``--metadata-file`` to it."""
        package.result.web_url = _text(created.get("self_webapp_url"))
        if self.options.metadata is not None and package.result.slug_perm:
            self._emit(package, "create", "attaching metadata")
            package.result.metadata = attach(
                self.client, package.result.slug_perm, self.options.metadata
            )

    def _await(
        self,
        package: _Package,
        slug: str,
        initial: dict[str, Any] | None,
        then: Callable[[_Package, Future[dict[str, Any]]], None],
        repository: Repository | None = None,
    ) -> None:
        """Follow ``slug`` until processed, then run ``then`` on a follow-up thread."""
        repository = repository or self.repository
        workers = self._running
        self._emit(package, "await")

        def on_status(status: dict[str, Any]) -> None:
            self._emit(package, "await", str(status.get("status_str") or ""))

        future = workers.poller.follow(
            repository.owner,
            repository.name,
            slug,
            timeout=self.options.wait_timeout,
            initial=initial,
            on_status=on_status,
        )
        future.add_done_callback(
            lambda done: workers.follow_ups.submit(self._guarded, package, lambda p: then(p, done))
        )

    def _processed(self, package: _Package, done: Future[dict[str, Any]]) -> None:
        """Our package has finished processing: synchronised, or failed."""
        try:
            status = done.result()
        except ProcessingError as exc:
            if self.options.skip_existing and self._lost_race(package):
                return
            if package.resyncs < self.options.resync_failed and _UNRECOVERABLE not in exc.reason:
                package.resyncs += 1
                slug = package.created or ""
                log.info("%s: resyncing %s (attempt %d)", package.file, slug, package.resyncs)
                answer = self.client.resync_package(
                    self.repository.owner, self.repository.name, slug
                )
                self._await(package, slug, answer, self._processed)
                return
            raise ProcessingError(exc.slug, f"{package.file}: {exc.reason}") from None
        for slug in package.replaces:
            self._delete(package, slug, "the failed package it replaces")
        self._promote_or_finish(package, "published", status)

    def _promote_or_finish(
        self, package: _Package, status: str, source: Mapping[str, Any] | None
    ) -> None:
        package.result.status = "published" if status == "published" else "skipped"
        if self._target is None:
            self._finish(package, status)
            return
        self._promote(package, source or {})

    # -- promotion -----------------------------------------------------------------

    def _promote(self, package: _Package, source: Mapping[str, Any]) -> None:
        """Copy the package to the promotion repository, unless it is already there."""
        self._emit(package, "promote")
        try:
            self._copy(package, source)
        except PubsmithError as exc:
            self._promotion_failed(package, exc)

    def _copy(self, package: _Package, source: Mapping[str, Any]) -> None:
        target = self._target
        assert target is not None
        sha256 = _text(source.get("checksum_sha256")) or (
            package.digest.sha256 if package.digest else None
        )
        if self._promoted_already(package, target, sha256):
            return
        slug = package.result.slug_perm or package.result.slug or ""
        try:
            copy = self.client.copy_package(
                self.repository.owner,
                self.repository.name,
                slug,
                to_repo=target.name,
                republish=self.options.republish,
            )
        except ValidationError:
            # A concurrent run may have promoted the same package a moment ago.
            if self._promoted_already(package, target, sha256):
                return
            raise
        package.result.promoted_to = str(target)
        package.result.promoted_slug_perm = _text(copy.get("slug_perm"))
        if not self.options.wait or copy.get("is_sync_completed"):
            self._finish(package, package.result.status)
            return
        copied = _text(copy.get("slug_perm")) or _text(copy.get("slug")) or ""
        self._await(package, copied, copy, self._promotion_processed, target)

    def _promoted_already(self, package: _Package, target: Repository, sha256: str | None) -> bool:
        """Whether the promotion repository holds the package (processing ones awaited)."""
        decision = find_promoted(self.client, target, package.identity, sha256)
        found = decision.package
        if found is None:
            return False
        package.result.promoted_to = str(target)
        package.result.promoted_slug_perm = _text(found.get("slug_perm"))
        if decision.action == "skip" or not self.options.wait:
            self._finish(package, package.result.status)
        else:
            slug = _text(found.get("slug_perm")) or _text(found.get("slug")) or ""
            self._await(package, slug, None, self._promotion_processed, target)
        return True

    def _promotion_processed(self, package: _Package, done: Future[dict[str, Any]]) -> None:
        try:
            done.result()
        except PubsmithError as exc:
            self._promotion_failed(package, exc)
            return
        self._finish(package, package.result.status)

    def _promotion_failed(self, package: _Package, error: PubsmithError) -> None:
        package.result.error = (
            f"{'published to' if package.result.status == 'published' else 'found in'} "
            f"{self.repository} but not promoted to {self.options.promote_to}: {error}"
        )
        package.result.exception = error
        self._finish(package, "failed")

    # -- re-runs and races ---------------------------------------------------------

    def _settle_existing(
        self, package: _Package, candidates: list[dict[str, Any]] | None = None
    ) -> bool:
        """Apply the re-run table to the packages already there; True if that ends it here.

        Otherwise the package is to be published, replacing any failed ones.
        """
        if candidates is None:
            candidates = self._lookup.matches(package.identity)
        if not candidates:
            return False
        digest = package.digest or self._digest(package)
        decision = decide(candidates, digest.sha256, republish=self.options.republish)
        if decision.action == "publish":
            package.replaces = decision.replaces
            return False
        self._apply(package, decision)
        return True

    def _apply(self, package: _Package, decision: Decision) -> None:
        """Skip, await or refuse in favour of ``decision.package``."""
        existing = decision.package or {}
        if decision.action == "conflict":
            raise PubsmithError(
                f"{package.file}: {package.plan.name} {package.plan.version} {decision.problem}"
            )
        package.result.slug = _text(existing.get("slug"))
        package.result.slug_perm = _text(existing.get("slug_perm"))
        package.result.web_url = _text(existing.get("self_webapp_url"))
        if self.options.check:
            # A server-side dry run says what a publish would do, and does nothing.
            self._finish(package, "skipped" if decision.action == "skip" else "checked")
        elif decision.action == "skip":
            self._after_race(package)
            self._promote_or_finish(package, "skipped", existing)
        else:
            slug = package.result.slug_perm or package.result.slug or ""
            self._await(package, slug, None, self._existing_processed)

    def _existing_processed(self, package: _Package, done: Future[dict[str, Any]]) -> None:
        """The package we waited for (another run's, maybe with our content) has finished.

        Its checksum may only show now: decide again from what the repository holds. If it
        failed or is gone, it may have been another run's duplicate of the package that won
        the race (failed as such, then deleted by that run): that one is ours then.
        """
        awaited = package.result.slug_perm or package.result.slug
        try:
            done.result()
        except ProcessingError as exc:
            what = f"the package we awaited, {awaited},"
            if self._settle_elsewhere(package, awaited, what, republish=self.options.republish):
                return
            # Nothing else holds the file: ours would fail as that one did.
            raise ProcessingError(exc.slug, f"{package.file}: {exc.reason}") from None
        except NotFoundError:
            pass  # gone: its run deleted it, a failed duplicate; what is left decides
        if self._settle_existing(package):
            return
        if package.created is None:
            self._emit(package, "queued")
            self._running.transfers.submit(self._guarded, package, self._transfer)
            return
        raise PubsmithError(
            f"{package.file}: our package {package.created} failed processing as a duplicate "
            "of one that is gone now; publish it again"
        )

    def _lost_race(self, package: _Package) -> bool:
        """Whether our package failed because another run published the same file first.

        If so the result becomes that package's (skipped, or awaited), and ours, a failed
        duplicate, is deleted once theirs is known to hold the file.
        """
        what = f"our package {package.created}"
        return self._settle_elsewhere(package, package.created, what, republish=False)

    def _settle_elsewhere(
        self, package: _Package, failed: str | None, what: str, *, republish: bool
    ) -> bool:
        """Whether a package of this file other than ``failed`` (``what`` failed processing)
        settles ours: skipped or awaited in its favour, or failed if it holds other content."""
        others = [
            found
            for found in self._lookup.matches(package.identity)
            if found.get("slug_perm") != failed
        ]
        if not others:
            return False
        digest = package.digest or self._digest(package)
        decision = decide(others, digest.sha256, republish=republish)
        if decision.action == "publish":
            return False
        if decision.action == "conflict":
            raise PubsmithError(
                f"{package.file}: {what} failed processing; "
                f"{package.plan.name} {package.plan.version} {decision.problem}"
            )
        log.info(
            "%s: another run published the same file first (%s)",
            package.file,
            (decision.package or {}).get("slug_perm"),
        )
        self._apply(package, decision)
        return True

    def _after_race(self, package: _Package) -> None:
        if package.created and package.created != package.result.slug_perm:
            self._delete(package, package.created, "our duplicate of it")
            package.created = None

    def _delete(self, package: _Package, slug: str, what: str) -> None:
        try:
            self.client.delete_package(self.repository.owner, self.repository.name, slug)
        except NotFoundError:
            return  # already gone: the server replaced it, or someone else cleaned up
        except PubsmithError as exc:
            log.warning("%s: could not delete %s (%s): %s", package.file, slug, what, exc)
            return
        log.info("%s: deleted %s, %s", package.file, slug, what)

    # -- plumbing ------------------------------------------------------------------

    @property
    def _running(self) -> _Workers:
        if self._workers is None:
            raise RuntimeError("the pipeline is not running")
        return self._workers

    def _digest(self, package: _Package) -> FileDigest:
        package.digest = digest_file(package.plan.path)
        return package.digest

    def _payload(self, package: _Package, identifiers: Mapping[Path, str] | None) -> dict[str, Any]:
        """The upload body; before the transfer, files are named by a placeholder (their
        file name, where the official CLI sends the local path)."""
        plan = package.plan
        if identifiers is None:
            identifiers = {path: path.name for path in plan.upload_paths()}
        payload = plan.payload(identifiers)
        if package.replaces:
            payload["republish"] = True
        return payload

    def _guarded(self, package: _Package, step: Callable[[_Package], _T]) -> _T | None:
        """Run one step of a package; any failure fails that package alone (and is None)."""
        try:
            return step(package)
        except PubsmithError as exc:
            self._fail(package, exc)
        except Exception as exc:
            # A bug in one package must not cost the others their results (nor --json).
            log.debug("unexpected failure publishing %s", package.file, exc_info=True)
            failure = PubsmithError(
                f"{package.file}: failed unexpectedly ({exc}); this is a bug in pubsmith or a "
                "plugin: please report it with the output of --debug"
            )
            self._fail(package, failure)
        except BaseException:
            # Interrupted: this package ends here, and the run must not wait for it.
            self._fail(package, PubsmithError(f"{package.file}: interrupted"))
            raise
        return None

    def _fail(self, package: _Package, error: PubsmithError) -> None:
        if _shared_cause(error, created=package.created is not None):
            with self._lock:
                self._fatal = self._fatal or error
        package.result.error = str(error)
        package.result.exception = error
        self._finish(package, "failed")

    def _finish(self, package: _Package, status: str) -> None:
        if package.finished.is_set():
            return
        package.result.status = status  # type: ignore[assignment]
        self._emit(package, "done", status)
        self._event(Finished(package.result))
        package.finished.set()

    def _check_fatal(self) -> None:
        with self._lock:
            if self._fatal is not None:
                raise self._fatal

    def _emit(self, package: _Package, stage: Stage, detail: str = "") -> None:
        self._event(StageChanged(package.file, stage, detail))

    def _event(self, event: Any) -> None:
        if self._on_event is not None:
            self._on_event(event)


def _chunking(chunk_size: int | None) -> dict[str, int]:
    return {"chunk_size": chunk_size} if chunk_size else {}


def _shared_cause(error: PubsmithError, *, created: bool) -> bool:
    """Whether ``error`` dooms every package: a wrong key or repository, or a server that
    stayed unreachable through a whole retry budget (not one slow package, not a lost
    answer)."""
    if isinstance(error, (AuthenticationError, NotFoundError)):
        return not created
    return type(error) is TransportError


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
