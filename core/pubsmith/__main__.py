from __future__ import annotations

from pubsmith.cli import main

main()
