"""The v2 metadata endpoints: validate a document, and a package's metadata entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pubsmith_sandbox.errors import NotFound
from pubsmith_sandbox.metadata import check_metadata
from pubsmith_sandbox.protocol import Request, Response, Route

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["metadata_routes"]


def metadata_routes(app: SandboxApp) -> list[Route]:
    api = _MetadataApi(app)
    package = "/v2/metadata/packages/{package}"
    entry = f"{package}/{{entry}}"
    return [
        Route("POST", "/v2/metadata/validate/", "metadata_validate", api.validate),
        Route("GET", f"{package}/", "metadata_list", api.list),
        Route("POST", f"{package}/", "metadata_create", api.create),
        Route("GET", f"{entry}/", "metadata_read", api.read),
        Route("PATCH", f"{entry}/", "metadata_partial_update", api.update),
        Route("DELETE", f"{entry}/", "metadata_delete", api.delete),
    ]


class _MetadataApi:
    def __init__(self, app: SandboxApp) -> None:
        self._app = app
        self._store = app.metadata

    def validate(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers)
        check_metadata(request.json())
        return Response(200, {"valid": True})

    def list(self, request: Request) -> Response:
        entries = self._store.list(self._package(request))
        return Response(200, {"count": len(entries), "next": None, "results": entries})

    def create(self, request: Request) -> Response:
        return Response(201, self._store.create(self._package(request), request.json()))

    def read(self, request: Request) -> Response:
        return Response(200, self._store.get(self._package(request), request.params["entry"]))

    def update(self, request: Request) -> Response:
        package = self._package(request)
        return Response(200, self._store.update(package, request.params["entry"], request.json()))

    def delete(self, request: Request) -> Response:
        self._store.delete(self._package(request), request.params["entry"])
        return Response(204)

    def _package(self, request: Request) -> str:
        """The package's slug_perm, once the key is known and the package exists."""
        self._app.auth.authenticate(request.headers)
        slug = request.params["package"]
        if self._app.packages.store.by_slug_perm(slug) is None:
            raise NotFound(404, "Not found.")
        return slug
