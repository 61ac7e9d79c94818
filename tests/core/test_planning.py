from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, Strength
from pubsmith.errors import ArtifactError, OptionError
from pubsmith.planning import (
    check_option_keys,
    expand_file_argument,
    options_for,
    parse_file_argument,
    plan_package,
    preview_identifier,
)
from pubsmith.registry import FormatRegistry


class _Thing(FormatPlugin):
    PLUGIN_NAME = "thing"
    options = (
        Option("distribution", "Target distribution", required=True),
        Option("version", "Version"),
        Option("pom_file", "Companion", type="file"),
        Option("extra_files", "More files", type="files"),
        Option("strict", "A flag", type="bool"),
        Option("level", "A number", type="int"),
        Option("channel", "One of two", choices=("stable", "beta")),
        Option("group_id", "From inside"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        return Strength.MARKER if artifact.filename.endswith(".thing") else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        fields = {"group_id": "org.acme", "version": "1.0"}
        return PackageInfo(name="thing", version="1.0", fields=fields)

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        pom = artifact.path.with_suffix(".pom")
        return {"pom_file": pom} if pom.exists() else {}

    def read_companions(self, artifact: Artifact, values: Mapping[str, Any]) -> PackageInfo:
        if "pom_file" not in values:
            return PackageInfo()
        # The pom says more than the artifact: where both speak, the artifact wins.
        fields = {"group_id": "org.pom", "version": "0.9", "channel": "beta"}
        return PackageInfo(name="from-pom", version="0.9", fields=fields)


@pytest.fixture
def things(tmp_path: Path) -> tuple[FormatRegistry, Path]:
    path = tmp_path / "a.thing"
    path.write_bytes(b"thing")
    return FormatRegistry({"thing": _Thing()}), path


def test_values_come_from_user_then_companions_then_artifact(
    things: tuple[FormatRegistry, Path],
) -> None:
    registry, path = things
    pom = path.with_suffix(".pom")
    pom.write_text("<project/>")
    plan = plan_package(
        registry, path, options={"distribution": "debian/bookworm"}, tags=["a", "b"], republish=True
    )
    assert plan.values == {
        "package_file": path,
        "distribution": "debian/bookworm",
        "version": "1.0",
        "pom_file": pom,
        "channel": "beta",
        "group_id": "org.acme",
        "tags": "a,b",
        "republish": True,
    }
    assert (plan.name, plan.version) == ("thing", "1.0")
    assert plan.upload_paths() == [path, pom]
    assert plan.preview_payload()["pom_file"] == preview_identifier(pom) == "<upload:a.pom>"
    assert plan.payload({path: "id-1", pom: "id-2"})["pom_file"] == "id-2"


def test_companions_are_read_from_the_file_the_user_gives(
    things: tuple[FormatRegistry, Path], tmp_path: Path
) -> None:
    registry, path = things
    assert "channel" not in plan_package(registry, path, options={"distribution": "d"}).values
    given = tmp_path / "elsewhere.pom"
    given.write_text("<project/>")
    plan = plan_package(registry, path, options={"distribution": "d", "pom_file": str(given)})
    assert (plan.values["pom_file"], plan.values["channel"]) == (given, "beta")


def test_user_options_override_artifact_values_and_are_typed(
    things: tuple[FormatRegistry, Path], tmp_path: Path
) -> None:
    registry, path = things
    extra = tmp_path / "x.txt"
    extra.write_text("x")
    plan = plan_package(
        registry,
        path,
        options={
            "distribution": "d/1",
            "version": "2.0",
            "group_id": "org.other",
            "strict": "yes",
            "level": "3",
            "channel": "beta",
            "extra_files": f"{extra},{extra}",
        },
    )
    assert plan.version == "2.0"
    assert plan.values["group_id"] == "org.other"
    assert plan.values["strict"] is True
    assert plan.values["level"] == 3
    assert plan.values["extra_files"] == [extra, extra]
    assert plan.payload({path: "p", extra: "e"})["extra_files"] == ["e", "e"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, r"thing packages need distribution .* pass --distribution SLUG"),
        ({"distribution": "d", "strict": "maybe"}, "takes true or false"),
        ({"distribution": "d", "level": "high"}, "takes a whole number"),
        ({"distribution": "d", "channel": "nightly"}, "must be one of stable, beta"),
        ({"distribution": "d", "pom_file": "/nonexistent.pom"}, "is not a file"),
        ({"distribution": "d", "colour": "red"}, "no format here takes option 'colour'"),
        ({"distribution": "d", "nosuch.colour": "red"}, "unknown format 'nosuch'"),
        ({"distribution": ""}, "must not be empty"),
    ],
)
def test_bad_options_are_reported_before_anything_is_sent(
    things: tuple[FormatRegistry, Path], options: dict[str, str], message: str
) -> None:
    registry, path = things
    with pytest.raises(Exception, match=message) as caught:
        plan_package(registry, path, options=options)
    assert "ConfigError" in [cls.__name__ for cls in type(caught.value).__mro__]


