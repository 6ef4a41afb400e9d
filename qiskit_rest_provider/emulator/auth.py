"""Credentials: IAM-style JWT access tokens, Classic login tokens and optional accounts.

With no accounts file every non-empty API key is accepted and every ``Service-CRN`` is an
instance of its own. An accounts file (JSON) restricts keys to instances::

    {"accounts": [{"api_key": "k1", "instances": ["crn:v1:...:a/1:inst-1::"]},
                  {"api_key": "k2", "instances": ["*"]}]}

Tokens are signed (HMAC-SHA256) with a per-database secret, so they survive a restart with the
same ``--data-dir`` and are worthless against another emulator. Nothing here logs a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(secret: str) -> str:
    """A stable, non-reversible id for an API key (used as user id and for revocation)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Principal:
    """Who is calling, as established by the auth layer.

    Attributes:
        user_id: Stable id derived from the API key (never the key itself).
        instance: The instance the request acts on (CRN, or ``classic/<user>``).
        dialect: ``"current"``, ``"classic"`` or ``"transpiler"``.
    """

    user_id: str
    instance: str
    dialect: str


class Accounts:
    """Which API keys may use which instances."""

    def __init__(self, mapping: dict[str, list[str]] | None = None) -> None:
        self._mapping = mapping

    @classmethod
    def load(cls, path: str | None) -> Accounts:
        """Reads an accounts file; ``None`` means open access.

        Raises:
            ValueError: If the file is not of the documented shape.
        """
        if path is None:
            return cls(None)
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        mapping: dict[str, list[str]] = {}
        for entry in data.get("accounts", []) if isinstance(data, dict) else []:
            key, inst = entry.get("api_key"), entry.get("instances", ["*"])
            if not isinstance(key, str) or not key or not isinstance(inst, list):
                raise ValueError("each account needs a non-empty 'api_key' and a list 'instances'")
            mapping[key] = [str(i) for i in inst]
        return cls(mapping)

    def key_allowed(self, api_key: str) -> bool:
        """Whether an API key (or Classic apiToken) may log in at all."""
        if not api_key:
            return False
        return self._mapping is None or api_key in self._mapping

    def instances_of(self, user_id: str) -> list[str]:
        """The instances listed for the key behind ``user_id`` (``["*"]`` for open access)."""
        if self._mapping is None:
            return ["*"]
        for key, instances in self._mapping.items():
            if fingerprint(key) == user_id:
                return list(instances)
        return []

    def instance_allowed(self, user_id: str, instance: str) -> bool:
        """Whether the key behind ``user_id`` may act on ``instance``."""
        if self._mapping is None:
            return True
        for key, instances in self._mapping.items():
            if fingerprint(key) == user_id:
                return "*" in instances or instance in instances
        return False


class TokenIssuer:
    """Issues and verifies JWT-shaped HS256 access tokens.

    The IBM Cloud SDK decodes the token (without checking the signature) to read ``iat`` and
    ``exp`` and schedule refreshes, so the token must be a real three-part JWT.
    """

    #: Tokens whose signature was checked, remembered (with their claims) up to this many.
    VERIFIED_CACHE = 4096

    def __init__(self, secret: bytes, ttl: int) -> None:
        self._secret = secret
        self.ttl = ttl
        # token -> claims of a good signature: every request carries its token, and checking
        # the HMAC and parsing the claims again was a tenth of a poll's server time.
        self._verified: dict[str, dict[str, Any]] = {}

    def issue(
        self, user_id: str, *, kind: str = "iam", family: str | None = None
    ) -> dict[str, Any]:
        """Creates a token for ``user_id``.

        Args:
            user_id: The subject.
            kind: ``"iam"``, ``"refresh"`` or ``"classic"``.
            family: Id shared by an access token, its refresh token and every token refreshed
                from them, so that a logout revokes them all (see :func:`family_key`).

        Returns:
            ``{"token", "iat", "exp", "family"}``.
        """
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT", "kid": "emulator"}
        claims = {
            "iam_id": f"IBMid-{user_id}",
            "sub": user_id,
            "kind": kind,
            "iat": now,
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
            "fam": family or secrets.token_hex(8),
            "iss": "qiskit-rest-emulator",
        }
        signing_input = (
            _b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        sig = hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        return {
            "token": f"{signing_input}.{_b64url(sig)}",
            "iat": now,
            "exp": claims["exp"],
            "family": claims["fam"],
        }

    def verify(self, token: str, *, kind: str | None = None) -> dict[str, Any] | None:
        """Returns the claims of a valid, unexpired token, else ``None``."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._signed_claims(token)
            if claims is None:
                return None
            if len(self._verified) >= self.VERIFIED_CACHE:
                self._verified.clear()  # bounded: tokens are the callers' choice
            self._verified[token] = claims
        if claims.get("exp", 0) <= time.time():
            return None
        if kind is not None and claims.get("kind") != kind:
            return None
        return dict(claims)

    def _signed_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token signed with this secret (expired or not), else ``None``."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
        expected = hmac.new(self._secret, signing_input, hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(expected, _b64url_decode(parts[2])):
                return None
            claims = json.loads(_b64url_decode(parts[1]))
        except (ValueError, TypeError):
            return None
        return claims if isinstance(claims, dict) else None


def token_hash(token: str) -> str:
    """Hash under which a revoked token is remembered (tokens are never stored raw)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def family_key(claims: dict[str, Any]) -> str:
    """Key under which a logout revokes a token's whole family (tokens without one: none)."""
    return "family:" + str(claims.get("fam") or claims.get("jti", ""))
