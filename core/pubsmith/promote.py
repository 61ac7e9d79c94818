"""Promote packages between repositories: wait for the source, copy or move, wait again.

Cloudsmith copies and moves only synchronised packages, and only between repositories of
one owner (``packages_copy`` / ``packages_move`` take the destination's name alone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from pubsmith.client import CloudsmithClient
from pubsmith.errors import ConfigError, PubsmithError
from pubsmith.packages import PackageRef
from pubsmith.polling import wait_for_sync
from pubsmith.results import PublishResult
from pubsmith.settings import Repository

__all__ = ["PromoteResult", "destination_repo", "promote", "promote_results"]

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

    With ``wait`` the copy's own processing is awaited too. ``timeout`` applies to each
    wait. Raises :class:`~pubsmith.ProcessingError` if either side fails processing.
    """
    target = destination_repo(ref.owner, to)
    if target == ref.repo:
        raise ConfigError(f"{ref} is already in {ref.owner}/{target}; pick another --to")
    wait_for_sync(client, ref.owner, ref.repo, ref.slug, timeout=timeout)
    if move:
        package = client.move_package(ref.owner, ref.repo, ref.slug, to_repo=target)
    else:
        package = client.copy_package(
            ref.owner, ref.repo, ref.slug, to_repo=target, republish=republish
        )
    slug_perm = _text(package.get("slug_perm"))
    result = PromoteResult(
        source=str(ref),
        destination=f"{ref.owner}/{target}",
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


def promote_results(
    client: CloudsmithClient,
    repository: Repository,
    results: Sequence[PublishResult],
    to: str,
    *,
    republish: bool = False,
    wait: bool = True,
    timeout: float = 600.0,
    concurrency: int = 4,
) -> None:
    """Promote every published result, recording where it went; a failure fails that result."""
    target = destination_repo(repository.owner, to)

    def one(result: PublishResult) -> None:
        slug = result.slug_perm or result.slug
        if result.status != "published" or not slug:
            return
        ref = PackageRef(repository.owner, repository.name, slug)
        try:
            promoted = promote(client, ref, target, republish=republish, wait=wait, timeout=timeout)
        except PubsmithError as exc:
            result.status = "failed"
            result.error = f"published to {repository} but not promoted to {target}: {exc}"
            result.exception = exc
            return
        result.promoted_to = promoted.destination
        result.promoted_slug_perm = promoted.slug_perm

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(results) or 1))) as pool:
        list(pool.map(one, results))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
