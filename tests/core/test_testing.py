"""pubsmith.testing catches what it is for: each check fails, saying why, on a plugin that
breaks the contract in its way (and passes for the builtins: tests/plugins/test_conformance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pubsmith.testing
from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, Strength
from pubsmith.registry import FormatRegistry
from pubsmith.testing import (
    ConformanceError,
    Sample,
    check_damage_refused,
    check_detected,
    check_lookalikes_refused,
    check_metadata,
    check_payload,
    make_zip,
)


class _Greedy(FormatPlugin):
    """Claims every zip as strongly as it can, reads anything: every way to be wrong."""

    PLUGIN_NAME = "raw"  # checked against the raw model of the bindings
    options = (Option("name", "Name"), Option("summary", "Summary"))

    def recognise(self, artifact: Artifact) -> Strength:
        return Strength.SIGNATURE if artifact.kind == "zip" else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        return PackageInfo(name="greedy", version="1", fields={"summary": "x" * 300})

    def build_payload(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "colour": "red"} if "name" in values else values


@pytest.fixture
def greedy(registry: FormatRegistry) -> FormatRegistry:
    others = [item for item in registry.registrations() if item.name != "raw"]
    return FormatRegistry([*others, *FormatRegistry({"raw": _Greedy()}).registrations()])


@pytest.fixture
def sample(tmp_path: Path) -> Sample:
    path = make_zip(tmp_path / "a.zip", {"a.txt": "a"})
    return Sample("raw", path, "greedy", "1", options={"summary": "short"})


def test_the_public_api_is_pinned() -> None:
    assert pubsmith.testing.__all__ == [
        "ConformanceError",
        "Lookalike",
        "Sample",
        "check_damage_refused",
        "check_detected",
        "check_lookalikes_refused",
        "check_metadata",
        "check_payload",
        "check_sample",
        "corrupted_copy",
        "lookalikes",
        "make_tar",
        "make_zip",
        "truncated_copy",
        "upload_model",
        "validate_payload",
    ]
    assert issubclass(ConformanceError, AssertionError)


def test_a_plugin_taking_other_formats_lookalikes_is_caught(
    greedy: FormatRegistry, tmp_path: Path
) -> None:
    with pytest.raises(
        ConformanceError, match=r"raw takes the \w+ look-alike, which is of"
    ) as caught:
        check_lookalikes_refused("raw", tmp_path, registry=greedy)
    assert "SIGNATURE" in str(caught.value)


def test_a_sample_detected_as_another_format_is_caught(
    registry: FormatRegistry, fixtures_dir: Path
) -> None:
    wheel = fixtures_dir / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
    with pytest.raises(ConformanceError, match="is detected as python, not maven"):
        check_detected(Sample("maven", wheel, "x", "1"), registry=registry)


def test_a_never_detected_format_claiming_its_sample_is_caught(
    greedy: FormatRegistry, sample: Sample
) -> None:
    with pytest.raises(ConformanceError, match="raw claims it .SIGNATURE., but its samples"):
        check_detected(Sample("raw", sample.path, "greedy", "1", detect=False), registry=greedy)


def test_a_wrong_name_or_version_is_caught(greedy: FormatRegistry, sample: Sample) -> None:
    check_metadata(sample, registry=greedy)
    wrong = Sample("raw", sample.path, "other", "1", options=sample.options)
    with pytest.raises(
        ConformanceError, match="read as name 'greedy', version '1'; expected 'other'"
    ):
        check_metadata(wrong, registry=greedy)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"name": "n"}, "the raw payload has colour, which RawPackageUploadRequest lacks"),
        ({}, "is not a valid RawPackageUploadRequest: .*summary.*255"),
    ],
)
def test_a_payload_the_model_refuses_is_caught(
    greedy: FormatRegistry, sample: Sample, options: dict[str, str], problem: str
) -> None:
    bad = Sample("raw", sample.path, "greedy", "1", options=options)
    with pytest.raises(ConformanceError, match=problem):
        check_payload(bad, registry=greedy)


def test_a_payload_field_of_the_wrong_type_is_caught(sample: Sample) -> None:
    with pytest.raises(ConformanceError, match="gives republish as str; .* declares bool"):
        pubsmith.testing.validate_payload("raw", {"package_file": "x", "republish": "yes"}, None)


def test_a_plugin_accepting_damaged_files_is_caught(
    registry: FormatRegistry, sample: Sample
) -> None:
    # raw takes any bytes, so a damaged copy of a raw file is as good as the file.
    with pytest.raises(ConformanceError, match="a truncated copy of .* is accepted"):
        check_damage_refused(sample, sample.path.parent / "damage", registry=registry)
