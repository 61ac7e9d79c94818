"""Bounded reading: no artifact, however it was built, makes planning take much memory.

Each hostile file below is tiny on disk and unpacks to gigabytes. ``pubsmith publish
--dry-run`` must refuse it in one line with exit code 2, with at most 150 MiB of resident
memory, measured by a parent process that waits for it and reads
``getrusage(RUSAGE_CHILDREN)``. The command runs under a 2 GiB address-space limit, so
that a regression fails with a MemoryError here instead of taking the machine's memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import bombs

MiB = 1024 * 1024
RSS_TARGET = 150 * MiB
ADDRESS_SPACE = 2048 * MiB

# Every test runs pubsmith as its own process, under a parent that measures it.
pytestmark = pytest.mark.e2e

# Runs its arguments as a child with an address-space limit, then prints the child's exit
# code, stderr and peak resident memory (ru_maxrss is in KiB on Linux) as JSON.
_MEASURE = """
import json, resource, subprocess, sys

limit = int(sys.argv[1])


def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


done = subprocess.run(sys.argv[2:], capture_output=True, text=True, preexec_fn=cap)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": done.returncode, "stderr": done.stderr, "peak": peak}))
"""


@dataclass(frozen=True)
class Run:
    code: int
    stderr: str
    peak: int


def dry_run(path: Path, *args: str) -> Run:
    """``pubsmith publish --dry-run`` of ``path``, measured from a parent of its own."""
    env = {
        **os.environ,
        # Nothing listens here: a request would fail with exit 5, never 2.
        "CLOUDSMITH_API_HOST": "http://127.0.0.1:9",
        "CLOUDSMITH_API_KEY": "bounded-reading-key",
    }
    command = [sys.executable, "-m", "pubsmith", "publish", "--dry-run", "--repo", "acme/r"]
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(ADDRESS_SPACE), *command, *args, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    result = json.loads(measured.stdout)
    return Run(result["code"], result["stderr"], result["peak"])


def assert_refused(run: Run, *fragments: str) -> None:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: "), run.stderr
    for fragment in fragments:
        assert fragment in lines[0], run.stderr
    # No internal exception names: not "MemoryError: ", not "KeyError: ".
    assert "Error:" not in lines[0].removeprefix("error: "), run.stderr
    assert run.code == 2, run.stderr


@dataclass(frozen=True)
class Bomb:
    filename: str
    build: Callable[[Path], Path]
    message: tuple[str, ...]
    options: tuple[str, ...] = ()


BOMBS = {
    # The filer's cases, as measured before: 3.1 GB, 10.5 GB, 0.8 GB, 2 GB, 2 GB, 2 GB, 95 s.
    "deb-control-1GiB": Bomb(
        "bomb_1.0_all.deb",
        bombs.deb_control_bomb,
        ("./control inside control.tar.zst is implausibly large (1 GiB)",),
        ("-d", "debian/bookworm"),
    ),
    "wheel-metadata-1GiB": Bomb(
        "bomb-1.0-py3-none-any.whl",
        bombs.wheel_metadata_bomb,
        ("bomb-1.0.dist-info/METADATA inside is implausibly large (over 16 MiB)",),
    ),
    "npm-pax-header-256MiB": Bomb(
        "pax-bomb-1.0.0.tgz",
        bombs.npm_pax_bomb,
        ("tar header extension of 268435456 bytes, implausibly large (over 1 MiB)",),
    ),
    "p2-content-jar-2GiB": Bomb(
        "bomb-repo.zip",
        bombs.p2_content_bomb,
        ("content.jar inside has no root element near its start",),
    ),
    "conda-index-json-2GiB": Bomb(
        "bomb-1.0-0.conda",
        bombs.conda_index_bomb,
        ("info/index.json inside info-bomb-1.0-0.tar.zst is implausibly large (2 GiB)",),
    ),
    "zip-member-lying-about-its-size": Bomb(
        "liar-1.0-py3-none-any.whl",
        bombs.lying_zip_member,
        ("cannot read liar-1.0.dist-info/METADATA inside", "fails the CRC check"),
    ),
    "npm-1M-entries": Bomb(
        "many-1.0.0.tgz",
        bombs.npm_many_entries,
        ("has more than 100,000 members",),
    ),
    # Parsed into objects, metadata grows: these would take hundreds of MiB each.
    "npm-package-json-of-empty-objects": Bomb(
        "objects-1.0.0.tgz",
        bombs.npm_json_bomb,
        ("package/package.json inside is implausibly large (over 2 MiB)",),
    ),
    "helm-chart-yaml-of-400k-flow-items": Bomb(
        "chart-0.1.0.tgz",
        bombs.helm_yaml_bomb,
        ("chart/Chart.yaml inside is implausibly large YAML (over 50,000 entries)",),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BOMBS))
def test_a_bomb_is_refused_in_one_line_within_the_memory_target(tmp_path: Path, case: str) -> None:
    bomb = BOMBS[case]
    path = bomb.build(tmp_path / bomb.filename)
    assert path.stat().st_size < 10 * MiB  # small on disk, as the filer's were
    run = dry_run(path, *bomb.options)
    assert_refused(run, str(path), *bomb.message)
    assert run.peak < RSS_TARGET, f"{run.peak / MiB:.0f} MiB"


def test_a_real_package_is_planned_within_the_memory_target(fixtures_dir: Path) -> None:
    # The measurement itself: a plain fixture plans, exit 0, far under the target.
    run = dry_run(fixtures_dir / "npm" / "acme-greeting-2.1.0.tgz")
    assert run.code == 0, run.stderr
    assert "[npm @acme/greeting 2.1.0]" in run.stderr
    assert run.peak < RSS_TARGET
