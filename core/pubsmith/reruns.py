"""The re-run decision table: what ``--skip-existing`` does with a package already there.

This is ``shared/design/reruns.md`` as code. The repository may already hold packages with
the same format, name, version and file name as the one about to be published (an earlier
run, a run that died half-way, or another run going on right now); :func:`decide` says what
to do, from those packages and the file's sha256. "Same content" means the same sha256;
failed covers quarantined too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

__all__ = ["Decision", "PackageState", "decide", "package_state", "rank", "uploaded_at"]

PackageState = Literal["synchronised", "processing", "failed"]

Action = Literal["publish", "skip", "await", "conflict"]


@dataclass(frozen=True)
class Decision:
    """What to do with one file.

    ``publish`` it (replacing the failed packages in ``replaces``), ``skip`` it in favour
    of ``package``, ``await`` ``package`` (processing, maybe the same content) and decide
    again once it has finished, or fail it as a ``conflict`` explained by ``problem``.
    """

    action: Action
    package: Mapping[str, Any] | None = None
    problem: str = ""
    replaces: tuple[str, ...] = ()
    """slug_perms of failed packages of this file that the new one replaces."""


def package_state(package: Mapping[str, Any]) -> PackageState:
    if package.get("is_sync_completed"):
        return "synchronised"
    if package.get("is_sync_failed") or package.get("is_quarantined"):
        return "failed"
    return "processing"


def rank(packages: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Synchronised packages first, then processing ones oldest first, then failed ones
    newest first.

    Of several processing (concurrent runs each made one), the server is likeliest to
    finish the oldest first and fail the others as its duplicates.
    """
    order = {"synchronised": 0, "processing": 1, "failed": 2}

    def key(package: Mapping[str, Any]) -> tuple[int, float]:
        state = package_state(package)
        when = uploaded_at(package) or 0.0
        return order[state], when if state == "processing" else -when

    return sorted(packages, key=key)


def decide(packages: Sequence[Mapping[str, Any]], sha256: str, *, republish: bool) -> Decision:
    """The table's row for the packages already there (same format, name, version, file)."""
    ranked = rank(packages)
    if not ranked:
        return Decision("publish")
    first = ranked[0]
    state = package_state(first)
    same = first.get("checksum_sha256") == sha256
    reference = first.get("slug_perm") or first.get("slug") or "?"
    if state == "synchronised":
        if same:
            return Decision("skip", first)
        if republish:
            return Decision("publish")
        return Decision(
            "conflict",
            first,
            f"already exists as {reference} with different content; pass --republish to replace it",
        )
    if state == "processing":
        # While processing the server may not show the checksum yet: wait and compare then.
        if same or not first.get("checksum_sha256"):
            return Decision("await", first)
        if republish:
            return Decision("publish")
        return Decision(
            "conflict",
            first,
            f"another upload of this package ({reference}, different content) is in "
            "progress; wait for it, or pass --republish to replace it",
        )
    failed = tuple(str(package.get("slug_perm")) for package in ranked if package.get("slug_perm"))
    return Decision("publish", first, replaces=failed)


def uploaded_at(package: Mapping[str, Any]) -> float | None:
    """When the package was uploaded (a Unix time), or None if the answer does not say."""
    text = str(package.get("uploaded_at") or "")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.timestamp() if when.tzinfo is not None else None
