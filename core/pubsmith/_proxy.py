"""Which forward proxy a request goes through, by the rules curl and requests follow.

``https_proxy`` for ``https://`` URLs, ``http_proxy`` for ``http://`` ones, ``all_proxy``
for either when its own is unset (each also in capitals, the lower-case spelling first),
unless the host is in ``no_proxy``. An explicit proxy (``--proxy``, the ``proxy`` setting)
stands for all three; ``no_proxy`` still applies to it, as it does to curl's ``-x``.

Through a proxy an ``https://`` request is a ``CONNECT`` tunnel: the proxy relays TLS it
cannot read, so the API key never crosses it in clear. A proxy's own credentials
(``http://user:password@proxy:3128``) are sent to the proxy alone and never shown.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from pubsmith._text import printable
from pubsmith.errors import ConfigError

__all__ = ["ProxyRoutes", "redact_proxy_url"]

_VARIABLES = {
    "http": ("http_proxy", "HTTP_PROXY"),
    "https": ("https_proxy", "HTTPS_PROXY"),
    "all": ("all_proxy", "ALL_PROXY"),
}
_NO_PROXY = ("no_proxy", "NO_PROXY")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def redact_proxy_url(url: str) -> str:
    """``url`` with its password (or a lone user name, which may be a token) as ``****``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    shown = f"{user}:****" if colon else "****"
    return f"{scheme}{sep}{shown}@{hostport}{slash}{path}"


@dataclass(frozen=True)
class _Proxy:
    url: httpx.URL
    source: str
    """Where it was set: ``--proxy``, ``HTTPS_PROXY``, a file..."""


@dataclass(frozen=True)
class ProxyRoutes:
    """The proxy for each scheme, and the hosts that bypass them."""

    http: _Proxy | None = None
    https: _Proxy | None = None
    no_proxy: tuple[str, ...] = ()

    @classmethod
    def resolve(
        cls,
        environ: Mapping[str, str],
        explicit: str | None = None,
        explicit_source: str = "--proxy",
    ) -> ProxyRoutes:
        """The routes ``explicit`` (for every scheme) or ``environ`` ask for.

        Raises :class:`ConfigError` naming the setting when a proxy URL is unusable: not
        ``http://`` or ``https://`` (SOCKS is not supported), or without a host.
        """
        no_proxy = _no_proxy(environ)
        if explicit is not None and explicit.strip():
            proxy = _parse(explicit.strip(), explicit_source)
            return cls(proxy, proxy, no_proxy)
        fallback = _from_environment(environ, "all")
        return cls(
            _from_environment(environ, "http") or fallback,
            _from_environment(environ, "https") or fallback,
            no_proxy,
        )

    @property
    def configured(self) -> bool:
        return self.http is not None or self.https is not None

    def proxy_for(self, url: httpx.URL) -> httpx.URL | None:
        """The proxy a request to ``url`` goes through, or None to connect directly."""
        chosen = self.https if url.scheme == "https" else self.http
        if chosen is None or self._bypassed(url):
            return None
        return chosen.url

    def secrets(self) -> list[str]:
        """The proxies' passwords (or token-like user names), for logs to scrub."""
        found: list[str] = []
        for proxy in (self.http, self.https):
            if proxy is None:
                continue
            user, password = proxy.url.username, proxy.url.password
            for secret in (password, user if not password else ""):
                if secret and secret not in found:
                    found.append(secret)
        return found

    def describe(self) -> list[tuple[str, str, str]]:
        """``(scheme, proxy with its password hidden, source)`` for each proxied scheme."""
        rows = []
        for scheme, proxy in (("https", self.https), ("http", self.http)):
            if proxy is not None:
                rows.append((scheme, redact_proxy_url(str(proxy.url)), proxy.source))
        return rows

    def _bypassed(self, url: httpx.URL) -> bool:
        host = url.host.lower().strip("[]").rstrip(".")
        port = url.port or _DEFAULT_PORTS.get(url.scheme)
        return any(_matches(entry, host, port) for entry in self.no_proxy)


def _from_environment(environ: Mapping[str, str], kind: str) -> _Proxy | None:
    for name in _VARIABLES[kind]:
        value = environ.get(name, "").strip()
        if value:
            return _parse(value, name)
    return None


def _parse(text: str, source: str) -> _Proxy:
    # A scheme-less proxy ("proxy:3128") means http://, as for curl and requests.
    candidate = text if "://" in text else f"http://{text}"
    shown = printable(redact_proxy_url(text))
    try:
        url = httpx.URL(candidate)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme.startswith("socks"):
        raise ConfigError(
            f"{source}: SOCKS proxies ({shown}) are not supported; "
            "set an http:// proxy with --proxy or HTTPS_PROXY"
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{source}: a proxy is http(s)://[USER:PASSWORD@]HOST:PORT, not {shown}")
    return _Proxy(url, source)


def _no_proxy(environ: Mapping[str, str]) -> tuple[str, ...]:
    for name in _NO_PROXY:
        if name in environ:
            text = environ[name]
            return tuple(entry.strip().lower() for entry in text.split(",") if entry.strip())
    return ()


def _matches(entry: str, host: str, port: int | None) -> bool:
    """Whether one ``no_proxy`` entry covers ``host``: ``*``; a domain and its subdomains
    (``example.com`` and ``.example.com`` alike); an IP address or CIDR block; each with an
    optional ``:PORT``."""
    if entry == "*":
        return True
    name, wanted = _split_port(entry)
    if wanted is not None and wanted != port:
        return False
    name = name.strip("[]").rstrip(".")
    try:
        network = ipaddress.ip_network(name, strict=False)
    except ValueError:
        network = None
    if network is not None:
        try:
            return ipaddress.ip_address(host) in network
        except ValueError:
            return False
    domain = name.lstrip("*").lstrip(".")
    return bool(domain) and (host == domain or host.endswith(f".{domain}"))


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1]:8080
        address, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        return address, int(port) if port.isdigit() else None
    name, colon, port = entry.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        return name, int(port)
    return entry, None
