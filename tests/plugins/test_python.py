"""Python wheels and sdists, in the layouts PyPI actually holds, read as PyPI names them.

Built here as the real ones are laid out: old ``.zip`` sdists with their top folder,
Metadata 1.x with the description folded into a header, epochs in versions, capitals and
dots in names, and wheels named before and after PEP 491's name normalisation.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from cloudsmith_api.models import PythonPackageUploadRequest

from pubsmith import Artifact, ArtifactError, Strength
from pubsmith.errors import ArtifactLimitError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import lookalikes, make_tar

WHEEL_FILE = "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\nRoot-Is-Purelib: true\n"


def metadata(name: str, version: str, *, body: str = "", extra: str = "") -> str:
    text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{extra}"
    return f"{text}\n{body}" if body else text


def wheel(path: Path, dist_info: str, metadata_text: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{dist_info}/METADATA", metadata_text)
        archive.writestr(f"{dist_info}/WHEEL", WHEEL_FILE + "Tag: py3-none-any\n")
        archive.writestr(f"{dist_info}/RECORD", "")
    return path


def zip_sdist(path: Path, folder: str, pkg_info: str) -> Path:
    # setup.py sdist --formats=zip, as Windows builds of the 2000s and 2010s made them:
    # directory entries, the package's own egg-info with a second PKG-INFO.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for directory in (f"{folder}/", f"{folder}/src/", f"{folder}/src/{folder}.egg-info/"):
            archive.writestr(directory, "")
        archive.writestr(f"{folder}/PKG-INFO", pkg_info)
        archive.writestr(f"{folder}/setup.py", "from setuptools import setup\nsetup()\n")
        archive.writestr(f"{folder}/src/{folder}.egg-info/PKG-INFO", pkg_info)
    return path


def tar_sdist(path: Path, folder: str, pkg_info: str) -> Path:
    return make_tar(path, {f"{folder}/PKG-INFO": pkg_info})


def test_fixtures_are_read_as_their_metadata_says(
    registry: FormatRegistry, fixtures_dir: Path
) -> None:
    for name in ("acme_greeting-1.2.0-py3-none-any.whl", "acme_greeting-1.2.0.tar.gz"):
        plan = plan_package(registry, fixtures_dir / "python" / name)
        assert (plan.format, plan.name, plan.version) == ("python", "acme-greeting", "1.2.0")


def test_claims_only_python_lookalikes(registry: FormatRegistry, tmp_path: Path) -> None:
    # Stricter than the kit's check that python wins none of them: it claims none at all.
    for item in lookalikes(tmp_path):
        expected = Strength.MARKER if item.format == "python" else Strength.NONE
        assert registry.get("python").recognise(Artifact(item.path)) is expected, item.kind


def test_an_old_zip_sdist_is_read_from_its_top_folder(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    pkg_info = metadata("Foo.Bar", "0.9.1").replace("2.1", "1.0")
    path = zip_sdist(tmp_path / "Foo.Bar-0.9.1.zip", "Foo.Bar-0.9.1", pkg_info)
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "python"
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("Foo.Bar", "0.9.1")
    assert PythonPackageUploadRequest(**plan.preview_payload()).package_file


@pytest.mark.parametrize(
    ("filename", "dist_info", "name", "version"),
    [
        # zope.interface wheels before and after names were normalised in file names.
        (
            "zope.interface-5.4.0-cp39-cp39-manylinux1_x86_64.whl",
            "zope.interface-5.4.0.dist-info",
            "zope.interface",
            "5.4.0",
        ),
        (
            "zope_interface-7.0.1-cp312-cp312-manylinux_2_17_x86_64.whl",
            "zope.interface-7.0.1.dist-info",
            "zope.interface",
            "7.0.1",
        ),
        ("Foo.Bar-2.0-py3-none-any.whl", "Foo.Bar-2.0.dist-info", "Foo.Bar", "2.0"),
        # An epoch: the version as METADATA states it, "!" and all.
        ("epochal-1!2.0-py3-none-any.whl", "epochal-1!2.0.dist-info", "epochal", "1!2.0"),
        ("PyYAML-6.0.1-cp311-cp311-linux_x86_64.whl", "PyYAML-6.0.1.dist-info", "PyYAML", "6.0.1"),
    ],
)
def test_wheel_names_and_versions_are_those_of_its_metadata(
    registry: FormatRegistry, tmp_path: Path, filename: str, dist_info: str, name: str, version: str
) -> None:
    path = wheel(tmp_path / filename, dist_info, metadata(name, version))
    plan = plan_package(registry, path)
    assert (plan.format, plan.name, plan.version) == ("python", name, version)


def test_an_sdist_with_an_epoch_keeps_it(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tar_sdist(
        tmp_path / "epochal-1!2.0.tar.gz", "epochal-1!2.0", metadata("epochal", "1!2.0")
    )
    assert plan_package(registry, path).version == "1!2.0"


def test_metadata_1_x_with_a_folded_description_header(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    folded = "\n".join(f"        line {index} of a long description" for index in range(50_000))
    pkg_info = (
        "Metadata-Version: 1.1\nName: oldie\nVersion: 0.3\n"
        f"Description: Oldie\n{folded}\nPlatform: UNKNOWN\n"
    )
    path = tar_sdist(tmp_path / "oldie-0.3.tar.gz", "oldie-0.3", pkg_info)
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("oldie", "0.3")


def test_a_long_description_in_the_body_is_not_parsed(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    # Twelve MiB of README: within the member limit; only the headers reach pkginfo.
    body = "# Big\n\n" + "A paragraph of the README, repeated.\n" * 340_000
    path = wheel(
        tmp_path / "big-1.0-py3-none-any.whl",
        "big-1.0.dist-info",
        metadata("big", "1.0", body=body),
    )
    assert plan_package(registry, path).name == "big"


def test_headers_beyond_any_real_package_are_refused(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    keywords = "".join(f"Keywords: keyword-{index}\n" for index in range(60_000))
    path = wheel(
        tmp_path / "noisy-1.0-py3-none-any.whl",
        "noisy-1.0.dist-info",
        metadata("noisy", "1.0", extra=keywords),
    )
    with pytest.raises(ArtifactLimitError, match="METADATA inside has implausibly large headers"):
        registry.inspect(path)


def test_metadata_without_a_metadata_version_is_refused(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = wheel(tmp_path / "bare-1.0-py3-none-any.whl", "bare-1.0.dist-info", "Name: bare\n")
    with pytest.raises(ArtifactError, match="has no METADATA with a Metadata-Version inside"):
        registry.inspect(path)
