"""The measurements: one big file (on loopback and on a shaped link), many small packages
against the official CLI, many more alone against their floor, and start-up.

Every client run gets a fresh sandbox (same settings, so the same ``X-RateLimit-*``
headers and no work left over from the run before), and the clients take turns within
each round so that noise from other work on the machine falls on all of them alike.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _harness import BenchError, Sample, SandboxProcess, measure

__all__ = [
    "CURL",
    "CURL_SHA256",
    "ONE_PACKAGE",
    "PEERS",
    "Results",
    "Tools",
    "big_file",
    "many_packages",
    "many_small",
    "start_up",
]

REPO = "bench/perf"
CURL = "curl"
CURL_SHA256 = "curl + openssl sha256"
"""curl, with the file's sha256 taken meanwhile by ``openssl dgst``: the same bytes moved
and the same checksum work pubsmith does, by the fastest tools this machine has."""
ONE_PACKAGE = "pubsmith, 1 package"
"""The same run with one package: the baseline the many-package run's memory is held to."""
SHIPPED = "cloudsmith-cli as shipped"
TUNED = "cloudsmith-cli -R -I 1, DO_NOT_TRACK=1"
PEERS = (SHIPPED, TUNED)
_WRITE_CHUNK = 16 * 1024 * 1024
_FILE = "\0file"


@dataclass
class Results:
    """Samples per client, and requests per package where the scenario counts them."""

    samples: dict[str, list[Sample]] = field(default_factory=dict)
    requests: dict[str, list[float]] = field(default_factory=dict)

    def add(self, client: str, sample: Sample, requests: float | None = None) -> None:
        self.samples.setdefault(client, []).append(sample)
        if requests is not None:
            self.requests.setdefault(client, []).append(requests)


@dataclass(frozen=True)
class Tools:
    pubsmith: Path
    cloudsmith: Path
    curl: str
    openssl: str | None
    home: Path
    sandboxes: Path
    """Where each sandbox keeps its data, in a directory of its own removed after it."""
    sandbox_settings: tuple[str, ...]
    """Rate-limit flags given to every sandbox of the run."""

    def env(self, peer: str | None = None) -> dict[str, str]:
        """A fresh user's environment: private home, the key in the environment."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "CLOUDSMITH_API_KEY": "bench-key",
        }
        if peer == TUNED:
            env["DO_NOT_TRACK"] = "1"
        return env

    def push(self, peer: str, sandbox: SandboxProcess, path: str, *extra: str) -> list[str]:
        tuned = ["-R", "-I", "1"] if peer == TUNED else []
        return [
            str(self.cloudsmith),
            "push",
            "raw",
            REPO,
            path,
            "--version",
            "1.0.0",
            "--api-host",
            sandbox.url,
            *tuned,
            *extra,
        ]

    def put(self, path: Path, url: str, *, hashing: bool) -> list[str]:
        """curl's PUT of ``path``; with ``hashing``, alongside ``openssl dgst -sha256`` of it."""
        command = [
            self.curl,
            "-sS",
            "-f",
            "-o",
            os.devnull,
            "-T",
            str(path),
            "-H",
            "Content-Type: application/octet-stream",
            url,
        ]
        if not hashing:
            return command
        assert self.openssl is not None
        script = (
            f'{shlex.quote(self.openssl)} dgst -sha256 "$0" >/dev/null & hashing=$!; '
            f'{shlex.join(command[:-1])} "$1" || exit $?; wait "$hashing"'
        )
        return ["sh", "-c", script, str(path), url]

    def publish(self, sandbox: SandboxProcess, paths: list[Path], *extra: str) -> list[str]:
        return [
            str(self.pubsmith),
            "publish",
            *map(str, paths),
            "--format",
            "raw",
            "--repo",
            REPO,
            "--api-url",
            sandbox.url,
            "-o",
            "version=1.0.0",
            *extra,
        ]

    def sandbox(self, name: str, *settings: str) -> SandboxProcess:
        return SandboxProcess(
            self.pubsmith, self.sandboxes / name, REPO, *settings, *self.sandbox_settings
        )


def _expect(sandbox: SandboxProcess, state: str, count: int, client: str) -> None:
    found = sandbox.packages().get(state, 0)
    if found != count:
        raise BenchError(f"{client}: expected {count} package(s) {state}, the sandbox has {found}")


def _write(path: Path, size: int, consume: Callable[[bytes], object], zeros: bool = False) -> None:
    """Write ``size`` random bytes (or zeros, deleting the file again) in big steps."""
    zero = bytes(_WRITE_CHUNK)
    with path.open("wb") as out:
        left = size
        while left:
            chunk = zero[:left] if zeros else os.urandom(min(_WRITE_CHUNK, left))
            consume(chunk)
            out.write(chunk)
            left -= len(chunk)
    if zeros:
        path.unlink()


