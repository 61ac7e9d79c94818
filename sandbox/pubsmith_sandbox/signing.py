"""HMAC signatures for presigned upload URLs and the test OIDC issuer's tokens (HS256 JWTs).

One secret per data directory signs both, so a restarted sandbox still accepts the URLs
and tokens it handed out before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from pubsmith_sandbox.errors import Unauthorized

__all__ = ["OIDC_ISSUER_PATH", "Signer", "fingerprint"]

OIDC_ISSUER_PATH = "/_sandbox/oidc"


def fingerprint(value: str) -> str:
    """A short one-way trace of a secret: enough to tell two apart, useless to recover one."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def sign(self, *parts: str) -> str:
        message = "\n".join(parts).encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def verify(self, signature: str, *parts: str) -> bool:
        return hmac.compare_digest(signature.encode("utf-8"), self.sign(*parts).encode("utf-8"))

    def encode_policy(self, policy: Mapping[str, Any]) -> tuple[str, str]:
        """A presigned POST policy as (base64 JSON, signature), like S3's."""
        encoded = base64.b64encode(json.dumps(dict(policy), sort_keys=True).encode()).decode()
        return encoded, self.sign("post-policy", encoded)

    def decode_policy(self, encoded: str, signature: str) -> dict[str, Any]:
        """The policy, or ``{}`` when it was not signed by this sandbox."""
        if not self.verify(signature, "post-policy", encoded):
            return {}
        try:
            policy = json.loads(base64.b64decode(encoded, validate=True))
        except ValueError:
            return {}
        return policy if isinstance(policy, dict) else {}

    def mint_jwt(self, claims: Mapping[str, Any]) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(dict(claims), sort_keys=True).encode())
        signature = hmac.new(self._secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{_b64(signature)}"

    def verify_jwt(self, token: str, issuer: str, now: float) -> dict[str, Any]:
        """The claims of a token this sandbox minted for ``issuer``, unexpired at ``now``;
        401 for anything else."""
        try:
            header, body, signature = token.split(".")
            expected = hmac.new(self._secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
            valid = hmac.compare_digest(_unb64(signature), expected)
            # Nothing of a token is parsed before its signature checks out.
            claims = json.loads(_unb64(body)) if valid else None
            algorithm = json.loads(_unb64(header)).get("alg") if valid else None
        except (ValueError, AttributeError):
            claims, algorithm = None, None
        if not isinstance(claims, dict) or algorithm != "HS256":
            raise Unauthorized(401, "OIDC token cannot be authenticated.")
        if claims.get("iss") != issuer:
            raise Unauthorized(401, f"OIDC token was not issued by {issuer}.")
        expires = claims.get("exp")
        if not isinstance(expires, (int, float)) or expires <= now:
            raise Unauthorized(401, "OIDC token has expired.")
        return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
