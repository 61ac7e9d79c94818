"""Branch coverage per package and in total, in four lines; exit 2 below the floor.

``make test`` runs it once the data of the test run and of the processes it started are
combined. The floor is ``fail_under`` in pyproject.toml; ``coverage report -m`` (or
``coverage html``) shows every file and the lines and branches not taken.
"""

from __future__ import annotations

import io
import sys

import coverage

__all__ = ["main"]

PACKAGES = {
    "pubsmith": "*/core/pubsmith/*",
    "pubsmith_formats": "*/plugins/pubsmith_formats/*",
    "pubsmith_sandbox": "*/sandbox/pubsmith_sandbox/*",
}


def main() -> int:
    measured = coverage.Coverage()
    measured.load()
    precision = measured.config.precision
    for name, pattern in PACKAGES.items():
        share = measured.report(include=pattern, file=io.StringIO())
        print(f"coverage {name:<17} {share:6.{precision}f}%")
    total = measured.report(file=io.StringIO())
    floor = measured.config.fail_under
    print(f"coverage {'total':<17} {total:6.{precision}f}%  (branch; floor {floor:g}%)")
    if round(total, precision) < floor:
        print(
            f"error: coverage fell below the floor of {floor:g}%: cover the new code, "
            "or lower fail_under in pyproject.toml saying why",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