def big_file(
    tools: Tools,
    work: Path,
    size: int,
    runs: int,
    progress: Callable[[str], None],
    *,
    bandwidth: float | None = None,
    peers: tuple[str, ...] = PEERS,
) -> Results:
    """One ``size``-byte raw file; nobody waits for processing, which curl cannot do.

    With ``bandwidth`` (MiB/s) the sandbox shapes the upload to that link.
    """
    # Page-cache writes to memory the machine has not used yet can be several times
    # slower (a virtual machine's host allocates it on first touch): pass over enough of
    # it first that no client is the one to pay for that.
    _write(work / "warm-up.bin", 3 * size, lambda _: None, zeros=True)
    path = work / "big.bin"
    sha256 = hashlib.sha256()
    _write(path, size, sha256.update)
    os.sync()  # written back now, not while a client is being measured
    results = Results()
    # Processing would only start after an hour: no server work spills into the next run.
    settings: tuple[str, ...] = ("--sync-seconds", "3600")
    if bandwidth is not None:
        settings += ("--bandwidth", f"{bandwidth:g}")
    link = f", {bandwidth:g} MiB/s link" if bandwidth is not None else ""
    counter = itertools.count()
    references = (CURL, *([CURL_SHA256] if tools.openssl else []))
    try:
        for run in range(runs):
            for client in (*references, "pubsmith", *peers):
                progress(f"big file{link}, run {run + 1}/{runs}: {client}")
                with tools.sandbox(f"sandbox-{next(counter)}", *settings) as sandbox:
                    if client in references:
                        url = sandbox.presigned_put(path.name, sha256.hexdigest())
                        command = tools.put(path, url, hashing=client == CURL_SHA256)
                        results.add(client, sandbox.measure(command, tools.env(), client))
                        if sandbox.state()["uploads"]["completed"] != 1:
                            raise BenchError(f"{client}: the sandbox did not complete the upload")
                        continue
                    if client == "pubsmith":
                        command = tools.publish(sandbox, [path], "--no-wait")
                    else:
                        command = tools.push(client, sandbox, str(path), "--no-wait-for-sync")
                    results.add(client, sandbox.measure(command, tools.env(client), client))
                    _expect(sandbox, "awaiting", 1, client)
    finally:
        path.unlink()
    return results


def many_small(
    tools: Tools,
    work: Path,
    count: int,
    runs: int,
    peer_runs: int,
    peers: tuple[str, ...],
    progress: Callable[[str], None],
) -> Results:
    """``count`` small packages, 50 ms added to every request, 1 s of processing each."""
    files = []
    for number in range(count):
        path = work / "small" / f"package-{number:03d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(os.urandom(4096))
        files.append(path)
    settings = ("--sync-seconds", "1", "--latency-ms", "50")
    results = Results()
    counter = itertools.count()
    for run in range(max(runs, peer_runs)):
        clients = (["pubsmith"] if run < runs else []) + (list(peers) if run < peer_runs else [])
        for client in clients:
            progress(f"{count} small packages, run {run + 1}: {client}")
            with tools.sandbox(f"sandbox-{next(counter)}", *settings) as sandbox:
                if client == "pubsmith":
                    command = tools.publish(sandbox, files)
                else:
                    # One call per file, as its users script it.
                    push = " ".join(
                        '"$f"' if part == _FILE else shlex.quote(part)
                        for part in tools.push(client, sandbox, _FILE)
                    )
                    loop = f'for f in "$@"; do {push} || exit 1; done'
                    command = ["bash", "-c", loop, "loop", *map(str, files)]
                sample = sandbox.measure(command, tools.env(client), client)
                _expect(sandbox, "completed", count, client)
                results.add(client, sample, sandbox.requests_made() / count)
    return results


def many_packages(
    tools: Tools,
    work: Path,
    count: int,
    runs: int,
    progress: Callable[[str], None],
    *,
    latency_ms: int,
    sync_seconds: float,
) -> Results:
    """``count`` small packages in one ``pubsmith publish`` with default flags, and the same
    run with one package (its memory is the baseline); requests per package counted."""
    folder = work / "many"
    folder.mkdir()
    files = []
    for number in range(count):
        path = folder / f"package-{number:04d}.txt"
        path.write_bytes(os.urandom(1024))
        files.append(path)
    settings = ("--sync-seconds", f"{sync_seconds:g}", "--latency-ms", str(latency_ms))
    results = Results()
    counter = itertools.count()
    for run in range(runs):
        for client, chosen in (("pubsmith", files), (ONE_PACKAGE, files[:1])):
            progress(f"{count} packages, run {run + 1}/{runs}: {client}")
            with tools.sandbox(f"many-{next(counter)}", *settings) as sandbox:
                sample = sandbox.measure(tools.publish(sandbox, chosen), tools.env(), client)
                _expect(sandbox, "completed", len(chosen), client)
                results.add(client, sample, sandbox.requests_made() / len(chosen))
    return results


def start_up(tools: Tools, repetitions: int, progress: Callable[[str], None]) -> Results:
    commands = {
        "pubsmith --version": ([str(tools.pubsmith), "--version"], None),
        "pubsmith publish --help": ([str(tools.pubsmith), "publish", "--help"], None),
        f"cloudsmith --version ({SHIPPED})": ([str(tools.cloudsmith), "--version"], SHIPPED),
        f"cloudsmith --version ({TUNED})": ([str(tools.cloudsmith), "--version"], TUNED),
    }
    results = Results()
    progress(f"start-up, {repetitions} repetitions")
    for _ in range(repetitions):
        for name, (command, peer) in commands.items():
            results.add(name, measure(command, tools.env(peer), name))
    return results
