from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import SwiftPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike

IDENTITY = {"scope": "acme", "name": "AcmeGreeting", "version": "1.0.0"}


@pytest.fixture
def archive(fixtures_dir: Path) -> Path:
    return fixtures_dir / "swift" / "AcmeGreeting-1.0.0.zip"


def test_fixture_is_detected_as_swift(registry: FormatRegistry, archive: Path) -> None:
    assert registry.detect(Artifact(archive)).PLUGIN_NAME == "swift"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_swift(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("swift").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_only_source_archives_are_swift(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("swift").recognise(zip_lookalike(tmp_path, kind)) is (
        FORMAT_OF[kind] == "swift"
    )


@pytest.mark.parametrize(
    "members",
    [
        {"Package.swift": "// swift-tools-version:5.9\n"},
        {"repo/Sub/Package.swift": ""},
        {"example@v1.0.0/Package.swift": "", "example@v1.0.0/go.mod": "module example\n"},
        {"Pkg/Package.swift": "", "extension.vsixmanifest": "<PackageManifest/>"},
    ],
)
def test_other_layouts_are_not_source_archives(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str]
) -> None:
    assert registry.get("swift").recognise(Artifact(make_zip(tmp_path / "x.zip", members))) is False


@pytest.mark.parametrize("missing", sorted(IDENTITY))
def test_scope_name_and_version_must_be_given(
    registry: FormatRegistry, archive: Path, missing: str
) -> None:
    options = {key: value for key, value in IDENTITY.items() if key != missing}
    with pytest.raises(OptionError, match=f"-o {missing}=") as caught:
        plan_package(registry, archive, options=options)
    assert caught.value.key == missing


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, archive: Path
) -> None:
    options = {
        **IDENTITY,
        "author_name": "Ada",
        "repository_url": "https://example.com/acme/greeting",
    }
    plan = plan_package(registry, archive, options=options)
    assert (plan.format, plan.name, plan.version) == ("swift", "AcmeGreeting", "1.0.0")
    request = SwiftPackageUploadRequest(**plan.preview_payload())
    assert (request.scope, request.name, request.version) == ("acme", "AcmeGreeting", "1.0.0")
    assert request.author_name == "Ada"
    assert request.repository_url == "https://example.com/acme/greeting"
    assert request.package_file == "<upload:AcmeGreeting-1.0.0.zip>"


def test_non_archive_under_format_swift_is_refused(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(tmp_path / "x.zip", {"Sources/A/a.swift": ""})
    with pytest.raises(ArtifactError, match="is not a Swift source archive") as caught:
        registry.inspect(path, "swift")
    assert caught.value.path == path


def test_truncated_archive_is_refused(
    registry: FormatRegistry, tmp_path: Path, archive: Path
) -> None:
    path = truncated_copy(archive, tmp_path / archive.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip"):
        registry.inspect(path, "swift")
