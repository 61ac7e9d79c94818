"""The Repos API: list, create, read, update and delete repositories, as the official CLI's
``cloudsmith repos`` commands (and its live tests' temporary repositories) use it.

The one API key may do everything; see :mod:`pubsmith_sandbox.repos` for namespaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pubsmith_sandbox.paging import page_of
from pubsmith_sandbox.protocol import Request, Response, Route
from pubsmith_sandbox.query import Vocabulary, collated, compile_query, sort_by
from pubsmith_sandbox.repos import RepoRecord, RepoStats
from pubsmith_sandbox.serializers import timestamp
from pubsmith_sandbox.validation import load_models, validate_body
from pubsmith_sandbox.web_urls import repo_page_url

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["REPOS", "repo_json", "repo_routes"]

# The OpenAPI description names the types but not their numbers; these are the sandbox's.
_TYPES = {"Public": 1, "Private": 2, "Open-Source": 3}
_NULLABLE = ("open_source_license", "open_source_project_url")
_UNITS = ("B", "KB", "MB", "GB", "TB")
_EMPTY: dict[str, Any] = {"str": "", "bool": False}


REPOS = Vocabulary(
    text=("name", "slug"),
    exact=("broadcast_state", "repository_type"),
    implicit=("name", "slug"),
    sortable={
        "created_at": lambda item: item["created_at"],
        "downloads": lambda item: 0,
        "favorites": lambda item: 0,
        "name": lambda item: collated(item["name"]),
        "package_count": lambda item: item["package_count"],
        "size": lambda item: item["size"],
    },
)


def repo_routes(app: SandboxApp) -> list[Route]:
    api = _ReposApi(app)
    one = "/repos/{owner}/{identifier}/"
    return [
        Route("GET", "/repos/", "repos_user_list", api.user_list),
        Route("GET", "/repos/{owner}/", "repos_namespace_list", api.namespace_list),
        Route("POST", "/repos/{owner}/", "repos_create", api.create),
        Route("GET", one, "repos_read", api.read),
        Route("PATCH", one, "repos_partial_update", api.update),
        Route("DELETE", one, "repos_delete", api.delete),
    ]


class _ReposApi:
    def __init__(self, app: SandboxApp) -> None:
        self._app = app
        self._repos = app.repos

    def user_list(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers)
        return self._listing(request, self._repos.listed())

    def namespace_list(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers)
        return self._listing(request, self._repos.listed(request.params["owner"]))

    def create(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers)
        fields = validate_body("RepositoryCreateRequest", request.json())
        record = self._repos.create(request.params["owner"], fields)
        return Response(201, repo_json(record, RepoStats(), request.api))

    def read(self, request: Request) -> Response:
        record = self._one(request)
        return Response(200, self._json(record, request))

    def update(self, request: Request) -> Response:
        record = self._one(request)
        fields = validate_body("RepositoryRequestPatch", request.json(), partial=True)
        return Response(200, self._json(self._repos.update(record, fields), request))

    def delete(self, request: Request) -> Response:
        self._repos.delete(self._one(request))
        return Response(200)

    def _one(self, request: Request) -> RepoRecord:
        self._app.auth.authenticate(request.headers)
        return self._repos.get(request.params["owner"], request.params["identifier"])

    def _json(self, record: RepoRecord, request: Request) -> dict[str, Any]:
        stats = self._repos.stats().get((record.owner, record.slug), RepoStats())
        return repo_json(record, stats, request.api)

    def _listing(self, request: Request, records: list[RepoRecord]) -> Response:
        stats = self._repos.stats()
        items = [
            _search_fields(record, stats.get((record.owner, record.slug))) for record in records
        ]
        query = request.query.get("query", "").strip()
        if query:
            matches = compile_query(query, self._app.clock.now, REPOS)
            items = [item for item in items if matches(item)]
        items = sort_by(items, request.query.get("sort") or "-created_at", REPOS)
        shown, headers = page_of(request, items)
        body = [repo_json(item["record"], item["stats"], request.api) for item in shown]
        return Response(200, body, headers)


def repo_json(record: RepoRecord, stats: RepoStats, api: str) -> dict[str, Any]:
    """The Repository shape (and RepositoryCreate's, which is the same)."""
    self_url = f"{api}/repos/{record.owner}/{record.slug}/"
    web_url = repo_page_url(api, record.owner, record.slug)
    kind = record.settings.get("repository_type_str") or "Public"
    data = _settings_json(record.settings)
    data.update(
        {
            "active_connection_count": 0,
            "cdn_url": None,
            "created_at": timestamp(record.created_at),
            "deleted_at": None,
            "ecdsa_keys": [],
            "gpg_keys": [],
            "is_open_source": kind == "Open-Source",
            "is_private": kind == "Private",
            "is_public": kind != "Private",
            "namespace": record.owner,
            "namespace_url": f"{api}/namespaces/{record.owner}/",
            "num_downloads": 0,
            "num_policy_violated_packages": 0,
            "num_quarantined_packages": 0,
            "package_count": stats.packages,
            "package_count_excl_subcomponents": stats.packages,
            "package_group_count": stats.groups,
            "repository_type": _TYPES.get(kind, 1),
            "repository_type_str": kind,
            "self_html_url": web_url,
            "self_url": self_url,
            "self_webapp_url": web_url,
            "size": stats.size,
            "size_str": _size_str(stats.size),
            "slug": record.slug,
            "slug_perm": record.slug_perm,
            "storage_region": record.settings.get("storage_region") or "default",
        }
    )
    return data


def _search_fields(record: RepoRecord, stats: RepoStats | None) -> dict[str, Any]:
    """What repos_namespace_list's ``query`` and ``sort`` look at."""
    stats = stats or RepoStats()
    return {
        "name": record.settings.get("name"),
        "slug": record.slug,
        "broadcast_state": record.settings.get("broadcast_state"),
        "repository_type": record.settings.get("repository_type_str"),
        "created_at": record.created_at,
        "package_count": stats.packages,
        "size": stats.size,
        "record": record,
        "stats": stats,
    }


def _settings_json(settings: dict[str, Any]) -> dict[str, Any]:
    """Every writable field: a setting nobody gave is its type's empty value, or null
    where the description allows it."""
    model = load_models().RepositoryCreateRequest
    shown: dict[str, Any] = {}
    for attribute, kind in model.swagger_types.items():
        key = model.attribute_map[attribute]
        value = settings.get(key)
        if value is None and key not in _NULLABLE:
            value = _EMPTY.get(kind, [])
        shown[key] = value
    return shown


def _size_str(size: int) -> str:
    value, unit = float(size), 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{value:.1f}{_UNITS[unit]}"
