"""Where to publish and with which key: parsed and checked once, before any request."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pubsmith._text import printable
from pubsmith._urls import is_loopback
from pubsmith.errors import ConfigError
from pubsmith.retry import DEFAULT_REQUEST_TIMEOUT
from pubsmith.secret import Secret

__all__ = ["DEFAULT_API_URL", "Repository", "Settings"]

DEFAULT_API_URL = "https://api.cloudsmith.io"

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Repository:
    """A Cloudsmith repository, ``OWNER/REPO``."""

    owner: str
    name: str

    @classmethod
    def parse(cls, text: str) -> Repository:
        owner, _, name = text.strip().strip("/").partition("/")
        if not (_SLUG.match(owner) and _SLUG.match(name)):
            raise ConfigError(
                f"--repo must be OWNER/REPO (letters, digits, '.', '_', '-'), "
                f"not '{printable(text)}'"
            )
        return cls(owner, name)

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Settings:
    """The API to talk to and the key to talk to it with.

    The key is a :class:`~pubsmith.secret.Secret`, so a ``Settings`` can be printed or
    logged without revealing it.
    """

    api_url: str = DEFAULT_API_URL
    api_key: Secret | None = None
    allow_http: bool = False
    ca_bundle: str | None = None
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    """Seconds one attempt of a request may take; see :class:`~pubsmith.retry.RetryPolicy`."""
    proxy: str | None = None
    """A proxy URL for every request; None: ``HTTPS_PROXY`` and the like, if set."""
    proxy_source: str = "--proxy"
    """Where ``proxy`` was set, to name in a message when it is unusable."""
    key_flag: str | None = "--api-key"
    """The flag a user would give a key with, to suggest when there is none."""

    @classmethod
    def resolve(
        cls,
        *,
        api_url: str | None = None,
        api_key: str | Secret | None = None,
        allow_http: bool = False,
        ca_bundle: str | None = None,
        timeout: float | None = None,
        proxy: str | None = None,
        proxy_source: str = "--proxy",
        key_flag: str | None = "--api-key",
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from explicit values first, then ``CLOUDSMITH_API_HOST``/``_KEY``."""
        env = os.environ if environ is None else environ
        url = api_url or env.get("CLOUDSMITH_API_HOST") or DEFAULT_API_URL
        key = api_key if api_key is not None else env.get("CLOUDSMITH_API_KEY")
        secret = key if isinstance(key, Secret) or key is None else Secret(key)
        settings = cls(
            api_url=_normalise_url(url),
            api_key=secret if secret and secret.reveal() else None,
            allow_http=allow_http,
            ca_bundle=ca_bundle,
            timeout=timeout or DEFAULT_REQUEST_TIMEOUT,
            proxy=proxy or None,
            proxy_source=proxy_source,
            key_flag=key_flag,
        )
        settings.check_url()
        return settings

    def require_key(self) -> Secret:
        if self.api_key is None:
            flag = f" or pass {self.key_flag}" if self.key_flag else ""
            raise ConfigError(
                f"no API key: set CLOUDSMITH_API_KEY{flag} (or put api-key in your user "
                "config, see `pubsmith config`; in CI set CLOUDSMITH_SERVICE_SLUG for OIDC)"
            )
        return self.api_key

    def check_url(self) -> None:
        """Refuse plain HTTP to anything but loopback unless the user allowed it."""
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"API URL must be http(s)://HOST[:PORT], not {self.api_url!r}")
        if parts.scheme == "http" and not self.allow_http and not is_loopback(parts.hostname):
            raise ConfigError(
                f"refusing to send the API key over plain HTTP to {parts.hostname}; "
                "use https:// or pass --allow-http if this network is trusted"
            )


def _normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    return url
