"""The results table (Markdown, ready for the README) and the targets it is held to."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from _harness import Sample
from _scenarios import CURL, CURL_SHA256, PEERS, Results

__all__ = ["Target", "notes", "table", "targets"]


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


def notes(big: Results | None) -> list[str]:
    """What the big-file run says beyond its targets: pubsmith against curl plus its checksum."""
    if big is None or CURL_SHA256 not in big.samples:
        return []
    ours = _median(big.samples["pubsmith"], "wall")
    theirs = _median(big.samples[CURL_SHA256], "wall")
    return [
        f"big file: pubsmith against curl with the same sha256 taken alongside: "
        f"{ours:.2f} s vs {theirs:.2f} s = {ours / theirs:.2f}x"
    ]


def targets(big: Results | None, small: Results | None, start: Results | None) -> list[Target]:
    found: list[Target] = []
    if big is not None:
        ours, curl = _median(big.samples["pubsmith"], "wall"), _median(big.samples[CURL], "wall")
        peer = _faster_peer(big)
        theirs = _median(big.samples[peer], "wall")
        rss = max(sample.peak_rss_mib for sample in big.samples["pubsmith"])
        found += [
            Target(
                "1a big file: pubsmith within 1.25x of curl",
                ours <= 1.25 * curl,
                f"{ours:.2f} s vs curl {curl:.2f} s = {ours / curl:.2f}x",
            ),
            Target(
                "1b big file: pubsmith faster than cloudsmith-cli",
                ours < theirs,
                f"{ours:.2f} s vs {theirs:.2f} s ({peer}) = {theirs / ours:.2f}x faster",
            ),
            Target("1c big file: pubsmith peak RSS under 100 MiB", rss < 100, f"{rss:.0f} MiB"),
        ]
    if small is not None:
        ours = _median(small.samples["pubsmith"], "wall")
        peer = _faster_peer(small)
        theirs = _median(small.samples[peer], "wall")
        our_requests = statistics.median(small.requests["pubsmith"])
        their_requests = statistics.median(small.requests[peer])
        found += [
            Target(
                "2a small packages: at least 5x faster than the cloudsmith-cli loop",
                theirs >= 5 * ours,
                f"{ours:.1f} s vs {theirs:.1f} s ({peer}) = {theirs / ours:.1f}x",
            ),
            Target(
                "2b small packages: no more requests per package than cloudsmith-cli",
                our_requests <= their_requests,
                f"{our_requests:.2f} vs {their_requests:.2f}",
            ),
        ]
    if start is not None:
        ours = _median(start.samples["pubsmith --version"], "wall")
        peer = _faster_peer(start, "cloudsmith --version")
        theirs = _median(start.samples[peer], "wall")
        found.append(
            Target(
                "3 start-up: pubsmith --version at least 3x faster",
                theirs >= 3 * ours,
                f"{ours * 1000:.0f} ms vs {theirs * 1000:.0f} ms = {theirs / ours:.1f}x",
            )
        )
    return found
