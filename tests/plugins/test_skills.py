from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import SkillsPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike


@pytest.fixture
def skill(fixtures_dir: Path) -> Path:
    return fixtures_dir / "skills" / "acme-greeting.zip"


@pytest.fixture
def plugin(fixtures_dir: Path) -> Path:
    return fixtures_dir / "skills" / "acme-tools-0.5.0.zip"


def test_fixtures_are_detected_as_skills(
    registry: FormatRegistry, skill: Path, plugin: Path
) -> None:
    assert registry.detect(Artifact(skill)).PLUGIN_NAME == "skills"
    assert registry.detect(Artifact(plugin)).PLUGIN_NAME == "skills"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_skills(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("skills").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_only_skills_and_plugins_are_skills(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("skills").recognise(zip_lookalike(tmp_path, kind)) is (
        FORMAT_OF[kind] == "skills"
    )


def test_skill_deeper_than_one_folder_is_not_a_skill(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(tmp_path / "repo.zip", {"repo/docs/SKILL.md": "---\nname: x\n---\n"})
    assert registry.get("skills").recognise(Artifact(path)) is False


def test_extension_shipping_a_skill_is_not_a_skill(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    members = {**ZIP_LOOKALIKES["vsix"][1], "extension/SKILL.md": "---\nname: x\n---\n"}
    path = make_zip(tmp_path / "ext.vsix", members)
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "vsx"


def test_folder_zipped_by_macos_finder_is_a_skill(registry: FormatRegistry, tmp_path: Path) -> None:
    members = {"s/SKILL.md": "---\nname: s\n---\n", "__MACOSX/s/._SKILL.md": b"\x00"}
    _, _, info = registry.inspect(make_zip(tmp_path / "s.zip", members))
    assert info.name == "s"


def test_fixture_skill_reads_its_metadata_version(registry: FormatRegistry, skill: Path) -> None:
    plan = plan_package(registry, skill)
    assert (plan.format, plan.name, plan.version) == ("skills", "acme-greeting", "1.0.0")


def test_skill_without_version_needs_the_option(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "s.zip", {"s/SKILL.md": "---\nname: s\ndescription: d\n---\n"})
    with pytest.raises(OptionError, match="-o version=") as caught:
        plan_package(registry, path)
    assert caught.value.key == "version"
    assert plan_package(registry, path, options={"version": "2"}).version == "2"


def test_plugin_gives_name_and_version(registry: FormatRegistry, plugin: Path) -> None:
    plan = plan_package(registry, plugin)
    assert (plan.format, plan.name, plan.version) == ("skills", "acme-tools", "0.5.0")


@pytest.mark.parametrize(
    ("front", "version"),
    [("version: 2.0\n", "2.0"), ("metadata:\n  version: '1.2.3'\n", "1.2.3")],
)
def test_version_in_front_matter_is_read(
    registry: FormatRegistry, tmp_path: Path, front: str, version: str
) -> None:
    path = make_zip(
        tmp_path / "s.zip", {"SKILL.md": f"---\nname: s\ndescription: d\n{front}---\nBody\n"}
    )
    assert registry.inspect(path)[2].version == version


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, plugin: Path
) -> None:
    request = SkillsPackageUploadRequest(**plan_package(registry, plugin).preview_payload())
    assert (request.name, request.version) == ("acme-tools", "0.5.0")
    assert request.package_file == "<upload:acme-tools-0.5.0.zip>"


def test_name_option_overrides(registry: FormatRegistry, skill: Path) -> None:
    plan = plan_package(registry, skill, options={"name": "greeter", "version": "1"})
    assert SkillsPackageUploadRequest(**plan.preview_payload()).name == "greeter"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        (
            {"a/SKILL.md": "---\nname: a\n---\n", "b/SKILL.md": "---\nname: b\n---\n"},
            "a/SKILL.md, b/SKILL.md",
        ),
        ({"SKILL.md": "# no front matter\n"}, "does not start with --- front matter"),
        ({"SKILL.md": "---\nname: [x\n---\n"}, "has invalid YAML front matter"),
        ({"SKILL.md": "---\ndescription: d\n---\n"}, "SKILL.md inside has no name"),
        ({".claude-plugin/plugin.json": '{"version": "1"}'}, "plugin.json inside has no name"),
        ({".claude-plugin/plugin.json": "{"}, "plugin.json inside is not valid JSON"),
        ({"README.md": "x"}, "no SKILL.md at its root or in its one top folder"),
    ],
)
def test_broken_skill_is_refused(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_zip(tmp_path / "s.zip", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "skills")
    assert caught.value.path == path


def test_truncated_skill_is_refused(registry: FormatRegistry, tmp_path: Path, plugin: Path) -> None:
    path = truncated_copy(plugin, tmp_path / plugin.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip"):
        registry.inspect(path, "skills")
