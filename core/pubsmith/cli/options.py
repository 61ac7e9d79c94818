"""The connection flags every command that talks to the API takes, in one place.

Cloudsmith's CLI spells some of them differently (``--api-host``, ``-k``, ``--api-proxy``);
those spellings work here too, so a habit carries over.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

__all__ = ["Connection", "connection_options"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Connection:
    """What the connection flags said; None for each flag not given."""

    api_url: str | None
    api_key: str | None
    proxy: str | None
    allow_http: bool
    ca_bundle: str | None
    timeout: float | None

    @property
    def flags(self) -> dict[str, Any]:
        """The flags that are settings, keyed as :func:`~pubsmith.config.load_config` takes them."""
        return {
            "api-url": self.api_url,
            "api-key": self.api_key,
            "proxy": self.proxy,
            "timeout": self.timeout,
        }


def connection_options(command: F) -> F:
    """Add the flags, passed to ``command`` as one ``connection`` keyword argument."""
    options = [
        click.option(
            "--api-url",
            "--api-host",
            "api_url",
            metavar="URL",
            help="API URL [env: CLOUDSMITH_API_HOST; default https://api.cloudsmith.io].",
        ),
        click.option(
            "--api-key",
            "-k",
            "api_key",
            metavar="KEY",
            help="API key [env: CLOUDSMITH_API_KEY]. Prefer the environment: flags show in "
            "process lists.",
        ),
        click.option(
            "--proxy",
            "--api-proxy",
            "proxy",
            metavar="URL",
            help="Proxy for every request, http(s)://[USER:PASSWORD@]HOST:PORT "
            "[env: CLOUDSMITH_PROXY; default: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY; "
            "NO_PROXY applies].",
        ),
        click.option(
            "--allow-http", is_flag=True, help="Allow plain http:// to a host other than loopback."
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(exists=True, dir_okay=False),
            help="CA bundle to verify the API's TLS certificate.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Longest time one request may take, connecting to the end of its answer "
            "[default 120; an upload adds 1 s per 16 KiB it sends].",
        ),
    ]
    names = ("api_url", "api_key", "proxy", "allow_http", "ca_bundle", "timeout")

    # wraps() also carries over the click parameters declared below this decorator.
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in names}
        return command(*args, connection=Connection(**values), **kwargs)

    wrapped: Any = wrapper
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped  # type: ignore[no-any-return]
