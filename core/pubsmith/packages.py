"""One package at a time: name it, connect for it, read its status, tag, resync, delete.

The CLI's ``status``, ``tag``, ``resync``, ``delete`` and ``promote`` commands parse and
print; everything they do is here and in :mod:`pubsmith.promote`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pubsmith.client import CloudsmithClient
from pubsmith.config import Config
from pubsmith.errors import ConfigError
from pubsmith.settings import Repository

__all__ = [
    "TAG_ACTIONS",
    "PackageRef",
    "connect",
    "find_packages",
    "package_summary",
    "package_tags",
    "search_query",
    "tag_package",
]

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


def search_query(query: str = "", format_name: str | None = None) -> str:
    """``query`` in Cloudsmith's search syntax, narrowed to one format when one is given."""
    terms = [f"({query})" if format_name and query.strip() else query.strip()]
    if format_name:
        terms.append(f"format:{format_name}")
    return " AND ".join(term for term in terms if term)


def find_packages(
    client: CloudsmithClient,
    repository: Repository,
    query: str = "",
    *,
    limit: int | None = None,
    page_size: int = 100,
) -> Iterator[dict[str, Any]]:
    """The packages of ``repository`` that ``query`` matches, newest first, page by page.

    ``query`` is Cloudsmith's search syntax (``name:acme version:1.2 AND tag:latest``);
    ``limit`` stops after that many, asking for no page beyond them.
    """
    found = client.list_packages(
        repository.owner, repository.name, query=query or None, page_size=page_size
    )
    return itertools.islice(found, limit) if limit is not None else found


def package_summary(repository: Repository, package: dict[str, Any]) -> dict[str, Any]:
    """What a script needs of a listed package, ``package`` being its reference."""
    slug_perm = package.get("slug_perm")
    return {
        "package": f"{repository}/{slug_perm}" if slug_perm else None,
        "format": package.get("format"),
        "name": package.get("name"),
        "version": package.get("version"),
        "filename": package.get("filename"),
        "status": package.get("status_str"),
        "slug_perm": slug_perm,
        "slug": package.get("slug"),
        "tags": package_tags(package),
        "size": package.get("size"),
        "checksum_sha256": package.get("checksum_sha256") or None,
        "uploaded_at": package.get("uploaded_at"),
        "web_url": package.get("self_webapp_url"),
    }
