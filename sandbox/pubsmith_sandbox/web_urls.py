"""Where the sandbox's web pages are: the ``self_webapp_url`` of packages and repositories.

Shaped like Cloudsmith's web app (``https://cloudsmith.io/~OWNER/repos/REPO/...``), on the
sandbox's own host, so a link pubsmith prints opens a page rather than JSON.
"""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["PACKAGE_PAGE", "REPO_PAGE", "package_page_url", "repo_page_url"]

REPO_PAGE = "/~{owner}/repos/{repo}/"
# Cloudsmith's own page URLs end in name and version, which need not be unique in a
# repository (and may hold any character); the slug_perm is unique and slug-safe.
PACKAGE_PAGE = REPO_PAGE + "packages/detail/{format}/{identifier}/"


def _root(api: str) -> str:
    # Request.api is always the sandbox's root with /v1 added.
    return api.removesuffix("/v1")


def repo_page_url(api: str, owner: str, repo: str) -> str:
    return _root(api) + REPO_PAGE.format(owner=quote(owner, safe=""), repo=quote(repo, safe=""))


def package_page_url(api: str, owner: str, repo: str, fmt: str, slug_perm: str) -> str:
    return _root(api) + PACKAGE_PAGE.format(
        owner=quote(owner, safe=""),
        repo=quote(repo, safe=""),
        format=quote(fmt, safe=""),
        identifier=quote(slug_perm, safe=""),
    )
