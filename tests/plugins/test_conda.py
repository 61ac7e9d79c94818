from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import zstandard
from cloudsmith_api.models import CondaPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, make_zip, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

NAMES = ("acme-tools-0.9.1-h4616a5c_0.conda", "acme-tools-0.9.1-h4616a5c_0.tar.bz2")


def dot_conda(path: Path, index: str | None) -> Path:
    """A .conda whose info tar holds ``index`` as info/index.json (or nothing)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as info:
        data = (index or "").encode()
        entry = tarfile.TarInfo("info/index.json" if index is not None else "info/files")
        entry.size = len(data)
        info.addfile(entry, io.BytesIO(data))
    return make_zip(
        path,
        {
            "metadata.json": '{"conda_pkg_format_version": 2}',
            "info-x-1.0-0.tar.zst": zstandard.ZstdCompressor().compress(buffer.getvalue()),
        },
    )


@pytest.mark.parametrize("filename", NAMES)
def test_both_fixtures_are_detected_as_conda(
    registry: FormatRegistry, fixtures_dir: Path, filename: str
) -> None:
    assert registry.detect(Artifact(fixtures_dir / "conda" / filename)).PLUGIN_NAME == "conda"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_no_other_lookalike(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert not registry.get("conda").recognise(lookalike(tmp_path, kind))


@pytest.mark.parametrize("filename", NAMES)
def test_name_and_version_come_from_index_json(
    registry: FormatRegistry, fixtures_dir: Path, filename: str
) -> None:
    plan = plan_package(registry, fixtures_dir / "conda" / filename)
    assert (plan.format, plan.name, plan.version) == ("conda", "acme-tools", "0.9.1")
    request = CondaPackageUploadRequest(**plan.preview_payload())
    assert request.package_file == f"<upload:{filename}>"


def test_conda_takes_no_options(registry: FormatRegistry, fixtures_dir: Path) -> None:
    with pytest.raises(OptionError, match="option 'subdir'"):
        plan_package(registry, fixtures_dir / "conda" / NAMES[0], options={"subdir": "noarch"})


def test_dot_conda_built_here_is_read(registry: FormatRegistry, tmp_path: Path) -> None:
    path = dot_conda(tmp_path / "x-1.0-0.conda", '{"name": "x", "version": "1.0"}')
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "conda"
    info = registry.get("conda").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("x", "1.0")


@pytest.mark.parametrize(
    ("index", "problem"),
    [
        (None, "has no info/index.json inside info-x-1.0-0.tar.zst"),
        ("{name: x}", "info/index.json inside is not valid JSON"),
        ("[]", "info/index.json inside is not a JSON object"),
        ('{"name": "x"}', "info/index.json inside has no version"),
    ],
)
def test_broken_dot_conda_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, index: str | None, problem: str
) -> None:
    path = dot_conda(tmp_path / "x-1.0-0.conda", index)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "conda")
    assert caught.value.path == path


def test_dot_conda_with_garbage_info_tar_is_corrupt(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_zip(tmp_path / "x.conda", {"info-x-1.0-0.tar.zst": b"not zstd at all"})
    with pytest.raises(ArtifactError, match="is corrupt: cannot read info-x-1.0-0.tar.zst"):
        registry.inspect(path, "conda")


def test_zip_without_info_tar_is_not_a_dot_conda(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "x.conda", {"metadata.json": "{}"})
    assert not registry.get("conda").recognise(Artifact(path))
    with pytest.raises(ArtifactError, match="has no info-\\*.tar.zst"):
        registry.inspect(path, "conda")


def test_tarball_without_index_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(tmp_path / "x-1.0-0.tar.bz2", {"info/files": "bin/x\n"})
    with pytest.raises(ArtifactError, match="it has no info/index.json"):
        registry.inspect(path, "conda")


@pytest.mark.parametrize("filename", NAMES)
def test_truncated_package_is_an_artifact_error(
    registry: FormatRegistry, fixtures_dir: Path, tmp_path: Path, filename: str
) -> None:
    broken = truncated_copy(fixtures_dir / "conda" / filename, tmp_path / filename)
    assert not registry.get("conda").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated") as caught:
        registry.inspect(broken, "conda")
    assert str(broken) in str(caught.value)
