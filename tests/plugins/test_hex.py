from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import HexPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

# Old Hex metadata listed requirements as nested proplists that carry a <<"name">> too.
OLD_STYLE = """\
{<<"app">>,<<"plug">>}.
{<<"requirements">>,
 [[{<<"name">>,<<"cowboy">>},{<<"optional">>,true},{<<"requirement">>,<<"~> 1.0">>}]]}.
{<<"name">>,<<"plug">>}.
{<<"version">>,<<"1.0.0-rc.1">>}.
"""


def hex_tar(path: Path, metadata: str, *, leave_out: str = "") -> Path:
    members = {
        "VERSION": "3",
        "CHECKSUM": "0" * 64,
        "metadata.config": metadata,
        "contents.tar.gz": b"\x1f\x8b",
    }
    members.pop(leave_out, None)
    return make_tar(path, members, compression=None)


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "hex" / "acme_counter-0.6.0.tar"


def test_fixture_is_detected_as_hex(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "hex"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_hex_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("hex").recognise(lookalike(tmp_path, kind)) is (kind == "hex")


def test_name_and_version_come_from_metadata_config(
    registry: FormatRegistry, package: Path
) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("hex", "acme_counter", "0.6.0")


def test_nested_names_are_not_the_package_name(registry: FormatRegistry, tmp_path: Path) -> None:
    info = registry.get("hex").read_metadata(Artifact(hex_tar(tmp_path / "plug.tar", OLD_STYLE)))
    assert (info.name, info.version) == ("plug", "1.0.0-rc.1")


def test_utf8_binaries_are_read(registry: FormatRegistry, tmp_path: Path) -> None:
    metadata = '{<<"name">>,<<"caf\\"e"/utf8>>}.\n{<<"version">>,<<"0.1.0"/utf8>>}.\n'
    info = registry.get("hex").read_metadata(Artifact(hex_tar(tmp_path / "x.tar", metadata)))
    assert (info.name, info.version) == ('caf"e', "0.1.0")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, package: Path
) -> None:
    payload = plan_package(registry, package).preview_payload()
    assert HexPackageUploadRequest(**payload).package_file == "<upload:acme_counter-0.6.0.tar>"
    assert set(payload) == {"package_file"}


def test_hex_takes_no_options(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="option 'name'"):
        plan_package(registry, package, options={"name": "other"})


def test_missing_member_is_named(registry: FormatRegistry, tmp_path: Path) -> None:
    path = hex_tar(tmp_path / "x.tar", OLD_STYLE, leave_out="CHECKSUM")
    assert not registry.get("hex").recognise(Artifact(path))
    with pytest.raises(ArtifactError, match="is not a hex package: it has no CHECKSUM") as caught:
        registry.inspect(path, "hex")
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("metadata", "problem"),
    [
        ('{<<"name">>,<<"x">>}.\n', 'has no {<<"version">>,<<"...">>}. term'),
        ('{<<"version">>,<<"1.0.0">>}.\n', 'has no {<<"name">>,<<"...">>}. term'),
        ("not erlang at all", "has no"),
    ],
)
def test_unparseable_metadata_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, metadata: str, problem: str
) -> None:
    path = hex_tar(tmp_path / "x.tar", metadata)
    with pytest.raises(ArtifactError, match=problem.replace("{", r"\{").replace(".", r"\.")):
        registry.inspect(path, "hex")


def test_truncated_package_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, package: Path
) -> None:
    broken = truncated_copy(package, tmp_path / package.name)
    assert not registry.get("hex").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated") as caught:
        registry.inspect(broken, "hex")
    assert str(broken) in str(caught.value)
