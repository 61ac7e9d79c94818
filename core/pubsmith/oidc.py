"""CI without stored keys: exchange the CI's OIDC identity token for a short-lived API key.

Cloudsmith's ``POST /openid/{org}/`` takes ``{"oidc_token": ..., "service_slug": ...}``
and answers ``{"token": ...}``, a key for the service account ``service_slug`` that trusts
the CI's identity provider. The identity token comes from, in order:

- ``CLOUDSMITH_OIDC_TOKEN``, for any CI that can put the token in the environment;
- the GitHub Actions runtime (``ACTIONS_ID_TOKEN_REQUEST_URL`` and
  ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``, present when the job has ``permissions: id-token:
  write``), asked for the audience ``CLOUDSMITH_OIDC_AUDIENCE`` (default ``cloudsmith``).

``CLOUDSMITH_SERVICE_SLUG`` says which service account, and so that OIDC is wanted at all;
``CLOUDSMITH_ORG`` (or ``CLOUDSMITH_WORKSPACE``) the organisation, by default the owner of
the repository being published to. These are the variables Cloudsmith's CLI reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from pubsmith._urls import is_loopback
from pubsmith.errors import AuthenticationError, ConfigError, TransportError
from pubsmith.secret import Secret
from pubsmith.settings import Settings

__all__ = ["DEFAULT_AUDIENCE", "OidcPlan", "exchange_for_key", "github_token", "oidc_plan"]

DEFAULT_AUDIENCE = "cloudsmith"
_RUNTIME_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True)
class OidcPlan:
    """What to exchange: ``provider`` names the token's origin for messages."""

    provider: str
    org: str
    service_slug: str
    audience: str = DEFAULT_AUDIENCE
    token: Secret | None = field(default=None, repr=False)
    """The identity token itself, when the environment holds it."""


def oidc_plan(environ: Mapping[str, str], *, org: str | None = None) -> OidcPlan | None:
    """The exchange this environment asks for, or None when it asks for none.

    Raises :class:`ConfigError` when a service slug is set but no token can be had, or
    when the organisation is unknown.
    """
    service = environ.get("CLOUDSMITH_SERVICE_SLUG", "").strip()
    token = environ.get("CLOUDSMITH_OIDC_TOKEN", "").strip()
    github = (
        environ.get("GITHUB_ACTIONS") == "true"
        and bool(environ.get("ACTIONS_ID_TOKEN_REQUEST_URL"))
        and bool(environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
    )
    if not service:
        return None
    if not token and not github:
        raise ConfigError(
            "CLOUDSMITH_SERVICE_SLUG is set but there is no OIDC token: in GitHub Actions "
            "grant the job `permissions: id-token: write`; elsewhere set CLOUDSMITH_OIDC_TOKEN"
        )
    owner = (
        environ.get("CLOUDSMITH_ORG", "").strip()
        or environ.get("CLOUDSMITH_WORKSPACE", "").strip()
        or (org or "")
    )
    if not owner:
        raise ConfigError("OIDC needs the organisation: set CLOUDSMITH_ORG or pass --repo")
    audience = environ.get("CLOUDSMITH_OIDC_AUDIENCE", "").strip() or DEFAULT_AUDIENCE
    if token:
        return OidcPlan("CLOUDSMITH_OIDC_TOKEN", owner, service, audience, Secret(token))
    return OidcPlan("GitHub Actions", owner, service, audience)


def github_token(
    environ: Mapping[str, str], audience: str, *, http: httpx.Client | None = None
) -> Secret:
    """Ask the GitHub Actions runtime for an identity token for ``audience``."""
    url = httpx.URL(environ["ACTIONS_ID_TOKEN_REQUEST_URL"]).copy_merge_params(
        {"audience": audience}
    )
    if url.scheme != "https" and not (url.scheme == "http" and is_loopback(url.host)):
        raise ConfigError(
            f"ACTIONS_ID_TOKEN_REQUEST_URL must be https://, not {url.scheme}://{url.host}"
        )
    headers = {
        "Authorization": f"Bearer {environ['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}",
        "Accept": "application/json; api-version=2.0",
    }
    client = http or httpx.Client(timeout=_RUNTIME_TIMEOUT, follow_redirects=False)
    try:
        response = client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise TransportError(
            f"cannot get an OIDC token from the GitHub Actions runtime ({type(exc).__name__}); "
            "re-run the job"
        ) from None
    finally:
        if http is None:
            client.close()
    value = _json_field(response, "value")
    if response.status_code != 200 or not value:
        raise AuthenticationError(
            response.status_code,
            "the GitHub Actions runtime gave no OIDC token",
            operation="request an OIDC token from GitHub Actions",
            hint="grant the job `permissions: id-token: write`",
        )
    return Secret(value)


def exchange_for_key(plan: OidcPlan, settings: Settings, environ: Mapping[str, str]) -> Secret:
    """A short-lived API key for ``plan``'s service account, from ``settings.api_url``."""
    from pubsmith.client import CloudsmithClient

    token = plan.token or github_token(environ, plan.audience)
    with CloudsmithClient.from_settings(settings, key_required=False) as client:
        try:
            return client.exchange_oidc_token(
                plan.org, oidc_token=token, service_slug=plan.service_slug
            )
        except AuthenticationError as exc:
            raise AuthenticationError(
                exc.status_code,
                exc.detail,
                exc.fields,
                operation=f"exchange the {plan.provider} OIDC token",
                hint=f"check that service account {plan.service_slug!r} in {plan.org!r} "
                "trusts this CI's identity provider (CLOUDSMITH_SERVICE_SLUG, CLOUDSMITH_ORG)",
            ) from None


def _json_field(response: httpx.Response, name: str) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None
