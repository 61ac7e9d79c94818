"""HTTP clients for the tests' loopback servers, cheap to make.

httpx builds a TLS context for every client, loading the whole CA bundle (about 50 ms
here) even for plain-HTTP loopback servers; the quick loop made some 380 clients and spent
20 s on it. These share one default context instead, verification unchanged.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

__all__ = ["http_client", "http_get", "http_post"]

_TLS = ssl.create_default_context()


def http_client(**options: Any) -> httpx.Client:
    """``httpx.Client(**options)`` with the shared TLS context."""
    return httpx.Client(verify=_TLS, **options)


def http_get(url: str, **options: Any) -> httpx.Response:
    """``httpx.get``, with the shared TLS context."""
    with http_client() as client:
        return client.get(url, **options)


def http_post(url: str, **options: Any) -> httpx.Response:
    """``httpx.post``, with the shared TLS context."""
    with http_client() as client:
        return client.post(url, **options)
