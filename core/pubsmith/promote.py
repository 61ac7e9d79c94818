"""Promote packages between repositories: wait for the source, copy or move, wait again.

Cloudsmith copies and moves only synchronised packages, and only between repositories of
one owner (``packages_copy`` / ``packages_move`` take the destination's name alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pubsmith.client import CloudsmithClient
from pubsmith.creation import PackageIdentity, PackageLookup
from pubsmith.errors import ConfigError, ValidationError
from pubsmith.packages import PackageRef
from pubsmith.polling import wait_for_sync
from pubsmith.reruns import Decision, decide
from pubsmith.settings import Repository

__all__ = ["PromoteResult", "destination_repo", "find_promoted", "promote"]

_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class PromoteResult:
    """A promoted package: where it now is, and whether it has finished processing there."""

    source: str
    destination: str
    action: Literal["copy", "move"]
    slug_perm: str | None
    slug: str | None
    synchronised: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "destination": self.destination,
            "action": self.action,
            "slug_perm": self.slug_perm,
            "slug": self.slug,
            "synchronised": self.synchronised,
        }


def destination_repo(owner: str, target: str) -> str:
    """The destination's name for ``target`` (``REPO`` or ``OWNER/REPO`` of the same owner)."""
    other, sep, name = target.strip().strip("/").rpartition("/")
    if sep and other != owner:
        raise ConfigError(
            f"cannot promote from {owner} to {target}: Cloudsmith copies and moves only "
            f"between repositories of one owner; pass --to REPO or --to {owner}/REPO"
        )
    if not _REPO.match(name):
        raise ConfigError(f"--to must be REPO or OWNER/REPO, not {target!r}")
    return name


def promote(
    client: CloudsmithClient,
    ref: PackageRef,
    to: str,
    *,
    move: bool = False,
    republish: bool = False,
    wait: bool = True,
    timeout: float = 600.0,
) -> PromoteResult:
    """Copy (or move) ``ref`` to repository ``to`` once it is synchronised.

    A copy is idempotent: when ``to`` already holds the package (same format, name,
    version, file name and checksum) that one is the result and nothing is copied. With
    ``wait`` the copy's own processing is awaited too. ``timeout`` applies to each wait.
    Raises :class:`~pubsmith.ProcessingError` if either side fails processing.
    """
    target = destination_repo(ref.owner, to)
    if target == ref.repo:
        raise ConfigError(f"{ref} is already in {ref.owner}/{target}; pick another --to")
    wait_for_sync(client, ref.owner, ref.repo, ref.slug, timeout=timeout)
    destination = Repository(ref.owner, target)
    if move:
        package = client.move_package(ref.owner, ref.repo, ref.slug, to_repo=target)
    else:
        source = client.read_package(ref.owner, ref.repo, ref.slug)
        identity, sha256 = PackageIdentity.of_package(source), source.get("checksum_sha256")
        there = find_promoted(client, destination, identity, sha256)
        if there.package is None:
            try:
                package = client.copy_package(
                    ref.owner, ref.repo, ref.slug, to_repo=target, republish=republish
                )
            except ValidationError:
                # Another run may have promoted it a moment ago.
                there = find_promoted(client, destination, identity, sha256)
                if there.package is None:
                    raise
                package = dict(there.package)
        else:
            package = dict(there.package)
    slug_perm = _text(package.get("slug_perm"))
    result = PromoteResult(
        source=str(ref),
        destination=str(destination),
        action="move" if move else "copy",
        slug_perm=slug_perm,
        slug=_text(package.get("slug")),
        synchronised=bool(package.get("is_sync_completed")),
    )
    if wait and not result.synchronised:
        identifier = slug_perm or result.slug or ref.slug
        wait_for_sync(client, ref.owner, target, identifier, timeout=timeout)
        result.synchronised = True
    return result


def find_promoted(
    client: CloudsmithClient,
    destination: Repository,
    identity: PackageIdentity,
    sha256: object,
) -> Decision:
    """What ``destination`` holds of a package with checksum ``sha256``.

    ``skip``: it is there, synchronised (its ``package``); ``await``: it is there and still
    processing; ``publish``: it is not there (a failed copy does not count).
    """
    if not isinstance(sha256, str) or not sha256:
        return Decision("publish")  # without a checksum, sameness cannot be shown
    same = [
        package
        for package in PackageLookup(client, destination).matches(identity)
        if package.get("checksum_sha256") == sha256
    ]
    decision = decide(same, sha256, republish=False)
    return decision if decision.action in ("skip", "await") else Decision("publish")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
