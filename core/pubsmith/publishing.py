"""Publish many files concurrently: plan all, then upload, create and wait for each.

Planning reads every artifact and resolves every option first, so bad input stops the run
before a single byte is sent. Each package then goes through files upload, validate-upload,
create and status polling on its own worker; one failing package never stops the others,
but an error that would fail them all (a wrong key, an unknown repository) does.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pubsmith._bodies import file_size
from pubsmith.client import CloudsmithClient
from pubsmith.creation import PackageLookup
from pubsmith.errors import (
    ArtifactError,
    AuthenticationError,
    BadInputError,
    ConfigError,
    NotFoundError,
    ProcessingError,
    PubsmithError,
    TransportError,
)
from pubsmith.hashing import FileDigest, digest_file
from pubsmith.planning import (
    PackagePlan,
    check_option_keys,
    parse_file_argument,
    plan_package,
)
from pubsmith.polling import wait_for_sync
from pubsmith.registry import FormatRegistry
from pubsmith.results import Progress, PublishResult
from pubsmith.resume import FileResumeStore, ResumeStore
from pubsmith.settings import Repository, Settings
from pubsmith.upload import UploadedFile, Uploader

__all__ = ["Publisher", "plan_files", "publish"]

ProgressCallback = Callable[[Progress], None]

log = logging.getLogger("pubsmith.publishing")


def plan_files(
    paths: Iterable[Path | str],
    *,
    registry: FormatRegistry,
    format_name: str | None = None,
    options: Mapping[str, str] | None = None,
    tags: Sequence[str] = (),
    republish: bool = False,
) -> list[PackagePlan]:
    """Plan every file, or raise :class:`BadInputError` listing every problem found.

    A string may be ``FORMAT:PATH`` (see :func:`~pubsmith.planning.parse_file_argument`);
    that format wins over ``format_name`` for that file. A file named twice (``raw:a.txt``
    and ``a.txt``, or through a symlink) is one package, of the format given explicitly.
    A file that another file takes as its companion (the ``.pom`` beside a ``.jar``) is
    published with it, not on its own, so ``dist/*`` does the right thing; unless it was
    given with a format of its own, which says it is a package too.
    """
    named, problems = _file_formats(paths, registry)
    plans: dict[Path, PackagePlan] = {}
    errors: dict[Path, PubsmithError] = {}
    for path, own_format in named.items():
        try:
            plans[path] = plan_package(
                registry,
                path,
                format_name=own_format or format_name,
                options=options,
                tags=tags,
                republish=republish,
                strict_options=False,
            )
        except PubsmithError as exc:
            # A plugin's own bug is a PluginError naming it, for this file only.
            errors[path] = exc
    companions = {
        _real(companion)
        for plan in plans.values()
        for companion in plan.upload_paths()
        if companion != plan.path
    }
    kept = [
        path for path, own_format in named.items() if own_format or _real(path) not in companions
    ]
    problems += [errors[path] for path in kept if path in errors]
    if not problems:
        # Only once every file has a format: an option meant for a file that failed would
        # otherwise be reported as taken by no format.
        try:
            check_option_keys(options or {}, [plan.plugin for plan in plans.values()], registry)
        except PubsmithError as exc:
            problems.append(exc)
    if problems:
        raise BadInputError(problems)
    return [plans[path] for path in kept]


class Publisher:
    """Publishes planned packages to one repository over one client."""

    def __init__(
        self,
        client: CloudsmithClient,
        repository: Repository,
        *,
        concurrency: int = 4,
        chunk_size: int | None = None,
        wait: bool = True,
        wait_timeout: float = 600.0,
        skip_existing: bool = False,
        on_progress: ProgressCallback | None = None,
        resume: ResumeStore | None = None,
    ) -> None:
        self.client = client
        self.repository = repository
        self._lookup = PackageLookup(client, repository)
        self.concurrency = max(1, concurrency)
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.skip_existing = skip_existing
        self._on_progress = on_progress
        self._uploader = (
            Uploader(client, chunk_size=chunk_size, resume=resume)
            if chunk_size
            else Uploader(client, resume=resume)
        )
        self._fatal: PubsmithError | None = None
        self._lock = threading.Lock()

    def publish(self, plans: Sequence[PackagePlan]) -> list[PublishResult]:
        if len(plans) <= 1 or self.concurrency == 1:
            return [self._publish_one(plan) for plan in plans]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(plans))) as pool:
            return list(pool.map(self._publish_one, plans))

    def _publish_one(self, plan: PackagePlan) -> PublishResult:
        result = PublishResult(
            file=str(plan.path), format=plan.format, name=plan.name, version=plan.version
        )
        try:
            self._check_fatal()
            self._run(plan, result)
        except PubsmithError as exc:
            if _shared_cause(exc, created=result.slug is not None):
                # Every other file would fail the same way: stop rather than wait for each.
                with self._lock:
                    self._fatal = self._fatal or exc
            result.status = "failed"
            result.error = str(exc)
            result.exception = exc
        self._emit(plan, "done", detail=result.status)
        return result

    def _check_fatal(self) -> None:
        with self._lock:
            if self._fatal is not None:
                raise self._fatal

    def _run(self, plan: PackagePlan, result: PublishResult) -> None:
        owner, repo = self.repository.owner, self.repository.name
        main: FileDigest | None = None
        if self.skip_existing:
            self._emit(plan, "hashing")
            main = digest_file(plan.path)
            existing = self._lookup.find_existing(plan, main)
            if existing is not None:
                if existing.get("checksum_sha256") == main.sha256:
                    result.status = "skipped"
                    result.slug = existing.get("slug")
                    result.slug_perm = existing.get("slug_perm")
                    return
                if not plan.values.get("republish"):
                    raise PubsmithError(
                        f"{plan.path}: {plan.name} {plan.version} already exists in "
                        f"{self.repository} with different content; pass --republish to replace it"
                    )

        total = sum(file_size(path) for path in plan.upload_paths())
        sent = 0

        def progress(delta: int) -> None:
            nonlocal sent
            sent += delta
            self._emit(plan, "uploading", sent=sent, total=total)

        uploaded: dict[Path, UploadedFile] = {}
        for path in plan.upload_paths():
            self._check_fatal()
            known = main if path == plan.path else None
            uploaded[path] = self._uploader.upload(
                owner, repo, path, digest=known, progress=progress
            )
        own = uploaded[plan.path]
        main = FileDigest(own.size, own.md5, own.sha256)

        payload = plan.payload({path: file.identifier for path, file in uploaded.items()})
        result.payload = payload
        self._emit(plan, "creating")
        self.client.validate_upload(owner, repo, plan.format, payload)
        package = self._lookup.create_once(plan, payload, main)
        result.slug = package.get("slug")
        result.slug_perm = package.get("slug_perm")
        if not self.wait:
            result.status = "published"
            return
        slug = result.slug_perm or result.slug or ""
        try:
            wait_for_sync(
                self.client,
                owner,
                repo,
                slug,
                timeout=self.wait_timeout,
                on_status=lambda status: self._emit(
                    plan, "processing", detail=str(status.get("status_str") or "")
                ),
                initial=package,  # the create answer already says it is processing
            )
        except ProcessingError as exc:
            raise ProcessingError(slug, f"{plan.path}: {exc.reason}") from None
        result.status = "published"

    def _emit(
        self, plan: PackagePlan, stage: Any, *, sent: int = 0, total: int = 0, detail: str = ""
    ) -> None:
        if self._on_progress is not None:
            self._on_progress(Progress(str(plan.path), stage, sent, total, detail))


def publish(
    paths: Iterable[Path | str],
    *,
    repo: str | None = None,
    format: str | None = None,
    options: Mapping[str, str] | None = None,
    distribution: str | None = None,
    tags: Sequence[str] = (),
    republish: bool = False,
    skip_existing: bool = False,
    dry_run: bool = False,
    wait: bool = True,
    wait_timeout: float = 600.0,
    concurrency: int = 4,
    chunk_size: int | None = None,
    api_url: str | None = None,
    api_key: str | None = None,
    allow_http: bool = False,
    ca_bundle: str | None = None,
    registry: FormatRegistry | None = None,
    on_progress: ProgressCallback | None = None,
    resume: bool = True,
    settings: Settings | Callable[[], Settings] | None = None,
    promote_to: str | None = None,
) -> list[PublishResult]:
    """Publish files to ``repo`` (``OWNER/REPO``) and return one result per package.

    Each file's format is detected from its content, or is ``format`` when given. A string
    in ``paths`` may name its own format as ``FORMAT:PATH`` (``"raw:notes.txt"``), which
    wins over ``format`` for that file, so files no format recognises publish beside
    detected ones in one call; a string naming an existing file is always a plain path,
    and a :class:`~pathlib.Path` is never parsed. Results name the file by its path alone.

    With ``dry_run`` nothing is contacted and ``repo`` may be omitted: results are
    ``planned`` and carry the payload that would be sent.

    Raises :class:`BadInputError` (nothing sent) when any file or option is wrong, and
    :class:`~pubsmith.ConfigError` for bad settings. Failures of single packages are
    results with ``status == "failed"``, so the others still publish. With ``resume``, a
    multipart upload cut short (even by a killed process) continues from the parts the
    server already accepted; the state lives in the user cache directory.

    ``settings`` replaces ``api_url``/``api_key``/``allow_http``/``ca_bundle``; a callable
    (such as a :class:`~pubsmith.config.Config`'s bound ``settings``) is called only once
    something is to be sent, so bad input or a dry run never triggers an OIDC exchange.
    With ``promote_to`` (``REPO`` of the same owner) each published package is then copied
    there once synchronised; see :func:`pubsmith.promote.promote_results`.
    """
    repository = Repository.parse(repo) if repo else None
    if repository is None and not dry_run:
        raise ConfigError("no repository: pass --repo OWNER/REPO")
    if promote_to and repository is not None:
        from pubsmith.promote import destination_repo

        destination_repo(repository.owner, promote_to)  # a bad target stops the run up front
    all_options = dict(options or {})
    if distribution:
        all_options["distribution"] = distribution
    plans = plan_files(
        paths,
        registry=registry or FormatRegistry.load(),
        format_name=format,
        options=all_options,
        tags=tags,
        republish=republish,
    )
    if dry_run:
        return [
            PublishResult(
                file=str(plan.path),
                format=plan.format,
                name=plan.name,
                version=plan.version,
                status="planned",
                payload=plan.preview_payload(),
            )
            for plan in plans
        ]
    assert repository is not None  # checked above; narrows the type for mypy
    if callable(settings):
        settings = settings()
    elif settings is None:
        settings = Settings.resolve(
            api_url=api_url, api_key=api_key, allow_http=allow_http, ca_bundle=ca_bundle
        )
    with CloudsmithClient(
        settings.api_url, settings.require_key(), verify=settings.ca_bundle or True
    ) as client:
        publisher = Publisher(
            client,
            repository,
            concurrency=concurrency,
            chunk_size=chunk_size,
            wait=wait,
            wait_timeout=wait_timeout,
            skip_existing=skip_existing,
            on_progress=on_progress,
            resume=FileResumeStore() if resume else None,
        )
        results = publisher.publish(plans)
        if promote_to:
            from pubsmith.promote import promote_results

            promote_results(
                client,
                repository,
                results,
                promote_to,
                republish=republish,
                wait=wait,
                timeout=wait_timeout,
                concurrency=concurrency,
            )
        return results


def _shared_cause(error: PubsmithError, *, created: bool) -> bool:
    """Whether ``error`` dooms every package: a wrong key or repository, or a server that
    stayed unreachable through a whole retry budget (not one slow package, not a lost
    answer)."""
    if isinstance(error, (AuthenticationError, NotFoundError)):
        return not created
    return type(error) is TransportError


def _file_formats(
    arguments: Iterable[Path | str], registry: FormatRegistry
) -> tuple[dict[Path, str | None], list[PubsmithError]]:
    """Each file once, as first spelt, with the format an argument for it names (or None)."""
    by_file: dict[str, tuple[Path, str | None]] = {}
    problems: list[PubsmithError] = []
    for argument in arguments:
        path, own_format = parse_file_argument(argument, registry)
        first_path, first_format = by_file.setdefault(_real(path), (path, own_format))
        if own_format and first_format and own_format != first_format:
            problems.append(
                ArtifactError(
                    first_path,
                    f"is given as both {first_format} and {own_format}; keep one of them",
                )
            )
        else:
            by_file[_real(path)] = (first_path, first_format or own_format)
    return dict(by_file.values()), problems


def _real(path: Path) -> str:
    # realpath never raises, even on a symlink loop (reported by planning as missing).
    return os.path.realpath(path)
