"""Detection by strength, and every call into a plugin made safe: a plugin's own bug is a
PluginError naming it, never a traceback or a file blamed for it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pubsmith import FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith.artifact import Artifact
from pubsmith.errors import (
    ArtifactError,
    BadInputError,
    ConfigError,
    FormatDetectionError,
    PluginError,
)
from pubsmith.planning import plan_package
from pubsmith.publishing import plan_files
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_zip


class _Claims(FormatPlugin):
    """Claims every file with the strength it is made with."""

    PLUGIN_NAME = "claims"

    def __init__(self, strength: Strength = Strength.MARKER) -> None:
        self.strength = strength

    def recognise(self, artifact: Artifact) -> Strength:
        return self.strength

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        return PackageInfo(name="claimed")


class _Corrupt(_Claims):
    def recognise(self, artifact: Artifact) -> Strength:
        raise ArtifactError(artifact.path, "broken")


class _Widget(FormatPlugin):
    """A third-party format whose zips also hold a composer.json."""

    PLUGIN_NAME = "widget"
    options = (Option("icon_file", "An icon", type="file"),)

    def recognise(self, artifact: Artifact) -> Strength:
        return Strength.MARKER if artifact.has("widget.json") else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        return PackageInfo(name="w", version="1", fields={})


class _Buggy(_Widget):
    """Breaks in the method named by ``broken``, on widget zips only."""

    def __init__(self, broken: str) -> None:
        self.broken = broken

    def _maybe(self, method: str) -> None:
        if method == self.broken:
            raise KeyError("name")

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.filename.endswith(".zip"):
            self._maybe("recognise")
        return super().recognise(artifact)

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        self._maybe("read_metadata")
        return super().read_metadata(artifact)

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        self._maybe("find_companions")
        return {}

    def read_companions(self, artifact: Artifact, values: Mapping[str, Any]) -> PackageInfo:
        self._maybe("read_companions")
        return PackageInfo()

    def build_payload(self, values: dict[str, Any]) -> dict[str, Any]:
        self._maybe("build_payload")
        return values


@pytest.fixture
def widget_zip(tmp_path: Path) -> Path:
    return make_zip(
        tmp_path / "demo.zip",
        {"widget.json": '{"name": "w"}', "composer.json": '{"name": "acme/demo"}'},
    )


def test_registering_something_that_is_not_a_format_plugin_is_refused() -> None:
    class Bogus:
        @hookimpl
        def pubsmith_register_format(self) -> type:
            return dict

    with pytest.raises(PluginError, match="returned <class 'dict'>, not a FormatPlugin subclass"):
        FormatRegistry.load(extra=[Bogus()])


def test_a_zip_with_two_formats_markers_goes_to_the_stronger_claim(widget_zip: Path) -> None:
    class WidgetPlugin:
        @hookimpl
        def pubsmith_register_format(self) -> type[FormatPlugin]:
            return _Widget

    registry = FormatRegistry.load(extra=[WidgetPlugin()])
    claims = registry.claims(Artifact(widget_zip))
    assert claims == {"widget": Strength.MARKER, "composer": Strength.CONTAINER}
    assert registry.detect(Artifact(widget_zip)).PLUGIN_NAME == "widget"
    assert plan_package(registry, widget_zip).format == "widget"
    # Under --format composer it is a composer package all the same.
    assert plan_package(registry, widget_zip, format_name="composer").name == "acme/demo"


def test_equally_strong_claims_are_an_error_naming_them_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"anything")
    registry = FormatRegistry(
        {
            "always": _Claims(Strength.MARKER),
            "also": _Claims(Strength.MARKER),
            "weaker": _Claims(Strength.MANIFEST),
            "corrupt": _Corrupt(),
        }
    )
    with pytest.raises(FormatDetectionError) as caught:
        registry.detect(Artifact(path))
    assert caught.value.candidates == ("also", "always")
    assert "prefix it with one, as in also:FILE" in str(caught.value)


def test_the_single_strongest_claim_wins(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"anything")
    registry = FormatRegistry(
        {
            "container": _Claims(Strength.CONTAINER),
            "signature": _Claims(Strength.SIGNATURE),
            "marker": _Claims(Strength.MARKER),
            "none": _Claims(Strength.NONE),
        }
    )
    assert registry.detect(Artifact(path)) is registry.get("signature")
    assert list(registry.claims(Artifact(path))) == ["signature", "marker", "container"]


def test_a_fallback_claim_wins_only_unopposed(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"anything")
    alone = FormatRegistry({"fallback": _Claims(Strength.FALLBACK), "none": _Claims(Strength.NONE)})
    assert alone.detect(Artifact(path)) is alone.get("fallback")
    opposed = FormatRegistry(
        {"fallback": _Claims(Strength.FALLBACK), "container": _Claims(Strength.CONTAINER)}
    )
    assert opposed.detect(Artifact(path)) is opposed.get("container")
    assert Strength.NONE < Strength.FALLBACK < Strength.CONTAINER


def test_detection_of_an_unknown_file_suggests_raw(
    tmp_path: Path, registry: FormatRegistry
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(FormatDetectionError, match="raw:"):
        registry.detect(Artifact(path))


def test_recognise_must_answer_with_a_strength(tmp_path: Path) -> None:
    class Boolean(_Claims):
        def recognise(self, artifact: Artifact) -> Strength:
            return True  # type: ignore[return-value]  # the mistake under test

    path = tmp_path / "x.bin"
    path.write_bytes(b"x")
    with pytest.raises(PluginError) as caught:
        FormatRegistry({"boolean": Boolean()}).detect(Artifact(path))
    assert "format plugin 'claims' (registered directly) recognise returned True" in str(
        caught.value
    )
    assert caught.value.path == path


@pytest.mark.parametrize(
    "method", ["read_metadata", "find_companions", "read_companions", "build_payload"]
)
def test_a_plugin_failing_in_a_method_is_named_and_nothing_is_sent(
    widget_zip: Path, method: str
) -> None:
    registry = FormatRegistry({"widget": _Buggy(method)})
    with pytest.raises(PluginError) as caught:
        plan_package(registry, widget_zip)
    assert str(caught.value) == (
        f"{widget_zip}: format plugin 'widget' (registered directly) failed in {method} "
        "('name'); fix the plugin"
    )
    assert "KeyError" not in str(caught.value)


@pytest.mark.parametrize(
    ("returned", "problem"),
    [
        ({"icon_file": "icon.png"}, "find_companions returned {'icon_file': 'icon.png'}"),
        ({"nosuch": Path("x")}, "find_companions returned {'nosuch': PosixPath('x')}"),
    ],
)
def test_a_plugin_returning_the_wrong_thing_is_named(
    widget_zip: Path, returned: object, problem: str
) -> None:
    class Wrong(_Widget):
        def find_companions(self, artifact: Artifact) -> dict[str, Path]:
            return returned  # type: ignore[return-value]  # the mistake under test

    with pytest.raises(PluginError, match=re.escape(problem)):
        plan_package(FormatRegistry({"widget": Wrong()}), widget_zip)


def test_one_plugins_detection_bug_stops_only_the_files_it_fails_on(
    registry: FormatRegistry, widget_zip: Path, fixtures_dir: Path
) -> None:
    buggy = FormatRegistry(
        [
            *registry.registrations(),
            *FormatRegistry({"widget": _Buggy("recognise")}).registrations(),
        ]
    )
    npm = fixtures_dir / "npm" / "acme-greeting-2.1.0.tgz"
    with pytest.raises(BadInputError) as caught:
        plan_files([npm, widget_zip], registry=buggy)
    [problem] = caught.value.errors
    assert isinstance(problem, PluginError)
    assert str(problem) == (
        f"{widget_zip}: format plugin 'widget' (registered directly) failed in recognise "
        "('name'); name the file's format as FORMAT:FILE to skip detection; fix the plugin"
    )
    # Named with its format, the file needs no detection, and the buggy plugin is not asked.
    plans = plan_files([str(npm), f"composer:{widget_zip}"], registry=buggy)
    assert [plan.format for plan in plans] == ["npm", "composer"]


def test_an_artifact_error_in_recognise_is_no_claim(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"x")
    registry = FormatRegistry({"corrupt": _Corrupt(), "claims": _Claims()})
    assert registry.detect(Artifact(path)) is registry.get("claims")


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


def test_inspect_reads_the_companions_beside_the_file(
    registry: FormatRegistry, fixtures_dir: Path
) -> None:
    # The sandbox sees a package this way: conan's name lives in the recipe beside it.
    _, _, info = registry.inspect(fixtures_dir / "conan" / "conan_package.tgz")
    assert (info.name, info.version) == ("acme-greeting", "1.0.0")


def test_canonical_name_matches_in_any_letter_case() -> None:
    registry = FormatRegistry({"raw": _Claims()})
    assert registry.canonical_name("RaW") == "raw"
    assert registry.canonical_name("pypi") is None
