from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import LuarocksPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, make_zip, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

FILES = ("acme-hello-1.0.0-1.all.rock", "acme-hello-1.0.0-1.rockspec")


@pytest.mark.parametrize("filename", FILES)
def test_fixtures_are_detected_as_luarocks(
    registry: FormatRegistry, fixtures_dir: Path, filename: str
) -> None:
    assert registry.detect(Artifact(fixtures_dir / "luarocks" / filename)).PLUGIN_NAME == "luarocks"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_luarocks_lookalikes(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("luarocks").recognise(lookalike(tmp_path, kind)) is (kind == "luarocks")


def test_lua_file_named_rockspec_without_package_is_not_claimed(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = tmp_path / "notes.rockspec"
    path.write_text("-- just a comment\nreturn {}\n")
    assert not registry.get("luarocks").recognise(Artifact(path))


@pytest.mark.parametrize("filename", FILES)
def test_name_and_version_come_from_the_rockspec(
    registry: FormatRegistry, fixtures_dir: Path, filename: str
) -> None:
    plan = plan_package(registry, fixtures_dir / "luarocks" / filename)
    assert (plan.format, plan.name, plan.version) == ("luarocks", "acme-hello", "1.0.0-1")
    request = LuarocksPackageUploadRequest(**plan.preview_payload())
    assert request.package_file == f"<upload:{filename}>"


@pytest.mark.parametrize(
    "text",
    [
        "package = 'single'\nversion = '0.1-2'\n",
        'package=[[long]]\n  version  =  "scm-1"\n',
    ],
)
def test_every_lua_string_spelling_is_read(
    registry: FormatRegistry, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "x.rockspec"
    path.write_text(text)
    info = registry.get("luarocks").read_metadata(Artifact(path))
    assert info.name in ("single", "long")
    assert info.version in ("0.1-2", "scm-1")


def test_luarocks_takes_no_options(registry: FormatRegistry, fixtures_dir: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'"):
        plan_package(registry, fixtures_dir / "luarocks" / FILES[1], options={"version": "2.0-1"})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('version = "1.0-1"\n', "sets no package and version string"),
        ('package = "x"\nversion = VERSION\n', "sets no package and version string"),
        ('package = "x"\nversion = "1.0"\n', "'1.0', which lacks the rockspec revision"),
    ],
)
def test_broken_rockspec_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "x-1.0-1.rockspec"
    path.write_text(text)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "luarocks")
    assert caught.value.path == path


def test_binary_rockspec_is_an_artifact_error(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "x.rockspec"
    path.write_bytes(b"package = \xff\xfe\n")
    with pytest.raises(ArtifactError, match="not UTF-8 text"):
        registry.inspect(path, "luarocks")


def test_rock_without_rockspec_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(tmp_path / "x-1.0-1.all.rock", {"rock_manifest": "rock_manifest = {}\n"})
    with pytest.raises(ArtifactError, match="has no <name>-<version>.rockspec"):
        registry.inspect(path, "luarocks")


def test_tarball_is_not_a_rock(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "x.tar.gz", {"x-1.0-1.rockspec": 'package = "x"\n'})
    with pytest.raises(ArtifactError, match="neither a rockspec nor a rock"):
        registry.inspect(path, "luarocks")


def test_truncated_rock_is_an_artifact_error(
    registry: FormatRegistry, fixtures_dir: Path, tmp_path: Path
) -> None:
    broken = truncated_copy(fixtures_dir / "luarocks" / FILES[0], tmp_path / FILES[0])
    assert not registry.get("luarocks").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "luarocks")
