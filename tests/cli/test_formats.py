from __future__ import annotations

import json

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
