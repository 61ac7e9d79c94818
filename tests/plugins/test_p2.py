from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from cloudsmith_api.models import P2PackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike

REPOSITORY = (
    "<?xml version='1.0' encoding='UTF-8'?>\n<?metadataRepository version='1.1.0'?>\n"
    "<repository name='Acme Tools' type='org.eclipse.equinox.internal.p2.metadata.repository"
    ".LocalMetadataRepository' version='1'><units size='0'/></repository>\n"
)
# Manifest lines wrap at 72 bytes; continuation lines start with one space.
WRAPPED = (
    "Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\n"
    "Bundle-SymbolicName: org.example.a.rather.long.bundle.name.that.wraps.ov\r\n"
    " er;singleton:=true\r\nBundle-Version: 3.0.0.qualifier\r\n\r\n"
    "Name: org/example/A.class\r\nBundle-Version: 9\r\n"
)


@pytest.fixture
def bundle(fixtures_dir: Path) -> Path:
    return fixtures_dir / "p2" / "com.acme.greeting_2.1.0.v20231114.jar"


def test_fixture_is_detected_as_p2(registry: FormatRegistry, bundle: Path) -> None:
    assert registry.detect(Artifact(bundle)).PLUGIN_NAME == "p2"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_p2(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("p2").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_only_bundles_and_repositories_are_p2(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("p2").recognise(zip_lookalike(tmp_path, kind)) is (FORMAT_OF[kind] == "p2")


def test_opendocument_content_xml_is_not_a_repository(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(
        tmp_path / "letter.odt",
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<office:document-content/>",
        },
    )
    assert registry.get("p2").recognise(Artifact(path)) is False
    with pytest.raises(
        ArtifactError, match="content.xml inside is not well-formed XML|not a p2 repository"
    ):
        registry.inspect(path, "p2")


def test_bundle_that_is_also_a_maven_jar_is_detected_as_maven(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(
        tmp_path / "lib-1.0.jar",
        {
            **ZIP_LOOKALIKES["bundle-jar"][1],
            **ZIP_LOOKALIKES["maven-jar"][1],
        },
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "maven"
    plan = plan_package(registry, path, format_name="p2")
    assert (plan.format, plan.name, plan.version) == ("p2", "org.x.lib", "1.0.0.v2024")


def test_name_and_version_come_from_the_manifest(registry: FormatRegistry, bundle: Path) -> None:
    plan = plan_package(registry, bundle)
    assert (plan.format, plan.name, plan.version) == ("p2", "com.acme.greeting", "2.1.0.v20231114")


def test_wrapped_manifest_lines_are_joined(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "b.jar", {"META-INF/MANIFEST.MF": WRAPPED})
    _, _, info = registry.inspect(path)
    assert info.name == "org.example.a.rather.long.bundle.name.that.wraps.over"
    assert info.version == "3.0.0.qualifier"


def test_bundle_without_version_gets_osgi_default(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "b.jar", {"META-INF/MANIFEST.MF": "Bundle-SymbolicName: b\n"})
    assert registry.inspect(path)[2].version == "0.0.0"


@pytest.mark.parametrize("index", ["content.xml", "content.jar", "artifacts.jar"])
def test_zipped_repository_is_named_by_its_index(
    registry: FormatRegistry, tmp_path: Path, index: str
) -> None:
    data: str | bytes = REPOSITORY
    if index.endswith(".jar"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as jarred:
            jarred.writestr(index.replace(".jar", ".xml"), REPOSITORY)
        data = buffer.getvalue()
    path = make_zip(tmp_path / "site.zip", {index: data, "plugins/a_1.0.0.jar": b"PK"})
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "p2"
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("Acme Tools", None)


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, bundle: Path
) -> None:
    request = P2PackageUploadRequest(
        **plan_package(registry, bundle, tags=["eclipse"]).preview_payload()
    )
    assert request.package_file == "<upload:com.acme.greeting_2.1.0.v20231114.jar>"
    assert request.tags == "eclipse"


def test_p2_takes_no_options(registry: FormatRegistry, bundle: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'"):
        plan_package(registry, bundle, options={"version": "1"})


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        (
            {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"},
            "no Bundle-SymbolicName: a plain jar",
        ),
        ({"README": "x"}, "has neither META-INF/MANIFEST.MF nor a p2 repository index"),
        ({"content.jar": b"not a jar"}, "content.jar inside is not a jar holding content.xml"),
        ({"artifacts.xml": "<repository"}, "artifacts.xml inside is not well-formed XML"),
    ],
)
def test_broken_p2_input_is_refused(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str | bytes], problem: str
) -> None:
    path = make_zip(tmp_path / "x.jar", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "p2")
    assert caught.value.path == path


def test_truncated_bundle_is_refused(
    registry: FormatRegistry, tmp_path: Path, bundle: Path
) -> None:
    path = truncated_copy(bundle, tmp_path / bundle.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip"):
        registry.inspect(path, "p2")