def test_scoped_options_apply_to_their_format_only() -> None:
    plugin = _Thing()
    options = {
        "distribution": "debian/bookworm",
        "thing.distribution": "el/9",
        "rpm.distribution": "x",
    }
    assert options_for(plugin, options) == {"distribution": "el/9"}


def test_an_option_declared_by_any_format_in_the_call_is_accepted(registry: FormatRegistry) -> None:
    check_option_keys({"version": "1"}, [registry.get("python"), registry.get("raw")], registry)
    with pytest.raises(OptionError, match="no format here takes option 'version'"):
        check_option_keys({"version": "1"}, [registry.get("python")], registry)


def test_raw_sends_no_name_nobody_gave_and_shows_the_one_cloudsmith_derives(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = tmp_path / "notes.bin"
    path.write_bytes(b"\x00\x01")
    plan = plan_package(registry, path, format_name="raw", options={"version": "3"})
    assert plan.preview_payload() == {"package_file": "<upload:notes.bin>", "version": "3"}
    assert (plan.name, plan.version) == ("notes.bin", "3")
    named = plan_package(registry, path, format_name="raw", options={"name": "notes"})
    assert named.preview_payload() == {"package_file": "<upload:notes.bin>", "name": "notes"}
    assert named.name == "notes"


def test_generic_sends_no_name_nobody_gave(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "tool.sh"
    path.write_text("echo hi\n")
    plan = plan_package(registry, path, format_name="generic", options={"filepath": "t/tool.sh"})
    assert plan.preview_payload() == {"package_file": "<upload:tool.sh>", "filepath": "t/tool.sh"}
    assert plan.name == "tool.sh"


@pytest.mark.parametrize(
    ("argument", "path", "format_name"),
    [
        ("raw:notes.txt", "notes.txt", "raw"),
        ("RAW:notes.txt", "notes.txt", "raw"),  # as --format, in any letter case
        ("generic:missing/x.bin", "missing/x.bin", "generic"),  # missing: planning says so
        ("raw:dir/a:b.txt", "dir/a:b.txt", "raw"),  # only the first colon separates
        ("raw:", "raw:", None),  # a format and no path is a (missing) path
        ("pypi:missing.txt", "pypi:missing.txt", None),  # no format, no file: a path
        ("C:notes.txt", "C:notes.txt", None),  # a drive letter is no format's name
        ("notes.txt", "notes.txt", None),
    ],
)
def test_a_file_argument_may_name_its_format(
    registry: FormatRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argument: str,
    path: str,
    format_name: str | None,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("notes")
    assert parse_file_argument(argument, registry) == (Path(path), format_name)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("rawx:notes.txt", "unknown format 'rawx' (did you mean raw?)"),
        ("pypi:notes.txt", "unknown format 'pypi'"),
    ],
)
def test_a_mistyped_format_before_an_existing_file_is_named_as_such(
    registry: FormatRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argument: str,
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("notes")
    with pytest.raises(ArtifactError, match=r"^[^\n]+$") as caught:
        parse_file_argument(argument, registry)
    message = str(caught.value)
    assert message.startswith(f"{argument}: {expected}")
    assert "no such file" not in message and "pubsmith formats" in message


def test_a_quoted_glob_is_expanded_in_name_order(
    registry: FormatRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("dist").mkdir()
    for name in ("b.txt", "a.txt", "c.bin"):
        Path("dist", name).write_text(name)
    assert expand_file_argument("dist/*.txt", registry) == [
        (Path("dist/a.txt"), None),
        (Path("dist/b.txt"), None),
    ]
    assert expand_file_argument("raw:dist/*.bin", registry) == [(Path("dist/c.bin"), "raw")]
    # A Path is a path, never a pattern, and an existing name is never a pattern either.
    assert expand_file_argument(Path("dist/*.txt"), registry) == [(Path("dist/*.txt"), None)]
    Path("dist/[x].txt").write_text("brackets")
    assert expand_file_argument("dist/[x].txt", registry) == [(Path("dist/[x].txt"), None)]
    with pytest.raises(ArtifactError, match=r"^dist/\*\.whl: matches no file"):
        expand_file_argument("dist/*.whl", registry)


def test_an_existing_file_named_like_a_format_prefix_is_that_file(
    registry: FormatRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("notes")
    Path("raw:notes.txt").write_text("another file")
    assert parse_file_argument("raw:notes.txt", registry) == (Path("raw:notes.txt"), None)


def test_a_path_object_is_never_parsed(
    registry: FormatRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("notes")
    assert parse_file_argument(Path("raw:notes.txt"), registry) == (Path("raw:notes.txt"), None)


def test_format_name_is_matched_in_any_letter_case(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = tmp_path / "notes.bin"
    path.write_bytes(b"\x00\x01")
    plan = plan_package(registry, path, format_name="Raw", options={"version": "3"})
    assert plan.format == "raw"
