"""What the tests share: running pubsmith, talking to a sandbox, building artifacts.

Imported as a package (``from tests.support.cli import pubsmith``): pytest puts the
repository root on ``sys.path`` (``pythonpath`` in pyproject.toml), so no test module
reaches a helper through its own directory.
"""

from __future__ import annotations

__all__: list[str] = []
