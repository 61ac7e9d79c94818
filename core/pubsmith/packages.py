"""One package at a time: name it, connect for it, read its status, tag, resync, delete.

The CLI's ``status``, ``tag``, ``resync``, ``delete`` and ``promote`` commands parse and
print; everything they do is here and in :mod:`pubsmith.promote`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pubsmith.client import CloudsmithClient
from pubsmith.config import Config
from pubsmith.errors import ConfigError
from pubsmith.settings import Repository

__all__ = ["TAG_ACTIONS", "PackageRef", "connect", "package_tags", "tag_package"]

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

TAG_ACTIONS = ("add", "remove", "replace", "clear")
"""PackageTagRequest's actions: add to, remove from, replace (keeping immutable tags), clear."""


@dataclass(frozen=True)
class PackageRef:
    """One package, ``OWNER/REPO/SLUG`` (its ``slug_perm`` or ``slug``)."""

    owner: str
    repo: str
    slug: str

    @classmethod
    def parse(cls, text: str) -> PackageRef:
        parts = text.strip().strip("/").split("/")
        if len(parts) != 3 or not all(_SLUG.match(part) for part in parts):
            raise ConfigError(
                "a package is OWNER/REPO/SLUG, with the slug_perm that `pubsmith publish` "
                f"printed, not {text!r}"
            )
        return cls(*parts)

    @property
    def repository(self) -> Repository:
        return Repository(self.owner, self.repo)

    def __str__(self) -> str:
        return f"{self.owner}/{self.repo}/{self.slug}"


def connect(
    config: Config, *, org: str, allow_http: bool = False, ca_bundle: str | None = None
) -> CloudsmithClient:
    """A client with the configured key (or one from OIDC for ``org``); raises without one."""
    settings = config.settings(org=org, allow_http=allow_http, ca_bundle=ca_bundle)
    return CloudsmithClient.from_settings(settings)


def tag_package(
    client: CloudsmithClient,
    ref: PackageRef,
    action: str,
    tags: Sequence[str] = (),
    *,
    immutable: bool = False,
) -> dict[str, Any]:
    """Apply one tag ``action`` and return the package as it is afterwards."""
    if action not in TAG_ACTIONS:
        raise ConfigError(f"tag action must be one of {', '.join(TAG_ACTIONS)}, not {action!r}")
    if action != "clear" and not tags:
        raise ConfigError(f"--{action} needs tags, such as --{action} stable,latest")
    return client.tag_package(
        ref.owner, ref.repo, ref.slug, action=action, tags=list(tags), is_immutable=immutable
    )


def package_tags(package: dict[str, Any]) -> list[str]:
    """Every tag on a package, whatever its type (``info``, ``version``, ...), in order."""
    groups = package.get("tags") or {}
    found: dict[str, None] = {}
    if isinstance(groups, dict):
        for values in groups.values():
            for tag in values if isinstance(values, list) else []:
                found.setdefault(str(tag), None)
    return list(found)
