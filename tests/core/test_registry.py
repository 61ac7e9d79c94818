from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from pubsmith import FormatPlugin, PackageInfo, hookimpl
from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError, ConfigError, FormatDetectionError, PluginError
from pubsmith.registry import FormatRegistry

BUILTIN_FORMATS = sorted(
    [
        "alpine",
        "cargo",
        "cocoapods",
        "composer",
        "conan",
        "conda",
        "cran",
        "dart",
        "deb",
        "docker",
        "generic",
        "go",
        "helm",
        "hex",
        "huggingface",
        "luarocks",
        "maven",
        "mcp",
        "nix",
        "npm",
        "nuget",
        "p2",
        "python",
        "raw",
        "rpm",
        "ruby",
        "skills",
        "swift",
        "terraform",
        "vagrant",
        "vsx",
    ]
)


def install_fake_distribution(
    root: Path, name: str, modules: dict[str, str], entry_points: dict[str, str]
) -> None:
    """A real installed distribution on sys.path: its entry points load like any other."""
    dist_info = root / f"{name}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[pubsmith.formats]\n{lines}\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for module in [name for name in sys.modules if name.startswith("fake_")]:
        del sys.modules[module]


def test_builtin_formats_are_all_registered_through_entry_points(registry: FormatRegistry) -> None:
    assert registry.names() == BUILTIN_FORMATS


PLUGIN_SOURCE = """
from pubsmith import FormatPlugin, PackageInfo, hookimpl

class WidgetFormat(FormatPlugin):
    PLUGIN_NAME = "{name}"

    def recognise(self, artifact):
        return artifact.filename.endswith(".widget")

    def read_metadata(self, artifact):
        return PackageInfo(name="widget", version="1")

@hookimpl
def pubsmith_register_format():
    return WidgetFormat
"""


def test_third_party_plugin_loads_like_a_builtin(site: Path) -> None:
    install_fake_distribution(
        site,
        "fake-widgets",
        {"fake_widgets": PLUGIN_SOURCE.format(name="widget")},
        {"widget": "fake_widgets"},
    )
    registry = FormatRegistry.load()
    assert "widget" in registry
    assert "python" in registry


def test_two_plugins_with_one_name_is_an_error_naming_both_distributions(site: Path) -> None:
    install_fake_distribution(
        site,
        "fake-pythons",
        {"fake_pythons": PLUGIN_SOURCE.format(name="python")},
        {"python": "fake_pythons"},
    )
    with pytest.raises(PluginError) as caught:
        FormatRegistry.load()
    message = str(caught.value)
    assert "two plugins are named 'python'" in message
    assert "fake-pythons 1.0" in message
    assert "pubsmith " in message


def test_a_plugin_that_fails_to_import_is_named_with_its_distribution(site: Path) -> None:
    install_fake_distribution(
        site,
        "fake-broken",
        {"fake_broken": "import not_a_module_anywhere\n"},
        {"broken": "fake_broken"},
    )
    with pytest.raises(
        PluginError, match=r"'broken' from fake-broken 1\.0 failed to load: ModuleNotFoundError"
    ):
        FormatRegistry.load()


def test_registering_something_that_is_not_a_format_plugin_is_refused() -> None:
    class Bogus:
        @hookimpl
        def pubsmith_register_format(self) -> type:
            return dict

    with pytest.raises(PluginError, match="not a FormatPlugin"):
        FormatRegistry.load(extra=[Bogus()])


class _Always(FormatPlugin):
    PLUGIN_NAME = "always"

    def recognise(self, artifact: Artifact) -> bool:
        return True

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        return PackageInfo()


class _Corrupt(FormatPlugin):
    PLUGIN_NAME = "corrupt"

    def recognise(self, artifact: Artifact) -> bool:
        raise ArtifactError(artifact.path, "broken")

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        return PackageInfo()


def test_detection_names_every_fitting_format_when_more_than_one_fits(tmp_path: Path) -> None:
    wheel = tmp_path / "x.whl"
    wheel.write_bytes(b"not a zip")
    registry = FormatRegistry({"always": _Always(), "also": _Always(), "corrupt": _Corrupt()})
    with pytest.raises(FormatDetectionError) as caught:
        registry.detect(Artifact(wheel))
    assert caught.value.candidates == ("also", "always")
    assert "prefix it with one, as in also:FILE" in str(caught.value)


def test_detection_of_an_unknown_file_suggests_raw(
    tmp_path: Path, registry: FormatRegistry
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(FormatDetectionError, match="raw:"):
        registry.detect(Artifact(path))


def test_unknown_format_lists_the_installed_ones(registry: FormatRegistry) -> None:
    with pytest.raises(ConfigError, match="unknown format 'pypi'; installed formats: .*python"):
        registry.get("pypi")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
        (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
    ],
)
def test_inspect_rejects_paths_that_are_not_readable_files(
    tmp_path: Path, registry: FormatRegistry, make, message: str
) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "thing.whl")
    with pytest.raises(ArtifactError, match=message):
        registry.inspect(path, "python")


def test_canonical_name_matches_in_any_letter_case() -> None:
    registry = FormatRegistry({"raw": _Always()})
    assert registry.canonical_name("RaW") == "raw"
    assert registry.canonical_name("pypi") is None
