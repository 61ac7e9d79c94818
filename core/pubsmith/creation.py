"""Finding packages again: for ``--skip-existing``, and to create each package only once.

A package create is not safe to repeat: when its answer is lost, the create may or may not
have happened. :meth:`PackageLookup.create_once` searches the repository for the package
that try would have made before it sends another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pubsmith.client import CloudsmithClient
from pubsmith.errors import AmbiguousResultError
from pubsmith.hashing import FileDigest
from pubsmith.planning import PackagePlan
from pubsmith.settings import Repository

__all__ = ["PackageLookup"]

log = logging.getLogger("pubsmith.creation")

# How far the server's clock may lag ours when telling a package just made from older ones.
_CLOCK_SKEW = 300.0


class PackageLookup:
    """Looks packages up in one repository by format, file name, name and version."""

    def __init__(self, client: CloudsmithClient, repository: Repository) -> None:
        self.client = client
        self.repository = repository

    def create_once(
        self, plan: PackagePlan, payload: dict[str, Any], digest: FileDigest
    ) -> dict[str, Any]:
        """Create the package once, even when answers to earlier tries were lost."""
        owner, repo = self.repository.owner, self.repository.name
        attempts = self.client.policy.attempts()
        started = time.time()
        while True:
            try:
                return self.client.create_package(owner, repo, plan.format, payload)
            except AmbiguousResultError as exc:
                made = self.find_created(plan, digest, since=started - _CLOCK_SKEW)
                if made is not None:
                    log.info("%s: the lost try created package %s", plan.path, made.get("slug"))
                    return made
                if attempts.wait() is None:
                    raise
                log.info("%s: creating the package again: %s", plan.path, exc)

    def find_created(
        self, plan: PackagePlan, digest: FileDigest, *, since: float
    ) -> dict[str, Any] | None:
        """The package a create sent after ``since`` made, if any: same format and file.

        A package still processing may not show its checksum yet; one of the same size
        created in that window is taken as ours.
        """
        recent = [
            package
            for package in self._same_file(plan, [f"format:{plan.format}"])
            if _uploaded_after(package, since)
        ]
        for package in recent:
            if package.get("checksum_sha256") == digest.sha256:
                return package
        for package in recent:
            if not package.get("checksum_sha256") and package.get("size") == digest.size:
                return package
        return None

    def find_existing(self, plan: PackagePlan, digest: FileDigest) -> dict[str, Any] | None:
        """The package with this format, name, version and file name; same content first."""
        terms = [f"format:{plan.format}"]
        if plan.name:
            terms.append(f"name:{_quoted(plan.name)}")
        if plan.version:
            terms.append(f"version:{_quoted(plan.version)}")
        candidates = self._same_file(plan, terms)
        same = [
            package for package in candidates if package.get("checksum_sha256") == digest.sha256
        ]
        matches = same or candidates
        return matches[0] if matches else None

    def _same_file(self, plan: PackagePlan, terms: list[str]) -> list[dict[str, Any]]:
        name = plan.path.name
        query = " ".join([*terms, f"filename:{_quoted(name)}"])
        owner, repo = self.repository.owner, self.repository.name
        return [
            package
            for package in self.client.list_packages(owner, repo, query=query)
            if package.get("filename") == name
        ]


def _quoted(text: str) -> str:
    # The search syntax splits terms on spaces; quotes keep a value whole.
    if any(char.isspace() or char in "\"'" for char in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _uploaded_after(package: Mapping[str, Any], since: float) -> bool:
    """Whether the package was uploaded after ``since``; unknown times count as recent."""
    text = str(package.get("uploaded_at") or "")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return True
    if when.tzinfo is None:
        return True
    return when.timestamp() >= since
