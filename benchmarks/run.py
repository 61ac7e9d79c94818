"""pubsmith against curl and Cloudsmith's own CLI, on a local sandbox: ``make bench``.

Measures in one run, side by side, medians over ``--runs``:

1. one big raw file (default 1 GiB): ``pubsmith publish`` vs ``curl -T`` of the same bytes
   to a presigned PUT URL alongside ``openssl dgst -sha256`` of the file (moving the bytes
   plus the checksum pubsmith computes: the reference) vs plain ``curl -T`` (bytes only, for
   information) vs ``cloudsmith push raw``; wall time, CPU and peak RSS;
2. the same file through a sandbox shaping uploads to ``--bandwidth`` MiB/s (default 100),
   as a real link would: pubsmith vs curl;
3. ``--packages`` small raw packages with 50 ms added to every request and 1 s of
   processing: one ``pubsmith publish`` vs a shell loop of ``cloudsmith push``; wall time
   and requests per package counted by the sandbox;
4. ``--many`` small raw packages (default 300) with 20 ms latency and 0.5 s of processing,
   default flags: pubsmith against the floor computed in the same run (packages x requests
   per package x latency / concurrency + processing), and its memory against one package's;
5. start-up: ``pubsmith --version`` and ``pubsmith publish --help`` vs ``cloudsmith --version``.

cloudsmith-cli runs twice: as shipped, and at its best (``-R``: no rate-limit pause,
``-I 1``: shortest poll interval, ``DO_NOT_TRACK=1``: no telemetry or update check); the
targets are held against the faster of the two. Prints a Markdown table, then each target
as PASS or FAIL; exits 1 when one is missed, 2 when the benchmark itself cannot run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _harness import RSS_METHOD, BenchError, memory_directory
from _report import Measured, notes, table, targets
from _scenarios import (
    CURL_SHA256,
    PEERS,
    Results,
    Tools,
    big_file,
    many_packages,
    many_small,
    start_up,
)

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent


def _size(text: str) -> int:
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    suffix = text[-1:].upper()
    try:
        return int(float(text[:-1]) * units[suffix]) if suffix in units else int(text)
    except ValueError:
        message = f"expected a size such as 1G or 256M, not {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per client (default 5)")
    parser.add_argument("--size", type=_size, default=1024**3, help="big file size (default 1G)")
    parser.add_argument("--packages", type=int, default=50, help="small packages (default 50)")
    parser.add_argument(
        "--many", type=int, default=300, help="packages of scenario 4 (default 300)"
    )
    parser.add_argument(
        "--bandwidth",
        type=float,
        default=100.0,
        help="MiB/s of the shaped link in scenario 2 (default 100)",
    )
    parser.add_argument(
        "--peer-loop-runs",
        type=int,
        default=1,
        help="runs of each cloudsmith-cli loop over the small packages; each "
        "takes minutes (default 1)",
    )
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=10,
        help="repetitions of each start-up command (default 10)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=36000,
        help="the sandbox's request budget per --rate-interval (default 36000)",
    )
    parser.add_argument(
        "--rate-interval",
        type=float,
        default=3600.0,
        help="seconds in a rate-limit window (default 3600)",
    )
    parser.add_argument("--scenarios", default="1,2,3,4,5", help="which to run (default 1,2,3,4,5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one run of each, 3 start-up repetitions, and no as-shipped "
        "cloudsmith-cli loop over the small packages (its 5 s poll sleeps take "
        "6 of the full run's 11 minutes): for trying changes, not for the README",
    )
    parser.add_argument("--workdir", type=Path, help="where the temporary files go")
    parser.add_argument(
        "--sandbox-dir",
        type=Path,
        help="where the sandboxes keep their data (default: /dev/shm when it is "
        "a memory file system with room for the big file, else --workdir)",
    )
    parser.add_argument("--pubsmith", type=Path, default=Path(sys.executable).parent / "pubsmith")
    parser.add_argument(
        "--peer",
        type=Path,
        default=Path(
            os.environ.get("PUBSMITH_PEER_CLI", ROOT / ".venv-peer" / "bin" / "cloudsmith")
        ),
    )
    return parser.parse_args()


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> int:
    args = _arguments()
    if args.quick:
        args.runs, args.peer_loop_runs, args.startup_runs = 1, 1, 3
    chosen = set(args.scenarios.split(","))
    curl = shutil.which("curl")
    for tool in (args.pubsmith, args.peer):
        if not os.access(tool, os.X_OK):
            print(f"bench: {tool} is missing; run `make bench` (it installs both)", file=sys.stderr)
            return 2
    if curl is None:
        print("bench: curl is not on PATH", file=sys.stderr)
        return 2
    started, load_before = time.monotonic(), os.getloadavg()
    measured = Measured(many_count=args.many)
    memory = None if args.sandbox_dir else memory_directory(args.size + 512 * 1024**2)
    with contextlib.ExitStack() as stack:
        work = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="pubsmith-bench-", dir=args.workdir)
            )
        )
        sandboxes = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(
                    prefix="pubsmith-bench-sandboxes-", dir=args.sandbox_dir or memory or work
                )
            )
        )
        tools = Tools(
            args.pubsmith,
            args.peer,
            curl,
            shutil.which("openssl"),
            work / "home",
            sandboxes,
            ("--rate-limit", str(args.rate_limit), "--rate-interval", str(args.rate_interval)),
        )
        tools.home.mkdir()
        try:
            if "5" in chosen:
                measured = replace(measured, start=start_up(tools, args.startup_runs, _progress))
            if "1" in chosen:
                big = big_file(tools, work, args.size, args.runs, _progress)
                measured = replace(measured, big=big)
            if "2" in chosen:
                shaped = big_file(
                    tools, work, args.size, args.runs, _progress, bandwidth=args.bandwidth,
                    peers=(),
                )  # fmt: skip
                measured = replace(measured, shaped=shaped)
            if "3" in chosen:
                peers = PEERS[1:] if args.quick else PEERS
                small = many_small(
                    tools, work, args.packages, args.runs, args.peer_loop_runs, peers, _progress
                )
                measured = replace(measured, small=small)
            if "4" in chosen:
                many = many_packages(
                    tools,
                    work,
                    args.many,
                    args.runs,
                    _progress,
                    latency_ms=round(measured.many_latency * 1000),
                    sync_seconds=measured.many_processing,
                )
                measured = replace(measured, many=many)
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
    size = f"{args.size / 1024**3:g} GiB raw file, no wait"
    sections: list[tuple[str, Results | None, str]] = [
        (size, measured.big, CURL_SHA256),
        (f"{size}, {args.bandwidth:g} MiB/s link", measured.shaped, CURL_SHA256),
        (f"{args.packages} packages, 50 ms + 1 s", measured.small, "pubsmith"),
        (f"{args.many} packages, 20 ms + 0.5 s", measured.many, "pubsmith"),
        ("start-up", measured.start, "pubsmith --version"),
    ]
    load_after = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; {time.monotonic() - started:.0f} s in all"
    )
    print(
        f"sandbox rate limit: {args.rate_limit} requests per {args.rate_interval:g} s, "
        "the same for every client"
    )
    storage = "memory (tmpfs)" if memory else "as given" if args.sandbox_dir else "disk"
    print(f"sandbox data: {storage}, {sandboxes.parent}\n")
    print(table([(title, results, ref) for title, results, ref in sections if results]))
    print(
        "\nwall: median over the runs; x ref: median wall / the reference client's; CPU: user"
        " + system of the client's process tree; requests/pkg: the sandbox's request count "
        f"(API and uploads) / packages; peak RSS: {RSS_METHOD}.\n"
    )
    missed = 0
    for target in targets(measured):
        missed += not target.met
        print(f"{'PASS' if target.met else 'FAIL'}  {target.name}: {target.detail}")
    for note in notes(measured):
        print(f"INFO  {note}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
