"""URLs pubsmith talks to: which are acceptable, and which may receive the API key."""

from __future__ import annotations

import functools
import ipaddress
import ssl
from typing import TYPE_CHECKING

import httpx

from pubsmith.errors import ConfigError, UploadError

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

__all__ = [
    "Origin",
    "check_key_target",
    "is_loopback",
    "may_carry_key",
    "normalise_api_url",
    "origin",
    "registrable_domain",
    "tls_context",
    "upload_url",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin(url: httpx.URL) -> Origin:
    """Scheme, host and port, the default port filled in: what "same server" means."""
    return (url.scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme, 0))


def may_carry_key(url: httpx.URL, api_origin: Origin) -> bool:
    """Whether a request to ``url`` may carry the API key meant for ``api_origin``.

    The API's own origin (scheme, host and port) may. Another endpoint that needs the key,
    such as the multipart parts endpoint Cloudsmith runs on its upload host, may only over
    https and only on a host of the API's own registrable domain (``upload.cloudsmith.io``
    for ``api.cloudsmith.io``; never ``cloudsmith.io.evil.com``). An API on loopback or at
    an IP address has no domain: only its own origin may.
    """
    if origin(url) == api_origin:
        return True
    api_host = api_origin[1]
    if url.scheme != "https" or _is_address(api_host) or _is_address(url.host):
        return False
    domain = registrable_domain(api_host)
    return domain is not None and registrable_domain(_ascii_host(url)) == domain


def check_key_target(url: httpx.URL, api_origin: Origin, purpose: str) -> None:
    """Raise :class:`UploadError` naming the host unless ``url`` may carry the key."""
    if not may_carry_key(url, api_origin):
        host = _ascii_host(url)
        raise UploadError(
            f"refusing to send the API key to {host} for {purpose}: the key goes only to the "
            f"API's own host ({api_origin[1]}) or, over https, to another host of its domain"
        )


def registrable_domain(host: str) -> str | None:
    """The domain a registrar hands out that ``host`` is in, by the Public Suffix List.

    ``upload.cloudsmith.io`` is in ``cloudsmith.io``, ``a.example.co.uk`` in
    ``example.co.uk``; a public suffix itself (``co.uk``) is in none: None.
    """
    return _suffixes().privatesuffix(host.lower().rstrip("."))


@functools.cache
def _suffixes() -> PublicSuffixList:
    # About 0.1 s to build, and needed only when a parts URL names another host.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _ascii_host(url: httpx.URL) -> str:
    # The IDNA form: what is resolved, and what a look-alike Unicode name cannot pass for.
    return url.raw_host.decode("ascii").lower()


def _is_address(host: str) -> bool:
    if is_loopback(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


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
