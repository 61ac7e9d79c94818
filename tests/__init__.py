"""pubsmith's tests: a package, so that they import their helpers as ``tests.support``."""

from __future__ import annotations

__all__: list[str] = []
