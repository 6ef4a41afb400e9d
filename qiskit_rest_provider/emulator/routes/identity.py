"""Credential exchange: IAM ``POST /identity/token`` and the Classic login/logout."""

from __future__ import annotations

import time
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from .. import errors
from ..auth import Principal, family_key, fingerprint, token_hash
from ..errors import ApiError, bad_request, unauthorized
from ..views import iso
from .deps import classic_principal, emu, parse_json

router = APIRouter()
Who = Annotated[Principal, Depends(classic_principal)]

APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        data = parse_json(raw or "{}")
        if not isinstance(data, dict):
            return {}
        # Only scalars: str() of a deeply nested value would recurse as deep as the JSON did.
        return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int, float))}
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


@router.post("/identity/token", tags=["identity"])
async def iam_token(request: Request) -> JSONResponse:
    """IAM API-key (or refresh-token) exchange returning a JWT-shaped access token."""
    state = emu(request)
    form = await _form(request)
    grant = form.get("grant_type", "")
    family: str | None = None  # a new login starts a new token family
    if grant == APIKEY_GRANT:
        api_key = form.get("apikey", "").strip()
        if not state.accounts.key_allowed(api_key):
            raise ApiError(
                400,
                errors.INVALID_CREDENTIALS,
                "Provided API key could not be found.",
                solution="Check the API key and try again.",
            )
        user_id = fingerprint(api_key)
    elif grant == "refresh_token":
        refresh_token = form.get("refresh_token", "")
        claims = state.tokens.verify(refresh_token)
        if (
            claims is None
            or claims.get("kind") != "refresh"
            or state.store.is_revoked(token_hash(refresh_token), family_key(claims))
        ):
            raise ApiError(400, errors.INVALID_CREDENTIALS, "The refresh token is invalid.")
        user_id = str(claims["sub"])
        family = str(claims.get("fam") or "") or None
    else:
        raise bad_request(f"Unsupported grant_type; use {APIKEY_GRANT!r}.")
    access = state.tokens.issue(user_id, kind="iam", family=family)
    refresh = state.tokens.issue(user_id, kind="refresh", family=access["family"])
    return JSONResponse(
        {
            "access_token": access["token"],
            "refresh_token": refresh["token"],
            "ims_user_id": 0,
            "token_type": "Bearer",
            "expires_in": state.tokens.ttl,
            "expiration": access["exp"],
            "scope": "ibm openid",
        }
    )


@router.post("/api/users/loginWithToken", tags=["classic"])
async def classic_login(request: Request) -> JSONResponse:
    """Classic login: ``{"apiToken"}`` → ``{"id": <access token>, "ttl", "created", "userId"}``."""
    state = emu(request)
    raw = await request.body()
    body: Any = parse_json(raw or b"{}")
    api_token = body.get("apiToken") if isinstance(body, dict) else None
    if not isinstance(api_token, str) or not state.accounts.key_allowed(api_token.strip()):
        raise ApiError(401, errors.INVALID_CREDENTIALS, "Login failed.")
    user_id = fingerprint(api_token.strip())
    token = state.tokens.issue(user_id, kind="classic")
    return JSONResponse(
        {
            "id": token["token"],
            "ttl": state.tokens.ttl,
            "created": iso(token["iat"]),
            "userId": user_id,
        }
    )


@router.post("/api/users/logout", tags=["classic"], status_code=204)
async def classic_logout(request: Request, who: Who) -> Response:
    """Classic logout: the token stops working (401 afterwards)."""
    token = request.headers.get("x-access-token", "").strip()
    emu(request).store.revoke(token_hash(token), time.time())
    return Response(status_code=204)


@router.get("/api/users/me", tags=["classic"])
async def classic_me(request: Request, who: Who) -> JSONResponse:
    """Classic service discovery: where the runtime API lives."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "userId": who.user_id,
            "urls": {"http": base, "services": {"runtime": f"{base}/runtime"}},
        }
    )


@router.post("/api/v1/logout", tags=["identity"], status_code=204)
async def current_logout(request: Request) -> Response:
    """Revokes the bearer token of the request (the current API's ``/v1/logout``)."""
    state = emu(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    claims = state.tokens.verify(token.strip()) if scheme.lower() == "bearer" else None
    if claims is None:
        raise unauthorized()
    now = time.time()
    state.store.revoke(token_hash(token.strip()), now)
    # The refresh token issued with it (and every token refreshed from them) dies too.
    state.store.revoke(family_key(claims), now)
    return Response(status_code=204)
