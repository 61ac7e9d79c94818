"""Finding packages again: for re-runs and promotion, and to create each package only once.

A package create is not safe to repeat: when its answer is lost, the create may or may not
have happened. :meth:`PackageLookup.create_once` searches the repository for the package
that try would have made before it sends another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pubsmith.client import CloudsmithClient
from pubsmith.errors import AmbiguousResultError
from pubsmith.hashing import FileDigest
from pubsmith.planning import PackagePlan
from pubsmith.reruns import uploaded_at
from pubsmith.settings import Repository

__all__ = ["PackageIdentity", "PackageLookup"]

log = logging.getLogger("pubsmith.creation")

# How far the server's clock may lag ours when telling a package just made from older ones.
_CLOCK_SKEW = 300.0


@dataclass(frozen=True)
class PackageIdentity:
    """What makes two packages the same package: format, name, version and file name.

    ``name`` and ``version`` may be unknown (None) when the server derives them.
    """

    format: str
    name: str | None
    version: str | None
    filename: str

    @classmethod
    def of_plan(cls, plan: PackagePlan) -> PackageIdentity:
        return cls(plan.format, plan.name, plan.version, plan.path.name)

    @classmethod
    def of_package(cls, package: Mapping[str, Any]) -> PackageIdentity:
        """The identity of a package as the API describes it (``format`` is its slug)."""
        return cls(
            str(package.get("format") or ""),
            _text(package.get("name")),
            _text(package.get("version")),
            str(package.get("filename") or ""),
        )


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
        identity = PackageIdentity.of_plan(plan)
        recent = [
            package
            for package in self._same_file(identity, [f"format:{identity.format}"])
            if _uploaded_after(package, since)
        ]
        for package in recent:
            if package.get("checksum_sha256") == digest.sha256:
                return package
        for package in recent:
            if not package.get("checksum_sha256") and package.get("size") == digest.size:
                return package
        return None

    def matches(self, identity: PackageIdentity) -> list[dict[str, Any]]:
        """Packages of this repository with this format, name, version and file name.

        A package the server is still processing may not show its name or version yet
        (they are read from the file): an unknown one matches.
        """
        return [
            package
            for package in self._same_file(identity, [f"format:{identity.format}"])
            if _agrees(package.get("name"), identity.name, str.casefold)
            and _agrees(package.get("version"), identity.version, str)
        ]

    def _same_file(self, identity: PackageIdentity, terms: list[str]) -> list[dict[str, Any]]:
        name = identity.filename
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


def _agrees(found: Any, wanted: str | None, key: Callable[[str], str]) -> bool:
    """Whether a package's value is ``wanted``, or either is unknown."""
    if not isinstance(found, str) or not found or wanted is None:
        return True
    return key(found) == key(wanted)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _uploaded_after(package: Mapping[str, Any], since: float) -> bool:
    """Whether the package was uploaded after ``since``; unknown times count as recent."""
    when = uploaded_at(package)
    return when is None or when >= since
