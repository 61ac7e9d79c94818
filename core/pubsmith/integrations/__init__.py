"""pubsmith inside other tools: a hatch publisher plugin and a Poetry application plugin.

Each module here is loaded by its tool through an entry point; pubsmith itself never
imports them, and depends on neither tool.
"""

from __future__ import annotations

__all__: list[str] = []
