"""The hooks a pubsmith plugin can implement.

A plugin is a module named by an entry point in the ``pubsmith.formats`` group. pubsmith
imports every such module, builtins included, registers it with pluggy, checks its hook
implementations against the specifications below, and calls them through the plugin
manager. Everything else a format plugin does is a method of the class it registers,
:class:`pubsmith.FormatPlugin`.

A module that fails to import, implements a hook that is not specified here, implements one
with other arguments, or marks no function with :data:`hookimpl` is reported as a
:class:`~pubsmith.PluginError` naming the plugin and its distribution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pubsmith.plugin import FormatPlugin

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec", "pubsmith_register_format"]

PROJECT_NAME = "pubsmith"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def pubsmith_register_format() -> type[FormatPlugin]:
    """Return the :class:`~pubsmith.FormatPlugin` subclass this plugin provides.

    Called once per plugin module, with no arguments, when pubsmith first needs its
    formats. The class's ``PLUGIN_NAME`` must be unique across installed plugins, unless
    the class sets ``REPLACES_BUILTIN`` to take over the builtin format of that name.

    .. versionadded:: 0.1
    """
    raise NotImplementedError
