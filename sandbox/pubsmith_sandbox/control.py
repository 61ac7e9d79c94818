"""The ``/_sandbox/`` control endpoints: state for tests, live fault settings, the clock,
test tokens.

They are never faulted, rate limited or counted, so a test can always see and steer a
sandbox, however broken it has been told to be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pubsmith_sandbox.errors import BadRequest, SandboxConfigError, SandboxError, ServerFault
from pubsmith_sandbox.protocol import Request, Response, Route

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["control_routes"]


def control_routes(app: SandboxApp) -> list[Route]:
    def state(request: Request) -> Response:
        return Response(200, app.state())

    def settings(request: Request) -> Response:
        return Response(200, app.settings())

    def configure(request: Request) -> Response:
        try:
            return Response(200, app.configure(request.json()))
        except SandboxConfigError as exc:
            raise BadRequest(400, str(exc)) from None

    def clock(request: Request) -> Response:
        return Response(200, app.clock.as_dict())

    def advance_clock(request: Request) -> Response:
        """``{"advance": SECONDS}``: answered once processing has caught up with the clock."""
        body = request.json()
        if set(body) != {"advance"}:
            raise BadRequest(400, 'Send {"advance": SECONDS}, the seconds to move the clock on.')
        try:
            app.clock.advance(body["advance"])
        except SandboxConfigError as exc:
            raise BadRequest(400, str(exc)) from None
        except SandboxError as exc:
            raise ServerFault(503, str(exc)) from None
        return Response(200, app.clock.as_dict())

    def oidc_token(request: Request) -> Response:
        body = request.json()
        claims: dict[str, Any] = body.get("claims") or {}
        try:
            token = app.mint_oidc_token(
                request.root,
                subject=str(body.get("subject") or "sandbox-test"),
                expires_in=float(body.get("expires_in") or 300),
                **claims,
            )
        except (TypeError, ValueError) as exc:
            raise BadRequest(400, f"Cannot mint a token from that body: {exc}") from None
        return Response(201, {"token": token})

    return [
        Route("GET", "/_sandbox/state/", "sandbox_state", state, control=True),
        Route("GET", "/_sandbox/config/", "sandbox_settings", settings, control=True),
        Route("POST", "/_sandbox/config/", "sandbox_configure", configure, control=True),
        Route("GET", "/_sandbox/clock/", "sandbox_clock", clock, control=True),
        Route("POST", "/_sandbox/clock/", "sandbox_advance_clock", advance_clock, control=True),
        Route("POST", "/_sandbox/oidc/token/", "sandbox_oidc_token", oidc_token, control=True),
    ]
