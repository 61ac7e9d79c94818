"""The packages endpoints: upload and validate-upload for every format, then the lifecycle."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from pubsmith_sandbox.catalog import FORMATS
from pubsmith_sandbox.paging import page_of
from pubsmith_sandbox.protocol import Request, Response, Route
from pubsmith_sandbox.query import compile_query, sort_by
from pubsmith_sandbox.records import PackageRecord
from pubsmith_sandbox.serializers import package_json, search_fields, status_json
from pubsmith_sandbox.validation import validate_body

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["package_routes"]


def package_routes(app: SandboxApp) -> list[Route]:
    api = _PackagesApi(app)
    base = "/packages/{owner}/{repo}"
    one = f"{base}/{{identifier}}"
    routes = []
    for fmt in FORMATS:
        upload = functools.partial(api.upload, fmt)
        validate = functools.partial(api.validate, fmt)
        routes.append(Route("POST", f"{base}/upload/{fmt}/", f"packages_upload_{fmt}", upload))
        routes.append(
            Route(
                "POST",
                f"{base}/validate-upload/{fmt}/",
                f"packages_validate-upload_{fmt}",
                validate,
            )
        )
    return [
        *routes,
        Route("GET", f"{base}/", "packages_list", api.list),
        Route("GET", f"{one}/", "packages_read", api.read),
        Route("DELETE", f"{one}/", "packages_delete", api.delete),
        Route("GET", f"{one}/status/", "packages_status", api.status),
        Route("POST", f"{one}/copy/", "packages_copy", api.copy),
        Route("POST", f"{one}/move/", "packages_move", api.move),
        Route("POST", f"{one}/tag/", "packages_tag", api.tag),
        Route("POST", f"{one}/resync/", "packages_resync", api.resync),
    ]


class _PackagesApi:
    def __init__(self, app: SandboxApp) -> None:
        self._app = app
        self._packages = app.packages

    def upload(self, fmt: str, request: Request) -> Response:
        owner, repo = self._app.repo_of(request)
        record = self._packages.create(owner, repo, fmt, request.json())
        return Response(201, package_json(record, request.api, self._app.clock.now()))

    def validate(self, fmt: str, request: Request) -> Response:
        self._app.repo_of(request)
        self._packages.check(fmt, request.json())
        return Response(204)

    def list(self, request: Request) -> Response:
        owner, repo = self._app.repo_of(request)
        now = self._app.clock.now()
        records = self._packages.store.in_repo(owner, repo)
        items = [search_fields(record, now) for record in records]
        query = request.query.get("query", "").strip()
        if query:
            matches = compile_query(query, self._app.clock.now)
            items = [item for item in items if matches(item)]
        items = sort_by(items, request.query.get("sort") or "-date")
        shown, headers = page_of(request, items)
        body = [package_json(item["record"], request.api, now) for item in shown]
        return Response(200, body, headers)

    def read(self, request: Request) -> Response:
        return Response(200, package_json(self._one(request), request.api, self._app.clock.now()))

    def status(self, request: Request) -> Response:
        return Response(200, status_json(self._one(request), request.api, self._app.clock.now()))

    def delete(self, request: Request) -> Response:
        record = self._one(request)
        self._packages.delete(record)
        self._app.metadata.forget(record.slug_perm)
        return Response(204)

    def copy(self, request: Request) -> Response:
        record = self._one(request)
        fields = validate_body("PackageCopyRequest", request.json())
        copied = self._packages.copy(record, fields["destination"], bool(fields.get("republish")))
        return Response(200, package_json(copied, request.api, self._app.clock.now()))

    def move(self, request: Request) -> Response:
        record = self._one(request)
        fields = validate_body("PackageMoveRequest", request.json())
        moved = self._packages.move(record, fields["destination"])
        return Response(200, package_json(moved, request.api, self._app.clock.now()))

    def tag(self, request: Request) -> Response:
        record = self._one(request)
        tagged = self._packages.tag(record, validate_body("PackageTagRequest", request.json()))
        return Response(200, package_json(tagged, request.api, self._app.clock.now()))

    def resync(self, request: Request) -> Response:
        resynced = self._packages.resync(self._one(request))
        return Response(200, package_json(resynced, request.api, self._app.clock.now()))

    def _one(self, request: Request) -> PackageRecord:
        owner, repo = self._app.repo_of(request)
        return self._packages.get(owner, repo, request.params["identifier"])
