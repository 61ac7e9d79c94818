from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cloudsmith_api.models import MavenPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike

DESCRIPTOR = "META-INF/maven/org.example/widget"
PROPERTIES = "groupId=org.example\nartifactId=widget\nversion=2.0.1\n"


def pom(body: str) -> str:
    return (
        '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        f"<modelVersion>4.0.0</modelVersion>{body}</project>\n"
    )


@pytest.fixture
def jar(fixtures_dir: Path) -> Path:
    return fixtures_dir / "maven" / "greeting-1.4.0.jar"


@pytest.fixture
def alone(tmp_path: Path, jar: Path) -> Path:
    """The fixture jar copied away from its pom and sources jar."""
    return Path(shutil.copy(jar, tmp_path / jar.name))


def test_fixture_jar_and_pom_are_detected_as_maven(registry: FormatRegistry, jar: Path) -> None:
    assert registry.detect(Artifact(jar)).PLUGIN_NAME == "maven"
    assert registry.detect(Artifact(jar.with_suffix(".pom"))).PLUGIN_NAME == "maven"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_maven(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("maven").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_zip_lookalikes_are_maven_only_if_theirs(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    artifact = zip_lookalike(tmp_path, kind)
    assert registry.get("maven").recognise(artifact) is (FORMAT_OF[kind] == "maven")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plain.jar", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "A.class": b"\xca\xfe"}),
        ("readme.zip", {"README.md": "# hello\n"}),
    ],
)
def test_jars_without_maven_metadata_are_not_maven(
    registry: FormatRegistry, tmp_path: Path, name: str, content: dict[str, str | bytes]
) -> None:
    assert registry.get("maven").recognise(Artifact(make_zip(tmp_path / name, content))) is False


def test_ant_build_file_is_not_a_pom(registry: FormatRegistry, tmp_path: Path) -> None:
    build = tmp_path / "build.xml"
    build.write_text('<?xml version="1.0"?>\n<project name="x" default="jar"></project>\n')
    assert registry.get("maven").recognise(Artifact(build)) is False


def test_metadata_comes_from_pom_properties_and_inner_pom(
    registry: FormatRegistry, jar: Path
) -> None:
    _, _, info = registry.inspect(jar)
    assert (info.name, info.version) == ("greeting", "1.4.0")
    assert dict(info.fields) == {
        "group_id": "com.acme",
        "artifact_id": "greeting",
        "version": "1.4.0",
        "packaging": "jar",
    }


def test_payload_carries_coordinates_and_companions(registry: FormatRegistry, jar: Path) -> None:
    plan = plan_package(registry, jar)
    request = MavenPackageUploadRequest(**plan.preview_payload())
    assert (request.group_id, request.artifact_id, request.version) == (
        "com.acme",
        "greeting",
        "1.4.0",
    )
    assert request.packaging == "jar"
    assert request.package_file == "<upload:greeting-1.4.0.jar>"
    assert request.pom_file == "<upload:greeting-1.4.0.pom>"
    assert request.sources_file == "<upload:greeting-1.4.0-sources.jar>"
    assert request.javadoc_file is None


def test_companions_are_overridable(registry: FormatRegistry, tmp_path: Path, jar: Path) -> None:
    other = tmp_path / "elsewhere.pom"
    other.write_text(pom("<groupId>com.acme</groupId><artifactId>greeting</artifactId>"))
    extra = tmp_path / "greeting-1.4.0.module"
    extra.write_text("{}")
    plan = plan_package(
        registry,
        jar,
        options={"pom_file": str(other), "extra_files": str(extra), "group_id": "org.x"},
    )
    request = MavenPackageUploadRequest(**plan.preview_payload())
    assert request.pom_file == "<upload:elsewhere.pom>"
    assert request.extra_files == ["<upload:greeting-1.4.0.module>"]
    assert request.group_id == "org.x"


def test_jar_alone_has_no_companions(registry: FormatRegistry, alone: Path) -> None:
    assert plan_package(registry, alone).files == {"package_file": alone}


def test_pom_alone_is_a_package_with_parent_and_properties(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = tmp_path / "bom-3.pom"
    path.write_text(
        pom(
            "<parent><groupId>org.example</groupId><artifactId>parent</artifactId>"
            "<version>3</version></parent><artifactId>bom</artifactId>"
            "<version>${revision}</version><packaging>pom</packaging>"
            "<properties><revision>${project.parent.version}.1</revision></properties>"
        )
    )
    plan = plan_package(registry, path)
    assert (plan.format, plan.name, plan.version) == ("maven", "bom", "3.1")
    assert plan.values["group_id"] == "org.example"
    assert plan.values["packaging"] == "pom"


def test_shaded_jar_picks_the_descriptor_its_name_gives(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    members = {
        "META-INF/maven/com.google/guava/pom.properties": "groupId=com.google\nartifactId=guava\nversion=33\n",
        f"{DESCRIPTOR}/pom.properties": PROPERTIES,
    }
    _, _, info = registry.inspect(make_zip(tmp_path / "widget-2.0.1-all.jar", members))
    assert (info.name, info.version) == ("widget", "2.0.1")
    with pytest.raises(ArtifactError, match="2 Maven descriptors"):
        registry.inspect(make_zip(tmp_path / "fat.jar", members))


def test_plain_jar_under_format_maven_needs_its_pom(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(tmp_path / "tool-1.0.jar", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"})
    with pytest.raises(ArtifactError, match=r"no META-INF/maven/.*tool-1\.0\.pom beside it"):
        registry.inspect(path, "maven")
    path.with_suffix(".pom").write_text(
        pom("<groupId>org.t</groupId><artifactId>tool</artifactId><version>1.0</version>")
    )
    _, _, info = registry.inspect(path, "maven")
    assert info.fields["group_id"] == "org.t"


def test_broken_inner_pom_names_the_jar_and_the_member(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(
        tmp_path / "widget-2.0.1.jar",
        {
            f"{DESCRIPTOR}/pom.properties": PROPERTIES,
            f"{DESCRIPTOR}/pom.xml": "<project><artifactId>",
        },
    )
    with pytest.raises(ArtifactError, match="pom.xml inside is not well-formed XML") as caught:
        registry.inspect(path)
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<artifactId>a</artifactId><version>1</version>", "has no <groupId>"),
        ("<groupId>g</groupId><artifactId>a</artifactId><version>${v}</version>", r"as \$\{v\}"),
    ],
)
def test_incomplete_pom_is_refused(
    registry: FormatRegistry, tmp_path: Path, body: str, problem: str
) -> None:
    path = tmp_path / "a.pom"
    path.write_text(pom(body))
    with pytest.raises(ArtifactError, match=problem):
        registry.inspect(path)


def test_pom_properties_without_version_is_refused(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(
        tmp_path / "w.jar", {f"{DESCRIPTOR}/pom.properties": "groupId=g\nartifactId=a\n"}
    )
    with pytest.raises(ArtifactError, match="has no version; rebuild the jar"):
        registry.inspect(path)


def test_truncated_jar_is_refused(registry: FormatRegistry, tmp_path: Path, jar: Path) -> None:
    path = truncated_copy(jar, tmp_path / jar.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip") as caught:
        registry.inspect(path, "maven")
    assert caught.value.path == path


def test_missing_companion_given_by_the_user_is_an_option_error(
    registry: FormatRegistry, alone: Path, tmp_path: Path
) -> None:
    with pytest.raises(OptionError, match="pom_file") as caught:
        plan_package(registry, alone, options={"pom_file": str(tmp_path / "nope.pom")})
    assert caught.value.key == "pom_file"
