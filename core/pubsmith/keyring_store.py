"""An API key kept in the system keyring, when there is one.

``keyring`` is an optional dependency. Without it, without a usable backend (headless CI,
no D-Bus session), or with ``PUBSMITH_KEYRING=0``, the lookup finds nothing and says
nothing: the keyring is a convenience, never a reason to fail. It is imported only when
a key is looked up, which :class:`~pubsmith.config.Config` does only when no other key
is configured.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping

import httpx

from pubsmith.secret import Secret

__all__ = ["KEYRING_SERVICE", "keyring_account", "keyring_key"]

KEYRING_SERVICE = "pubsmith"
_OFF = ("0", "false", "no", "off")

# keyring's macOS backend looks its frameworks up with ctypes.util.find_library when it is
# imported, which everywhere but macOS runs ldconfig, gcc and ld, three times over, only to
# find nothing. Elsewhere its native half is marked missing, which the backend expects (it
# then reports itself unavailable), so discovering the backends spawns no process.
_MACOS_API = "keyring.backends.macOS.api"


def keyring_account(api_url: str) -> str:
    """The keyring user name for an API: its host, with the port when not the default."""
    url = httpx.URL(api_url)
    return f"{url.host}:{url.port}" if url.port else url.host


def keyring_key(api_url: str, environ: Mapping[str, str]) -> Secret | None:
    """The key stored as ``keyring set pubsmith HOST``, or None."""
    if environ.get("PUBSMITH_KEYRING", "").strip().lower() in _OFF:
        return None
    if sys.platform != "darwin":
        sys.modules.setdefault(_MACOS_API, None)  # type: ignore[arg-type]
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, keyring_account(api_url))
    # Any backend failure (no backend, locked, no D-Bus) means "no key here", by design.
    except Exception:
        return None
    return Secret.coerce(value) if isinstance(value, str) else None
