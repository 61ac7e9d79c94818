"""The library API of a publish run: :func:`plan`, then :func:`run`; or :func:`publish`.

Planning reads every artifact and resolves every option first, so bad input stops the run
before a single byte is sent; running moves every package through the stages of
:mod:`pubsmith.pipeline` and reports them as :mod:`pubsmith.events`.

    options = PublishOptions(repo="acme/staging", skip_existing=True)
    results = run(plan(["dist/*.whl"], options), on_event=print)
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pubsmith.client import CloudsmithClient
from pubsmith.errors import ArtifactError, BadInputError, ConfigError, PubsmithError
from pubsmith.events import EventSink, Finished
from pubsmith.metadata import check_with_server
from pubsmith.options import PublishOptions
from pubsmith.pipeline import Pipeline
from pubsmith.planning import (
    MissingOptionsError,
    PackagePlan,
    check_option_keys,
    expand_file_argument,
    plan_package,
)
from pubsmith.promote import destination_repo
from pubsmith.registry import FormatRegistry
from pubsmith.results import PublishResult
from pubsmith.resume import FileResumeStore
from pubsmith.settings import Settings

__all__ = ["PublishPlan", "plan", "plan_files", "publish", "run"]


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
    problems += _scoped_where_needed([errors[path] for path in kept if path in errors])
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


@dataclass(frozen=True)
class PublishPlan:
    """Every package a run will publish, checked, and the options to publish them with."""

    options: PublishOptions
    packages: tuple[PackagePlan, ...]

    def preview(self) -> list[PublishResult]:
        """``planned`` results carrying the payload each package would be sent with."""
        return [
            PublishResult(
                file=str(package.path),
                format=package.format,
                name=package.name,
                version=package.version,
                status="planned",
                payload=package.preview_payload(),
            )
            for package in self.packages
        ]


def plan(
    paths: Iterable[Path | str],
    options: PublishOptions | None = None,
    *,
    registry: FormatRegistry | None = None,
) -> PublishPlan:
    """Read every file and resolve every option, contacting no server.

    Raises :class:`BadInputError` listing every problem found (nothing is sent), and
    :class:`~pubsmith.ConfigError` for bad options. A string in ``paths`` may name its own
    format as ``FORMAT:PATH``; see :func:`plan_files`.
    """
    options = options or PublishOptions()
    repository = options.repository
    if options.promote_to and repository is not None:
        destination_repo(repository.owner, options.promote_to)  # a bad target stops it here
    packages = plan_files(
        paths,
        registry=registry or FormatRegistry.load(),
        format_name=options.format,
        options=options.options,
        tags=options.tags,
        republish=options.republish,
    )
    return PublishPlan(options, tuple(packages))


def run(
    publish_plan: PublishPlan,
    *,
    settings: Settings | Callable[[], Settings] | None = None,
    client: CloudsmithClient | None = None,
    on_event: EventSink | None = None,
) -> list[PublishResult]:
    """Publish a plan and return one result per package, in the plan's order.

    ``settings`` says where and with which key (default: ``CLOUDSMITH_API_HOST`` and
    ``CLOUDSMITH_API_KEY``); a callable, such as a :class:`~pubsmith.config.Config`'s bound
    ``settings``, is called only once something is to be sent, so a dry run never triggers
    an OIDC exchange. ``client`` replaces both (tests, embedding). ``on_event`` receives the
    run's :mod:`pubsmith.events` from worker threads. A package that fails is a result with
    ``status == "failed"``; the others still publish.
    """
    options = publish_plan.options
    if options.dry_run:
        results = publish_plan.preview()
        for result in results:
            if on_event is not None:
                on_event(Finished(result))
        return results
    repository = options.repository
    if repository is None:
        raise ConfigError("no repository: pass --repo OWNER/REPO")
    with contextlib.ExitStack() as stack:
        if client is None:
            if callable(settings):
                settings = settings()
            elif settings is None:
                settings = Settings.resolve()
            client = stack.enter_context(
                CloudsmithClient.from_settings(settings, on_event=on_event)
            )
        if options.metadata is not None:
            # Refused content stops the run here, before any upload, as for the official CLI.
            check_with_server(client, options.metadata)
        pipeline = Pipeline(
            client,
            repository,
            options,
            on_event=on_event,
            resume=FileResumeStore() if options.resume else None,
        )
        return pipeline.run(publish_plan.packages)


def publish(
    paths: Iterable[Path | str],
    *,
    settings: Settings | Callable[[], Settings] | None = None,
    api_url: str | None = None,
    api_key: str | None = None,
    registry: FormatRegistry | None = None,
    on_event: EventSink | None = None,
    **fields: Any,
) -> list[PublishResult]:
    """Plan and run in one call: ``publish(["dist/app-1.0.tar.gz"], repo="acme/releases")``.

    The other keyword arguments are :class:`PublishOptions` fields (``repo``,
    ``options``, ``skip_existing``, ...; an unknown one is a :class:`TypeError`);
    ``api_url`` and ``api_key`` stand in for ``settings``. With an options object at hand,
    ``run(plan(paths, options))`` is the same. See :func:`plan` and :func:`run` for what is
    raised and returned.
    """
    options = PublishOptions(**fields)
    if settings is None:
        settings = functools.partial(Settings.resolve, api_url=api_url, api_key=api_key)
    return run(plan(paths, options, registry=registry), settings=settings, on_event=on_event)


def _scoped_where_needed(problems: list[PubsmithError]) -> list[PubsmithError]:
    """Files of several formats missing one option (a deb and an rpm without a
    distribution) need a value each: suggest ``-o deb.distribution=...``, not one flag."""
    missing = [p for p in problems if isinstance(p, MissingOptionsError)]
    formats: dict[str, set[str]] = {}
    for problem in missing:
        for option in problem.options:
            formats.setdefault(option.name, set()).add(problem.format_name)
    return [
        problem.scoped()
        if isinstance(problem, MissingOptionsError)
        and any(len(formats[option.name]) > 1 for option in problem.options)
        else problem
        for problem in problems
    ]


def _file_formats(
    arguments: Iterable[Path | str], registry: FormatRegistry
) -> tuple[dict[Path, str | None], list[PubsmithError]]:
    """Each file once, as first spelt, with the format an argument for it names (or None)."""
    by_file: dict[str, tuple[Path, str | None]] = {}
    problems: list[PubsmithError] = []
    named: list[tuple[Path, str | None]] = []
    for argument in arguments:
        try:
            named.extend(expand_file_argument(argument, registry))
        except PubsmithError as exc:
            problems.append(exc)
    for path, own_format in named:
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
