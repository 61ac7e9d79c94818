"""API credentials: ``X-Api-Key``, ``Authorization: Bearer`` or Basic with the key as password.

Keys handed out by the OIDC exchange are kept only as hashes, with their expiry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from email.message import Message

from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.errors import Unauthorized

__all__ = ["CREDENTIAL_HEADERS", "Authenticator", "credential_from"]

CREDENTIAL_HEADERS = ("x-api-key", "authorization", "cookie")
"""Headers that carry credentials: recorded when sent where none belong."""

MISSING = "Authentication credentials were not provided."
INVALID = "Invalid API key."


def credential_from(headers: Message) -> str | None:
    """The API key a request carries, or None; a malformed Authorization header is a 401."""
    key = headers.get("X-Api-Key")
    if key:
        return key.strip() or None
    authorization = headers.get("Authorization", "").strip()
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() in ("bearer", "token"):
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(401, "Invalid basic header.") from None
        _, sep, password = decoded.partition(":")
        if not sep:
            raise Unauthorized(401, "Invalid basic header.")
        return password or None
    raise Unauthorized(401, f"Unsupported authorization scheme {scheme!r}.")


class Authenticator:
    def __init__(self, db: Database, api_key: str | None, clock: Clock) -> None:
        self._db = db
        self._api_key = api_key
        self._clock = clock

    def authenticate(self, headers: Message, required: bool = True) -> bool:
        """True for a valid key, False for none (when not ``required``); else a 401."""
        key = credential_from(headers)
        if key is None:
            if required:
                raise Unauthorized(401, MISSING)
            return False
        if not self._accepts(key):
            raise Unauthorized(401, INVALID)
        return True

    def issue_key(self, seconds: float) -> str:
        """A new short-lived API key (the OIDC exchange's answer)."""
        key = f"sbx_{secrets.token_urlsafe(24)}"
        self._db.execute(
            "INSERT INTO short_lived_keys (key_hash, expires_at) VALUES (?, ?)",
            (_hash(key), self._clock.now() + seconds),
        )
        return key

    def _accepts(self, key: str) -> bool:
        if self._api_key is None:
            return True
        if hmac.compare_digest(key.encode("utf-8"), self._api_key.encode("utf-8")):
            return True
        row = self._db.row(
            "SELECT expires_at FROM short_lived_keys WHERE key_hash = ?", (_hash(key),)
        )
        return row is not None and row["expires_at"] > self._clock.now()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
