"""The small endpoints: user_self, formats, distros, rate limits and the OIDC exchange."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pubsmith_sandbox.catalog import DISTROS, FORMATS, Distro, FormatInfo
from pubsmith_sandbox.errors import NotFound
from pubsmith_sandbox.protocol import Request, Response, Route
from pubsmith_sandbox.serializers import timestamp
from pubsmith_sandbox.signing import OIDC_ISSUER_PATH
from pubsmith_sandbox.validation import validate_body

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["misc_routes"]

USER_SLUG = "sandbox"


def misc_routes(app: SandboxApp) -> list[Route]:
    api = _MiscApi(app)
    return [
        Route("GET", "/user/self/", "user_self", api.user_self),
        Route("GET", "/formats/", "formats_list", api.formats_list),
        Route("GET", "/formats/{slug}/", "formats_read", api.formats_read),
        Route("GET", "/distros/", "distros_list", api.distros_list),
        Route("GET", "/distros/{slug}/", "distros_read", api.distros_read),
        Route("GET", "/rates/limits/", "rates_limits_list", api.rates_limits_list),
        Route("POST", "/openid/{owner}/", "openid_create", api.openid_create),
    ]


class _MiscApi:
    def __init__(self, app: SandboxApp) -> None:
        self._app = app

    def user_self(self, request: Request) -> Response:
        known = self._app.auth.authenticate(request.headers, required=False)
        return Response(
            200,
            {
                "authenticated": known,
                "email": "sandbox@example.invalid" if known else None,
                "name": "Sandbox User" if known else None,
                "profile_url": f"{request.api}/users/profile/{USER_SLUG}/" if known else None,
                "self_url": f"{request.api}/user/self/",
                "slug": USER_SLUG if known else None,
                "slug_perm": "SandboxUser1" if known else None,
            },
        )

    def formats_list(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers, required=False)
        return Response(200, [_format_json(info, request.api) for info in FORMATS.values()])

    def formats_read(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers, required=False)
        info = FORMATS.get(request.params["slug"])
        if info is None:
            raise NotFound(404, "Not found.")
        return Response(200, _format_json(info, request.api))

    def distros_list(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers, required=False)
        return Response(200, [_distro_json(distro, request.api) for distro in DISTROS])

    def distros_read(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers, required=False)
        for distro in DISTROS:
            if distro.slug == request.params["slug"]:
                return Response(200, _distro_json(distro, request.api))
        raise NotFound(404, "Not found.")

    def rates_limits_list(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers, required=False)
        status = self._app.limiter.peek()
        return Response(
            200,
            {
                "resources": {
                    "core": {
                        "interval": round(status.interval, 3),
                        "limit": status.limit,
                        "remaining": status.remaining,
                        "reset": int(status.reset),
                        "reset_iso_8601": timestamp(status.reset),
                        "throttled": status.throttled,
                    }
                }
            },
        )

    def openid_create(self, request: Request) -> Response:
        owner = request.params["owner"]
        fields = validate_body("OidcRequest", request.json())
        if owner not in self._app.repos.namespaces():
            raise NotFound(404, "Not found.")
        self._app.signer.verify_jwt(
            fields["oidc_token"], request.root + OIDC_ISSUER_PATH, self._app.clock.now()
        )
        key = self._app.auth.issue_key(self._app.config.oidc_key_seconds)
        return Response(201, {"token": key})


def _format_json(info: FormatInfo, api: str) -> dict[str, Any]:
    distros = [distro for distro in DISTROS if distro.format == info.slug]
    return {
        "description": f"{info.name} packages",
        "distributions": [
            {
                "name": distro.name,
                "self_url": f"{api}/distros/{distro.slug}/",
                "slug": distro.slug,
                "variants": None,
            }
            for distro in distros
        ]
        or None,
        "extensions": list(info.extensions),
        "name": info.name,
        "premium": False,
        "premium_plan_id": None,
        "premium_plan_name": None,
        "slug": info.slug,
        "supports": {
            "dependencies": False,
            "distributions": bool(distros),
            "file_lists": False,
            "filepaths": info.slug in ("generic", "raw"),
            "metadata": True,
            "upstreams": {
                "auth_modes": ["Username and Password"],
                "cache_only": False,
                "caching": False,
                "indexing": False,
                "indexing_behavior": "Unsupported",
                "proxying": False,
                "signature_verification": "Unsupported",
                "trust": False,
            },
            "versioning": info.slug not in ("raw", "generic"),
        },
    }


def _distro_json(distro: Distro, api: str) -> dict[str, Any]:
    return {
        "format": distro.format,
        "format_url": f"{api}/formats/{distro.format}/",
        "name": distro.name,
        "self_url": f"{api}/distros/{distro.slug}/",
        "slug": distro.slug,
        "variants": None,
        "versions": [{"name": name, "slug": slug} for slug, name in distro.versions],
    }
