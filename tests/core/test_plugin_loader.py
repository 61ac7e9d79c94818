"""Loading plugins from entry points: each way a third-party plugin can break is one
PluginError naming the plugin and its distribution, and a builtin is replaced only on purpose."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pubsmith import Artifact
from pubsmith.errors import PluginError
from pubsmith.plugin_loader import ENTRY_POINT_GROUP
from pubsmith.registration import BUILTIN_DISTRIBUTION
from pubsmith.registry import FormatRegistry

PluginInstaller = Callable[..., Path]

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

PLUGIN = """
from pubsmith import FormatPlugin, PackageInfo, Strength, hookimpl

class WidgetFormat(FormatPlugin):
    PLUGIN_NAME = "{name}"
    REPLACES_BUILTIN = {replaces}

    def recognise(self, artifact):
        return Strength.MARKER if artifact.filename.endswith(".widget") else Strength.NONE

    def read_metadata(self, artifact):
        return PackageInfo(name="widget", version="1")

{hook}
"""
HOOK = """
@hookimpl
def pubsmith_register_format():
    return WidgetFormat
"""


def plugin(name: str = "widget", *, replaces: bool = False, hook: str = HOOK) -> str:
    return PLUGIN.format(name=name, replaces=replaces, hook=hook)


def load_error(plugin_site: PluginInstaller, source: str) -> str:
    plugin_site("fake-widgets", {"fake_widgets": source}, {"widget": "fake_widgets"})
    with pytest.raises(PluginError) as caught:
        FormatRegistry.load()
    message = str(caught.value)
    assert "\n" not in message
    assert "fake-widgets 1.0" in message, message
    assert message.endswith("upgrade or uninstall fake-widgets"), message
    return message


def test_builtin_formats_are_all_registered_through_entry_points(registry: FormatRegistry) -> None:
    assert registry.names() == BUILTIN_FORMATS
    origins = {registration.origin.label for registration in registry.registrations()}
    assert origins == {"pubsmith 0.1.0"}
    assert all(registration.origin.builtin for registration in registry.registrations())


def test_each_builtin_entry_point_is_named_after_its_format() -> None:
    # A builtin is loaded by the name of the format asked for, before it is imported.
    builtins = [
        entry
        for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        if entry.dist is not None and entry.dist.metadata["Name"] == BUILTIN_DISTRIBUTION
    ]
    assert sorted(entry.name for entry in builtins) == BUILTIN_FORMATS
    for entry in builtins:
        assert entry.name == entry.load().pubsmith_register_format().PLUGIN_NAME


_PROBE = """
import json, sys
from pubsmith.registry import FormatRegistry
registry = FormatRegistry.load()
{steps}
print(json.dumps(sorted(m for m in sys.modules if m.startswith("pubsmith_formats."))))
"""


def _builtins_imported(*steps: str) -> list[str]:
    code = _PROBE.format(steps="\n".join(steps))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    modules: list[str] = json.loads(result.stdout)
    return [name for name in modules if not name.split(".")[-1].startswith("_")]


def test_a_builtin_is_imported_when_its_format_is_first_asked_for() -> None:
    assert _builtins_imported() == []
    assert _builtins_imported("assert 'npm' in registry", "registry.canonical_name('RAW')") == []
    assert _builtins_imported("registry.get('raw')") == ["pubsmith_formats.raw"]
    everything = [f"pubsmith_formats.{name}" for name in BUILTIN_FORMATS]
    assert _builtins_imported("registry.registrations()") == everything
    assert _builtins_imported("list(registry)") == everything


def test_detection_asks_every_builtin(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("notes")
    detecting = f"from pubsmith import Artifact; registry.claims(Artifact({str(path)!r}))"
    assert len(_builtins_imported(detecting)) == len(BUILTIN_FORMATS)


def test_third_party_plugin_loads_like_a_builtin(plugin_site: PluginInstaller) -> None:
    plugin_site("fake-widgets", {"fake_widgets": plugin()}, {"widget": "fake_widgets"})
    registry = FormatRegistry.load()
    assert "widget" in registry
    assert "python" in registry
    widget = registry.registration("widget")
    assert (widget.origin.label, widget.origin.builtin, widget.replaces) == (
        "fake-widgets 1.0",
        False,
        None,
    )


def test_a_plugin_that_fails_to_import_is_named_with_its_distribution(
    plugin_site: PluginInstaller,
) -> None:
    message = load_error(plugin_site, "import not_a_module_anywhere\n")
    assert message.startswith("format plugin 'widget' (fake-widgets 1.0) cannot be imported")
    assert "No module named 'not_a_module_anywhere'" in message
    assert "ModuleNotFoundError" not in message


def test_a_hook_with_a_wrong_name_is_named(plugin_site: PluginInstaller) -> None:
    hook = HOOK.replace("def pubsmith_register_format", "def pubsmith_register_formats")
    message = load_error(plugin_site, plugin(hook=hook))
    assert "implements pubsmith_register_formats, which pubsmith does not know" in message
    assert "its hook is pubsmith_register_format" in message


def test_a_hook_with_a_wrong_signature_is_named(plugin_site: PluginInstaller) -> None:
    hook = HOOK.replace("pubsmith_register_format()", "pubsmith_register_format(registry)")
    message = load_error(plugin_site, plugin(hook=hook))
    assert "its pubsmith_register_format takes registry, which the hook does not pass" in message


def test_a_hook_without_hookimpl_is_named(plugin_site: PluginInstaller) -> None:
    message = load_error(plugin_site, plugin(hook=HOOK.replace("@hookimpl\n", "")))
    assert "registers no format: its pubsmith_register_format is not marked with" in message


def test_a_module_without_any_hook_is_named(plugin_site: PluginInstaller) -> None:
    message = load_error(plugin_site, plugin(hook=""))
    assert "registers no format: it has no pubsmith_register_format hook" in message


@pytest.mark.parametrize(
    ("hook", "problem"),
    [
        (
            "@hookimpl\ndef pubsmith_register_format():\n    raise KeyError('widget')\n",
            "failed in pubsmith_register_format ('widget')",
        ),
        (
            "@hookimpl\ndef pubsmith_register_format():\n    return WidgetFormat()\n",
            "pubsmith_register_format returned <fake_widgets.WidgetFormat object",
        ),
        (
            "@hookimpl\ndef pubsmith_register_format():\n    return None\n",
            "pubsmith_register_format returned [], not a FormatPlugin subclass",
        ),
        (
            "WidgetFormat.PLUGIN_NAME = 'Widget Bundles'\n" + HOOK,
            "WidgetFormat.PLUGIN_NAME is 'Widget Bundles', not a lowercase format name",
        ),
        (
            "WidgetFormat.options = (1,)\n" + HOOK,
            "its options are not a tuple of pubsmith.Option",
        ),
        (
            "del WidgetFormat.read_metadata\nWidgetFormat.__abstractmethods__ = {'read_metadata'}\n"
            + HOOK,
            "failed in creating WidgetFormat (Can't instantiate abstract class",
        ),
    ],
)
def test_a_hook_that_breaks_the_contract_is_named(
    plugin_site: PluginInstaller, hook: str, problem: str
) -> None:
    assert problem in load_error(plugin_site, plugin(hook=hook))


def test_two_plugins_with_one_name_is_an_error_naming_both_distributions(
    plugin_site: PluginInstaller,
) -> None:
    plugin_site("fake-widgets", {"fake_widgets": plugin()}, {"widget": "fake_widgets"})
    plugin_site("fake-gadgets", {"fake_gadgets": plugin()}, {"widget": "fake_gadgets"})
    with pytest.raises(PluginError, match="two plugins are named 'widget'") as caught:
        FormatRegistry.load()
    assert "fake-widgets 1.0" in str(caught.value)
    assert "fake-gadgets 1.0" in str(caught.value)
    assert "REPLACES_BUILTIN" not in str(caught.value)


def test_taking_a_builtins_name_without_saying_so_is_an_error_with_the_way_out(
    plugin_site: PluginInstaller,
) -> None:
    plugin_site("fake-raw", {"fake_raw": plugin("raw")}, {"raw": "fake_raw"})
    with pytest.raises(PluginError) as caught:
        FormatRegistry.load()
    message = str(caught.value)
    assert "two plugins are named 'raw'" in message
    assert "pubsmith 0.1.0" in message
    assert "fake-raw 1.0" in message
    assert "or set REPLACES_BUILTIN = True in WidgetFormat to replace the builtin" in message


def test_a_plugin_that_says_so_replaces_a_builtin(
    plugin_site: PluginInstaller, tmp_path_factory: pytest.TempPathFactory
) -> None:
    plugin_site("fake-raw", {"fake_raw": plugin("raw", replaces=True)}, {"raw": "fake_raw"})
    registry = FormatRegistry.load()
    raw = registry.registration("raw")
    assert (raw.origin.label, raw.replaces) == ("fake-raw 1.0", "pubsmith 0.1.0")
    assert type(raw.plugin).__module__ == "fake_raw"
    path = tmp_path_factory.mktemp("files") / "a.widget"
    path.write_text("a widget")
    assert registry.detect(Artifact(path)) is raw.plugin
    assert registry.names() == BUILTIN_FORMATS  # one raw, the replacement


def test_two_replacements_of_one_builtin_are_an_error(plugin_site: PluginInstaller) -> None:
    plugin_site("fake-raw", {"fake_raw": plugin("raw", replaces=True)}, {"raw": "fake_raw"})
    plugin_site("fake-raw2", {"fake_raw2": plugin("raw", replaces=True)}, {"raw": "fake_raw2"})
    with pytest.raises(PluginError, match="two plugins are named 'raw': fake-raw"):
        FormatRegistry.load()
