from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import VsxPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike


def vsix(path: Path, manifest: str) -> Path:
    return make_zip(path, {"extension.vsixmanifest": manifest, "extension/package.json": "{}"})


def identity(attributes: str) -> str:
    return (
        '<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011">'
        f"<Metadata><Identity {attributes}/></Metadata></PackageManifest>"
    )


@pytest.fixture
def extension(fixtures_dir: Path) -> Path:
    return fixtures_dir / "vsx" / "acme-greeting-0.4.2.vsix"


def test_fixture_is_detected_as_vsx(registry: FormatRegistry, extension: Path) -> None:
    assert registry.detect(Artifact(extension)).PLUGIN_NAME == "vsx"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_vsx(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("vsx").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_only_vs_code_extensions_are_vsx(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("vsx").recognise(zip_lookalike(tmp_path, kind)) is (
        FORMAT_OF[kind] == "vsx"
    )


def test_identity_gives_name_and_version(registry: FormatRegistry, extension: Path) -> None:
    plan = plan_package(registry, extension)
    assert (plan.format, plan.name, plan.version) == ("vsx", "acme-greeting", "0.4.2")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, extension: Path
) -> None:
    request = VsxPackageUploadRequest(**plan_package(registry, extension).preview_payload())
    assert request.package_file == "<upload:acme-greeting-0.4.2.vsix>"


def test_vsx_takes_no_options(registry: FormatRegistry, extension: Path) -> None:
    with pytest.raises(OptionError, match="option 'publisher'"):
        plan_package(registry, extension, options={"publisher": "x"})


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (identity('Id="x" Version="1.0.0"'), "has no Identity Publisher"),
        (identity('Id="x" Publisher="acme"'), "has no Identity Version"),
        ("<PackageManifest><Metadata/></PackageManifest>", r"has no <Metadata><Identity>"),
        ("<Vsix><Identity Id='x'/></Vsix>", r"has no <Metadata><Identity>"),
        ("<PackageManifest><Metadata>", "extension.vsixmanifest inside is not well-formed XML"),
    ],
)
def test_broken_manifest_is_refused(
    registry: FormatRegistry, tmp_path: Path, manifest: str, problem: str
) -> None:
    path = vsix(tmp_path / "x.vsix", manifest)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path)
    assert caught.value.path == path


def test_visual_studio_vsix_under_format_vsx_is_refused(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = zip_lookalike(tmp_path, "visual-studio-vsix").path
    with pytest.raises(ArtifactError, match="is not a VS Code extension"):
        registry.inspect(path, "vsx")


def test_truncated_vsix_is_refused(
    registry: FormatRegistry, tmp_path: Path, extension: Path
) -> None:
    path = truncated_copy(extension, tmp_path / extension.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip"):
        registry.inspect(path, "vsx")
