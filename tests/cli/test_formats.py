from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pubsmith.registry import FormatRegistry
from tests.support.cli import invoke


def test_formats_lists_every_installed_format_with_its_options(registry: FormatRegistry) -> None:
    result = invoke("formats", "--json")
    assert result.exit_code == 0, result.stderr
    listing = json.loads(result.stdout)
    assert [entry["format"] for entry in listing] == registry.names()
    assert len(listing) == 31
    deb = next(entry for entry in listing if entry["format"] == "deb")
    distribution = next(option for option in deb["options"] if option["name"] == "distribution")
    assert distribution["required"] is True
    assert all(entry["summary"] for entry in listing)


def test_formats_text_shows_options_as_o_flags() -> None:
    result = invoke("formats")
    assert result.exit_code == 0
    assert "-o pom_file=...  (file)" in result.stdout
    assert "-o distribution=...  (str, required)" in result.stdout


PLUGIN = """
from pubsmith import FormatPlugin, PackageInfo, Strength, hookimpl

class RawFormat(FormatPlugin):
    PLUGIN_NAME = "raw"
    summary = "Raw files, our way"
    REPLACES_BUILTIN = True

    def recognise(self, artifact):
        return Strength.NONE

    def read_metadata(self, artifact):
        return PackageInfo()

@hookimpl
def pubsmith_register_format():
    return RawFormat
"""


def test_formats_shows_where_a_third_party_plugin_comes_from_and_what_it_replaces(
    plugin_site: Callable[..., Path],
) -> None:
    plugin_site("acme-raw", {"acme_raw": PLUGIN}, {"raw": "acme_raw"})
    result = invoke("formats")
    assert result.exit_code == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("raw ")]
    assert line.endswith(
        "Raw files, our way  [from acme-raw 1.0, replacing the builtin of pubsmith 0.1.0]"
    )
    listing = json.loads(invoke("formats", "--json").stdout)
    raw = next(entry for entry in listing if entry["format"] == "raw")
    assert (raw["distribution"], raw["builtin"], raw["replaces"]) == (
        "acme-raw",
        False,
        "pubsmith 0.1.0",
    )
    npm = next(entry for entry in listing if entry["format"] == "npm")
    assert (npm["distribution"], npm["builtin"], npm["replaces"]) == ("pubsmith", True, None)


def test_formats_with_a_broken_plugin_is_one_line_and_exit_2(
    plugin_site: Callable[..., Path],
) -> None:
    plugin_site("acme-raw", {"acme_raw": PLUGIN.replace("@hookimpl\n", "")}, {"raw": "acme_raw"})
    result = invoke("formats")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: format plugin 'raw' (acme-raw 1.0) registers no format: its "
        "pubsmith_register_format is not marked with @pubsmith.hookimpl; "
        "upgrade or uninstall acme-raw\n"
    )
