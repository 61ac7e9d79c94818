"""The hooks a pubsmith plugin can implement.

A plugin is a module named by an entry point in the ``pubsmith.formats`` group. pubsmith
registers every such module with pluggy, builtins included, and calls these hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pubsmith.plugin import FormatPlugin

__all__ = ["hookimpl", "hookspec", "pubsmith_register_format"]

PROJECT_NAME = "pubsmith"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def pubsmith_register_format() -> type[FormatPlugin]:
    """Return the :class:`~pubsmith.FormatPlugin` subclass this plugin provides.

    Called once per plugin module, with no arguments, when pubsmith first needs its
    formats. The class's ``PLUGIN_NAME`` must be unique across installed plugins.

    .. versionadded:: 0.1
    """
    raise NotImplementedError
