"""The conformance checks: each takes a real sample of the format, or its name, and raises
:class:`ConformanceError` saying what the plugin does that the contract does not allow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError, FormatDetectionError, PluginError
from pubsmith.planning import PackagePlan, plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing._archives import corrupted_copy, truncated_copy
from pubsmith.testing._lookalikes import Lookalike, lookalikes
from pubsmith.testing._models import ConformanceError, validate_payload

__all__ = [
    "Sample",
    "check_damage_refused",
    "check_detected",
    "check_lookalikes_refused",
    "check_metadata",
    "check_payload",
    "check_sample",
]


@dataclass(frozen=True)
class Sample:
    """A real artifact of the format under test, and what the plugin must read from it.

    ``options`` are the ``-o`` values a user would pass with it. ``detect`` is False for a
    format that never claims a file on its own (raw, generic: given as ``FORMAT:FILE``).
    ``damageable`` is False when a damaged copy cannot be told from a good one: a format
    that takes any bytes, or plain text that stays valid when cut short.
    """

    format: str
    path: Path
    name: str | None
    version: str | None
    options: Mapping[str, str] = field(default_factory=dict)
    detect: bool = True
    damageable: bool = True


def check_detected(sample: Sample, *, registry: FormatRegistry | None = None) -> None:
    """Detection, with every installed plugin taking part, picks the sample's format.

    A sample with ``detect=False`` must instead not be claimed by its own format at all.
    """
    registry = registry or FormatRegistry.load()
    claims = registry.claims(Artifact(sample.path))
    if not sample.detect:
        if sample.format in claims:
            raise ConformanceError(
                f"{sample.path}: {sample.format} claims it ({claims[sample.format].name}), "
                "but its samples are marked as never detected"
            )
        return
    try:
        found = registry.detect(Artifact(sample.path)).PLUGIN_NAME
    except FormatDetectionError as exc:
        raise ConformanceError(
            f"{sample.path} is not detected as {sample.format}: {exc.problem} "
            f"(claims: {_claims(claims)})"
        ) from None
    if found != sample.format:
        raise ConformanceError(
            f"{sample.path} is detected as {found}, not {sample.format} (claims: {_claims(claims)})"
        )


def check_metadata(sample: Sample, *, registry: FormatRegistry | None = None) -> PackagePlan:
    """The sample plans with the name and version it should, and the plan is returned."""
    registry = registry or FormatRegistry.load()
    plan = _plan(registry, sample, sample.path)
    if (plan.name, plan.version) != (sample.name, sample.version):
        raise ConformanceError(
            f"{sample.path} is read as name {plan.name!r}, version {plan.version!r}; "
            f"expected {sample.name!r}, {sample.version!r}"
        )
    return plan


def check_payload(
    sample: Sample, *, registry: FormatRegistry | None = None, model: type | None = None
) -> dict[str, Any]:
    """The sample's payload is a valid ``cloudsmith-api`` upload request of its format.

    ``model`` is the bindings' class to check against; by default the one named after the
    format (``NpmPackageUploadRequest`` for npm). Returns the payload, files shown as
    ``<upload:NAME>``.
    """
    registry = registry or FormatRegistry.load()
    payload = _plan(registry, sample, sample.path).preview_payload()
    validate_payload(sample.format, payload, model)
    return payload


def check_damage_refused(
    sample: Sample, directory: Path, *, registry: FormatRegistry | None = None
) -> None:
    """A truncated and a corrupted copy of the sample are each refused with an ArtifactError.

    Detection must not fail on them either: ``recognise`` never raises for a damaged file.
    The copies are written into ``directory``, alone, under the sample's file name.
    """
    if not sample.damageable:
        return
    registry = registry or FormatRegistry.load()
    for how, damage in (("truncated", truncated_copy), ("corrupted", corrupted_copy)):
        folder = directory / how
        folder.mkdir(parents=True, exist_ok=True)
        damaged = damage(sample.path, folder / sample.path.name)
        try:
            registry.claims(Artifact(damaged))
            _plan(registry, sample, damaged)
        except ArtifactError:
            continue
        raise ConformanceError(f"a {how} copy of {sample.path} is accepted as a good one")


def check_lookalikes_refused(
    format_name: str,
    directory: Path,
    *,
    registry: FormatRegistry | None = None,
    extra: Iterable[Lookalike] = (),
) -> None:
    """No look-alike of another format, or of none, is detected as ``format_name``.

    The look-alikes (see :func:`~pubsmith.testing.lookalikes`, plus ``extra``) are written
    into ``directory``. One of ``format_name`` itself must be detected as it.
    """
    registry = registry or FormatRegistry.load()
    for lookalike in [*lookalikes(directory), *extra]:
        artifact = Artifact(lookalike.path)
        claims = registry.claims(artifact)
        try:
            winners = [registry.detect(artifact).PLUGIN_NAME]
        except FormatDetectionError as exc:
            winners = list(exc.candidates)
        if lookalike.format == format_name and winners != [format_name]:
            raise ConformanceError(
                f"the {lookalike.kind} look-alike is of {format_name}, but detection gives "
                f"{' or '.join(winners) or 'nothing'} (claims: {_claims(claims)})"
            )
        if lookalike.format != format_name and format_name in winners:
            owner = lookalike.format or "no format"
            raise ConformanceError(
                f"{format_name} takes the {lookalike.kind} look-alike, which is of {owner}, "
                f"with a claim as strong as {claims[format_name].name} (claims: {_claims(claims)})"
            )


def check_sample(
    sample: Sample,
    directory: Path,
    *,
    registry: FormatRegistry | None = None,
    model: type | None = None,
) -> None:
    """Every check of one sample: detected, named and versioned, valid payload, damage refused."""
    registry = registry or FormatRegistry.load()
    check_detected(sample, registry=registry)
    check_metadata(sample, registry=registry)
    check_payload(sample, registry=registry, model=model)
    check_damage_refused(sample, directory, registry=registry)


def _plan(registry: FormatRegistry, sample: Sample, path: Path) -> PackagePlan:
    try:
        return plan_package(registry, path, format_name=sample.format, options=sample.options)
    except PluginError as exc:
        raise ConformanceError(f"the plugin broke its contract: {exc}") from None


def _claims(claims: Mapping[str, Any]) -> str:
    return ", ".join(f"{name} {strength.name}" for name, strength in claims.items()) or "none"
