"""The results table (Markdown, ready for the README) and the targets it is held to."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from _harness import Sample
from _scenarios import CURL, CURL_SHA256, ONE_PACKAGE, PEERS, Results

__all__ = ["Measured", "Target", "floor", "notes", "table", "targets"]


@dataclass(frozen=True)
class Target:
    name: str
    met: bool
    detail: str


def _median(samples: list[Sample], attribute: str) -> float:
    return float(statistics.median(getattr(sample, attribute) for sample in samples))


def table(sections: list[tuple[str, Results, str]]) -> str:
    """One row per client; ``x ref`` divides each median wall time by the reference's."""
    lines = [
        "| scenario | client | wall s (median) | runs (min-max) | x ref | CPU s | server CPU s "
        "| peak RSS MiB | requests/pkg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for title, results, reference in sections:
        base = _median(results.samples[reference], "wall")
        for client, samples in results.samples.items():
            walls = [sample.wall for sample in samples]
            wall = statistics.median(walls)
            requests = results.requests.get(client)
            per_package = f"{statistics.median(requests):.1f}" if requests else ""
            label = f"{client} (ref)" if client == reference else client
            server = f"{_median(samples, 'server_cpu'):.2f}" if samples[0].server_cpu else ""
            lines.append(
                f"| {title} | {label} | {wall:.3f} | {min(walls):.3f}-{max(walls):.3f} "
                f"x{len(walls)} | {wall / base:.2f} | {_median(samples, 'cpu'):.2f} "
                f"| {server} "
                f"| {max(sample.peak_rss_mib for sample in samples):.0f} | {per_package} |"
            )
            title = ""
    return "\n".join(lines)


def _faster_peer(results: Results, prefix: str = "") -> str:
    candidates = [
        name
        for name in results.samples
        if any(peer in name for peer in PEERS) and name.startswith(prefix)
    ]
    return min(candidates, key=lambda name: _median(results.samples[name], "wall"))


@dataclass(frozen=True)
class Measured:
    """What one ``make bench`` run measured, scenario by scenario (None: not run)."""

    big: Results | None = None
    shaped: Results | None = None
    small: Results | None = None
    many: Results | None = None
    start: Results | None = None
    many_count: int = 300
    many_latency: float = 0.020
    many_processing: float = 0.5
    concurrency: int = 4


def notes(measured: Measured) -> list[str]:
    """What the runs say beyond their targets: plain curl, which only moves bytes."""
    found: list[str] = []
    big = measured.big
    if big is not None:
        ours, curl = _median(big.samples["pubsmith"], "wall"), _median(big.samples[CURL], "wall")
        found.append(
            f"big file: pubsmith against plain curl (no checksum) on loopback: "
            f"{ours:.2f} s vs {curl:.2f} s = {ours / curl:.2f}x"
        )
    return found


def floor(measured: Measured, requests_per_package: float) -> float:
    """The many-package run's floor: every request's latency, spread over the default
    concurrency, plus one processing time."""
    latency = measured.many_count * requests_per_package * measured.many_latency
    return latency / measured.concurrency + measured.many_processing


def targets(measured: Measured) -> list[Target]:
    found: list[Target] = []
    big, shaped, small, many, start = (
        measured.big,
        measured.shaped,
        measured.small,
        measured.many,
        measured.start,
    )
    if big is not None:
        ours = _median(big.samples["pubsmith"], "wall")
        reference = _median(big.samples[CURL_SHA256], "wall")
        our_cpu = _median(big.samples["pubsmith"], "cpu")
        reference_cpu = _median(big.samples[CURL_SHA256], "cpu")
        peer = _faster_peer(big)
        theirs = _median(big.samples[peer], "wall")
        rss = max(sample.peak_rss_mib for sample in big.samples["pubsmith"])
        found += [
            Target(
                "1a big file: wall within 1.10x of curl + openssl sha256",
                ours <= 1.10 * reference,
                f"{ours:.2f} s vs {reference:.2f} s = {ours / reference:.2f}x",
            ),
            Target(
                "1b big file: client CPU within 1.15x of curl + openssl sha256",
                our_cpu <= 1.15 * reference_cpu,
                f"{our_cpu:.2f} s vs {reference_cpu:.2f} s = {our_cpu / reference_cpu:.2f}x",
            ),
            Target("1c big file: peak RSS under 64 MiB", rss < 64, f"{rss:.0f} MiB"),
            Target(
                "1d big file: faster than cloudsmith-cli",
                ours < theirs,
                f"{ours:.2f} s vs {theirs:.2f} s ({peer}) = {theirs / ours:.2f}x faster",
            ),
        ]
    if shaped is not None:
        ours, curl = (
            _median(shaped.samples["pubsmith"], "wall"),
            _median(shaped.samples[CURL], "wall"),
        )
        found.append(
            Target(
                "2 big file on a shaped link: within 1.05x of curl",
                ours <= 1.05 * curl,
                f"{ours:.2f} s vs {curl:.2f} s = {ours / curl:.2f}x",
            )
        )
    if small is not None:
        ours = _median(small.samples["pubsmith"], "wall")
        peer = _faster_peer(small)
        theirs = _median(small.samples[peer], "wall")
        our_requests = statistics.median(small.requests["pubsmith"])
        found += [
            Target(
                "3a 50 packages: at least 15x faster than the cloudsmith-cli loop",
                theirs >= 15 * ours,
                f"{ours:.1f} s vs {theirs:.1f} s ({peer}) = {theirs / ours:.1f}x",
            ),
            Target(
                "3b 50 packages: at most 6 API requests per package",
                our_requests <= 6,
                f"{our_requests:.2f} (cloudsmith-cli: "
                f"{statistics.median(small.requests[peer]):.2f})",
            ),
        ]
    if many is not None:
        ours = _median(many.samples["pubsmith"], "wall")
        requests = statistics.median(many.requests["pubsmith"])
        lowest = floor(measured, requests)
        rss = max(sample.peak_rss_mib for sample in many.samples["pubsmith"])
        one = max(sample.peak_rss_mib for sample in many.samples[ONE_PACKAGE])
        found += [
            Target(
                f"4a {measured.many_count} packages: wall within 1.5x of the floor",
                ours <= 1.5 * lowest,
                f"{ours:.2f} s vs floor {lowest:.2f} s ({requests:.2f} requests/pkg) "
                f"= {ours / lowest:.2f}x",
            ),
            Target(
                f"4b {measured.many_count} packages: peak RSS under 64 MiB and at most 1 "
                "package's + 10 MiB",
                rss < 64 and rss <= one + 10,
                f"{rss:.0f} MiB vs {one:.0f} MiB for 1 package",
            ),
        ]
    if start is not None:
        ours = _median(start.samples["pubsmith --version"], "wall")
        peer = _faster_peer(start, "cloudsmith --version")
        theirs = _median(start.samples[peer], "wall")
        found.append(
            Target(
                "5 start-up: pubsmith --version at least 3x faster",
                theirs >= 3 * ours,
                f"{ours * 1000:.0f} ms vs {theirs * 1000:.0f} ms = {theirs / ours:.1f}x",
            )
        )
    return found
