"""What every scenario needs: a sandbox in a subprocess, and a timed, measured command."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["RSS_METHOD", "BenchError", "Sample", "SandboxProcess", "measure", "memory_directory"]

API_KEY = "bench-key"


class BenchError(Exception):
    """The benchmark could not run (a tool failed or is missing): not a missed target."""


@dataclass(frozen=True)
class Sample:
    """One run of a client: wall seconds, CPU seconds of its process tree, peak RSS."""

    wall: float
    cpu: float
    peak_rss_mib: float
    server_cpu: float = 0.0
    """CPU seconds the sandbox spent meanwhile: it shares this machine's cores."""


def _time_tool() -> str | None:
    """GNU time, whose own few MiB are the only floor under the peak RSS it reports."""
    path = shutil.which("time")
    if path is None:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


TIME = _time_tool()
RSS_METHOD = (
    "ru_maxrss of the client process as GNU time reports it (wait4 on the process it forks: "
    "the largest process in the tree, for a shell loop its largest single call)"
    if TIME
    else "ru_maxrss from wait4 on the client process; without GNU time this includes the "
    "benchmark's own resident size at the fork, a floor under every figure"
)


def memory_directory(needed: int) -> Path | None:
    """A writable memory file system (tmpfs) with ``needed`` bytes free, if there is one.

    Sandboxes keep their data there: on a virtual machine, a gibibyte written to a fresh
    file on disk took 0.2 s in some runs and 3.5 s in others, for curl as for pubsmith, so
    the server's disk, not the client, decided which run was slow.
    """
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        fields = line.split()
        if len(fields) < 3 or fields[2] != "tmpfs":
            continue
        path = Path(fields[1].replace("\\040", " "))
        # /dev/shm is the memory file system meant for scratch files; /run and the like
        # hold the system's own state.
        if path.name != "shm" or not os.access(path, os.W_OK):
            continue
        usage = shutil.disk_usage(path)
        if usage.free >= needed:
            return path
    return None


def measure(command: list[str], env: dict[str, str], what: str) -> Sample:
    """Run ``command`` to completion; raise :class:`BenchError` if it fails.

    Wall time is taken around the process; CPU is user + system time of its whole tree;
    peak RSS is measured as :data:`RSS_METHOD` says. ru_maxrss cannot come straight from
    this process's ``wait4``: Linux carries a parent's high-water mark into the child
    across ``exec``, so every figure would include the benchmark's own size.
    """
    with tempfile.NamedTemporaryFile("w+") as report, tempfile.TemporaryFile() as output:
        wrapped = [TIME, "-f", "%M", "-o", report.name, "--", *command] if TIME else command
        started = time.perf_counter()
        process = subprocess.Popen(
            wrapped, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            tail = output.read()[-2000:].decode("utf-8", "replace")
            raise BenchError(f"{what} exited with {process.returncode}:\n{tail}")
        report.seek(0)
        lines = report.read().split()
        peak_kib = int(lines[-1]) if TIME and lines else usage.ru_maxrss
    return Sample(wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024)


class SandboxProcess:
    """``pubsmith sandbox`` in a subprocess with its own data directory, removed on exit."""

    def __init__(self, pubsmith: Path, data: Path, repo: str, *settings: str) -> None:
        self.repo = repo
        self._data = data
        self._command = [
            str(pubsmith),
            "sandbox",
            "--port",
            "0",
            "--data",
            str(data),
            "--repo",
            repo,
            "--api-key",
            API_KEY,
            *settings,
        ]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> SandboxProcess:
        self._data.mkdir(parents=True)
        self._log = (self._data.parent / f"{self._data.name}.log").open("w")
        self._process = subprocess.Popen(
            self._command,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.__exit__(None, None, None)
            raise BenchError(f"the sandbox did not start: {' '.join(self._command)}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        self._log.close()
        shutil.rmtree(self._data, ignore_errors=True)
        # Nothing of this run may still be on its way to disk while the next is measured.
        os.sync()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the sandbox process so far."""
        assert self._process is not None
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measure(self, command: list[str], env: dict[str, str], what: str) -> Sample:
        """:func:`measure`, with the sandbox's CPU time during the run."""
        before = self.cpu_seconds()
        sample = measure(command, env, what)
        return dataclasses.replace(sample, server_cpu=self.cpu_seconds() - before)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 - our own loopback sandbox
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"X-Api-Key": API_KEY, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return json.loads(answer.read() or b"null")

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self._call("GET", "/_sandbox/state")
        return state

    def requests_made(self) -> int:
        return sum(self.state()["requests"].values())

    def packages(self) -> dict[str, int]:
        counts: dict[str, int] = self.state()["packages"].get(self.repo, {})
        return counts

    def presigned_put(self, filename: str, sha256: str) -> str:
        """Request a single-PUT upload as a client would, and return the URL to PUT to.

        The API's checksum for PUT uploads is sha256, as pubsmith names for its parts: the
        sandbox checks the same checksum of the same bytes for both.
        """
        answer = self._call(
            "POST",
            f"/files/{self.repo}/",
            {
                "filename": filename,
                "method": "put",
                "sha256_checksum": sha256,
            },
        )
        query = answer.get("upload_querystring")
        return str(answer["upload_url"]) + (f"?{query}" if query else "")
