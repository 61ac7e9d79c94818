"""URLs pubsmith talks to: which are acceptable, and which may receive the API key."""

from __future__ import annotations

import ipaddress
import ssl

import httpx

from pubsmith.errors import ConfigError, UploadError

__all__ = [
    "Origin",
    "is_loopback",
    "may_carry_key",
    "normalise_api_url",
    "origin",
    "tls_context",
    "upload_url",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin(url: httpx.URL) -> Origin:
    """Scheme, host and port, the default port filled in: what "same server" means."""
    return (url.scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme, 0))


def may_carry_key(url: httpx.URL, api_origin: Origin) -> bool:
    """Whether an upload endpoint that needs the key may get it: never in clear elsewhere."""
    return (
        origin(url) == api_origin
        or url.scheme == "https"
        or (url.scheme == "http" and is_loopback(url.host))
    )


def normalise_api_url(url: str) -> str:
    """``url`` without a trailing slash, or :class:`ConfigError` if it cannot be an API."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        parsed = httpx.URL()
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"API URL must be http(s)://HOST[:PORT][/PATH], not {url!r}")
    if parsed.userinfo or parsed.query or parsed.fragment:
        raise ConfigError(
            "API URL must not carry credentials, a query or a fragment; "
            "pass the key with CLOUDSMITH_API_KEY or --api-key"
        )
    return str(parsed).rstrip("/")


def upload_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        target = httpx.URL()
    if target.scheme not in ("http", "https") or not target.host:
        raise UploadError(f"the API gave an unusable upload URL ({url[:80]!r}); publish again")
    return target


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(verify: bool | str) -> bool | ssl.SSLContext:
    # httpx deprecates a path for verify=; a context built from the bundle is the same.
    if isinstance(verify, bool):
        return verify
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot use CA bundle {verify}: {exc}; pass a PEM file") from None
