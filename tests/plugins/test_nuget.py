from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cloudsmith_api.models import NugetPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike


def nuspec(
    metadata: str, namespace: str = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"
) -> str:
    return f'<?xml version="1.0"?>\n<package xmlns="{namespace}"><metadata>{metadata}</metadata></package>\n'


SYMBOLS = nuspec(
    "<id>Acme.Greeting</id><version>1.2.3</version>"
    '<packageTypes><packageType name="SymbolsPackage"/></packageTypes>'
)


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "nuget" / "Acme.Greeting.1.2.3.nupkg"


@pytest.fixture
def with_symbols(tmp_path: Path, package: Path) -> Path:
    """The fixture copied beside a .snupkg of the same name."""
    copy = Path(shutil.copy(package, tmp_path / package.name))
    make_zip(copy.with_suffix(".snupkg"), {"Acme.Greeting.nuspec": SYMBOLS})
    return copy


def test_fixture_is_detected_as_nuget(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "nuget"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_nuget(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("nuget").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_only_nupkgs_among_zips_are_nuget(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("nuget").recognise(zip_lookalike(tmp_path, kind)) is (
        FORMAT_OF[kind] == "nuget"
    )


def test_id_and_version_come_from_the_nuspec(registry: FormatRegistry, package: Path) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("nuget", "Acme.Greeting", "1.2.3")


@pytest.mark.parametrize(
    "namespace", ["http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd", ""]
)
def test_any_nuspec_namespace_is_read(
    registry: FormatRegistry, tmp_path: Path, namespace: str
) -> None:
    path = make_zip(
        tmp_path / "x.nupkg",
        {"X.nuspec": nuspec("<id>X</id><version>2.0.0-beta.1</version>", namespace)},
    )
    _, _, info = registry.inspect(path)
    assert (info.name, info.version) == ("X", "2.0.0-beta.1")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, package: Path
) -> None:
    request = NugetPackageUploadRequest(**plan_package(registry, package).preview_payload())
    assert request.package_file == "<upload:Acme.Greeting.1.2.3.nupkg>"
    assert request.symbols_file is None


def test_snupkg_beside_goes_along_as_symbols(registry: FormatRegistry, with_symbols: Path) -> None:
    request = NugetPackageUploadRequest(**plan_package(registry, with_symbols).preview_payload())
    assert request.symbols_file == "<upload:Acme.Greeting.1.2.3.snupkg>"


def test_symbols_file_is_overridable(
    registry: FormatRegistry, with_symbols: Path, tmp_path: Path
) -> None:
    other = make_zip(tmp_path / "other.snupkg", {"Acme.Greeting.nuspec": SYMBOLS})
    plan = plan_package(registry, with_symbols, options={"symbols_file": str(other)})
    assert plan.preview_payload()["symbols_file"] == "<upload:other.snupkg>"


def test_missing_symbols_file_is_an_option_error(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="symbols_file") as caught:
        plan_package(registry, package, options={"symbols_file": "/nonexistent.snupkg"})
    assert caught.value.key == "symbols_file"


def test_snupkg_alone_points_at_its_nupkg(registry: FormatRegistry, with_symbols: Path) -> None:
    with pytest.raises(ArtifactError, match="is a symbols package; publish its .nupkg"):
        registry.inspect(with_symbols.with_suffix(".snupkg"))


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"X.nuspec": nuspec("<id>X</id>")}, "X.nuspec inside has no <version>"),
        ({"X.nuspec": nuspec("<version>1.0</version>")}, "has no <id>"),
        ({"X.nuspec": "<package><metadata><id>X</id>"}, "X.nuspec inside is not well-formed XML"),
        ({"X.nuspec": "<project/>"}, "is not a nuspec"),
        (
            {"X.nuspec": nuspec("<id>X</id>"), "Y.nuspec": nuspec("<id>Y</id>")},
            "has 2 .nuspec files",
        ),
        ({"lib/X.nuspec": nuspec("<id>X</id>")}, "has no .nuspec files at its root"),
        (
            {"X.nuspec": '<!DOCTYPE p [<!ENTITY e "x">]><package><metadata/></package>'},
            "DTD entities, which are refused",
        ),
    ],
)
def test_broken_nupkg_is_refused(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_zip(tmp_path / "X.1.0.nupkg", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "nuget")
    assert caught.value.path == path


def test_truncated_nupkg_is_refused(
    registry: FormatRegistry, tmp_path: Path, package: Path
) -> None:
    path = truncated_copy(package, tmp_path / package.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip") as caught:
        registry.inspect(path, "nuget")
    assert caught.value.path == path
