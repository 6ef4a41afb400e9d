"""Request helpers shared by the routes: authentication per dialect and JSON bodies."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request

from .. import errors
from ..auth import Principal, family_key, fingerprint, token_hash
from ..config import API_VERSIONS
from ..errors import ApiError, bad_request, unauthorized
from ..state import EmulatorState

_VERSIONS = {v["version"] for v in API_VERSIONS}


def emu(request: Request) -> EmulatorState:
    """The emulator state behind the app serving ``request``."""
    state: EmulatorState = request.app.state.emu
    return state


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _check_text(value: Any) -> None:
    """Raises ``UnicodeEncodeError`` for a string anywhere in ``value`` that is not UTF-8."""
    stack = [value]
    while stack:  # iterative: the nesting depth is the sender's choice
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_json(raw: bytes | str) -> Any:
    """Parses untrusted JSON text.

    Raises:
        ApiError: 400 when it is not JSON, nests too deeply for the parser, or holds a lone
            UTF-16 surrogate (the escape ``ud800`` after a backslash: valid JSON, but no UTF-8
            text can carry it).
    """
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise bad_request("The request body is not valid JSON.") from None
    escaped = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if _SURROGATE_ESCAPE.search(escaped):  # only then can a decoded string hold one
        try:
            _check_text(value)
        except UnicodeEncodeError:
            raise bad_request(
                'The request body holds a lone UTF-16 surrogate (e.g. "\\ud800"); '
                "strings must be valid Unicode."
            ) from None
    return value


async def json_body(request: Request) -> Any:
    """Parses the request body as JSON (``None`` when empty); 400 when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    return parse_json(raw)


def _bearer_user(state: EmulatorState, header: str, *, allow_api_key: bool) -> str | None:
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if not credential:
        return None
    if scheme.lower() == "bearer":
        claims = state.tokens.verify(credential)
        if claims is not None and claims.get("kind") == "iam":
            if not state.store.is_revoked(token_hash(credential), family_key(claims)):
                return str(claims["sub"])
            return None
        if allow_api_key and state.accounts.key_allowed(credential):
            return fingerprint(credential)
        return None
    if scheme.lower() == "apikey" and state.accounts.key_allowed(credential):
        # qiskit-ibm-runtime falls back to "Authorization: apikey <key>" if IAM fails.
        return fingerprint(credential)
    return None


async def current_principal(request: Request) -> Principal:
    """Authenticates a current-dialect (``/api/v1``) request.

    Requires ``Authorization: Bearer <token from /identity/token>`` and ``Service-CRN``;
    validates ``IBM-API-Version`` when present.

    Raises:
        ApiError: 400 for an unknown API version, 401 for bad credentials, 403 for an
            instance the key may not use.
    """
    state = emu(request)
    version = request.headers.get("ibm-api-version")
    if version is not None and version.strip() not in _VERSIONS:
        raise ApiError(
            400,
            errors.API_VERSION,
            f"Unsupported IBM-API-Version {version.strip()[:40]!r}; see GET /api/v1/versions.",
        )
    user_id = _bearer_user(state, request.headers.get("authorization", ""), allow_api_key=False)
    crn = request.headers.get("service-crn", "").strip()
    if user_id is None or not crn:
        raise unauthorized()
    if not state.accounts.instance_allowed(user_id, crn):
        raise ApiError(403, errors.FORBIDDEN, "You are not authorized to perform this action.")
    return Principal(user_id=user_id, instance=crn, dialect="current")


async def classic_principal(request: Request) -> Principal:
    """Authenticates a Classic-dialect request by its ``x-access-token`` (from loginWithToken)."""
    state = emu(request)
    token = request.headers.get("x-access-token", "").strip()
    claims = state.tokens.verify(token) if token else None
    if (
        claims is None
        or claims.get("kind") != "classic"
        or state.store.is_revoked(token_hash(token))
    ):
        raise unauthorized()
    user = str(claims["sub"])
    return Principal(user_id=user, instance=f"classic/{user}", dialect="classic")


async def transpiler_principal(request: Request) -> Principal:
    """Authenticates a transpiler-service request (``Bearer`` API key or issued token)."""
    state = emu(request)
    header = request.headers.get("authorization", "")
    user_id = _bearer_user(state, header, allow_api_key=True)
    if user_id is None:
        token = request.headers.get("x-access-token", "").strip()
        claims = state.tokens.verify(token) if token else None
        if claims is not None and not state.store.is_revoked(token_hash(token)):
            user_id = str(claims["sub"])
    if user_id is None:
        raise unauthorized()
    return Principal(user_id=user_id, instance=f"transpiler/{user_id}", dialect="transpiler")
