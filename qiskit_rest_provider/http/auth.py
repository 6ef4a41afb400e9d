"""Credentials -> request headers.

* :class:`IamAuth`: IBM Cloud API key exchanged for an IAM bearer token (current platform).
* :class:`ClassicAuth`: ``loginWithToken`` -> ``x-access-token`` (IBM Quantum Classic dialect).
* :class:`StaticBearer`: a bearer token the caller already has.

Tokens are cached, refreshed before expiry, and refreshed once after a 401; concurrent threads
share one refresh (single flight). No provider ever logs or reprs a secret.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import requests

from ..exceptions import (
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
)
from .errors import LoggedOutError, raise_for_response, response_json
from .exchange import bounded_session, exchange
from .unreachable import unreachable_message

__all__ = ["AuthProvider", "IamAuth", "ClassicAuth", "StaticBearer", "jwt_lifetime"]

logger = logging.getLogger(__name__)

_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
_AUTH_TIMEOUT = (5.0, 60.0)
_AUTH_MAX_BYTES = 2**20  # a token answer is a few kB
LOGGED_OUT = "This service was logged out; create a new RuntimeService to send requests again."


def _auth_post(
    session: requests.Session,
    url: str,
    verify: bool | str,
    proxies: dict[str, str] | None,
    **kwargs: Any,
) -> requests.Response:
    """POST to an auth endpoint: bounded in time and size, redirects within the origin only.

    A redirect elsewhere would otherwise re-send the form (with the API key) or the token.
    """
    prepared = session.prepare_request(requests.Request("POST", url, **kwargs))

    def settings(target: str) -> dict[str, Any]:
        return session.merge_environment_settings(target, dict(proxies or {}), None, verify, None)

    return exchange(
        session,
        prepared,
        timeout=_AUTH_TIMEOUT,
        deadline=time.monotonic() + sum(_AUTH_TIMEOUT),
        max_bytes=_AUTH_MAX_BYTES,
        settings=settings,
    )


def _field(body: dict[str, Any], name: str, what: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidResponseError(f"The {what} answer has no '{name}' string.")
    return value


def _seconds(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return seconds if 0 < seconds < float("inf") else default


class AuthProvider(Protocol):
    """What the transport needs from a credential."""

    def headers(self) -> dict[str, str]:
        """Headers that authenticate the next request (may fetch a token)."""
        ...

    def invalidate(self, used: dict[str, str]) -> bool:
        """Forget the credential behind ``used`` after a 401; ``True`` if a retry may help."""
        ...


def jwt_lifetime(token: str) -> tuple[float, float] | None:
    """Return ``(iat, exp)`` from a JWT's payload without verifying it, or ``None``."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["iat"]), float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return None


class _CachedToken:
    """A token plus the single-flight machinery to renew it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def get(self, fetch: Callable[[], tuple[str, float]]) -> str:
        token = self._token
        if token is not None and time.time() < self._refresh_at:
            return token
        with self._lock:
            if self._token is not None and time.time() < self._refresh_at:
                return self._token
            self._token, self._refresh_at = fetch()
            return self._token

    def drop(self, token: str | None) -> bool:
        with self._lock:
            if token is not None and token == self._token:
                self._token = None
                return True
            # Another thread already renewed it: retrying with the new one may help.
            return token != self._token


class IamAuth:
    """IBM Cloud IAM: API key -> bearer token (``POST {token_url}``, form encoded)."""

    def __init__(
        self,
        api_key: str,
        token_url: str,
        *,
        session: requests.Session | None = None,
        verify: bool | str = True,
        proxies: dict[str, str] | None = None,
    ) -> None:
        if not api_key:
            raise AuthenticationError("An API key is required; pass token=... or save an account.")
        self._api_key = api_key
        self._token_url = token_url
        self._session = bounded_session(session)
        self._verify = verify
        self._proxies = proxies
        self._cache = _CachedToken()

    def __repr__(self) -> str:
        return f"IamAuth(token_url={self._token_url!r})"

    def _fetch(self) -> tuple[str, float]:
        logger.debug("requesting an IAM access token from %s", self._token_url)
        try:
            response = _auth_post(
                self._session,
                self._token_url,
                self._verify,
                self._proxies,
                data={"grant_type": _GRANT, "apikey": self._api_key, "response_type": "cloud_iam"},
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise ApiConnectionError(
                unreachable_message("the token service", self._token_url, exc)
            ) from None
        try:
            raise_for_response(response)
        except BadRequestError as exc:
            # IAM answers an unknown or revoked API key with 400 (BXNIM0415E), not 401.
            raise exc.recast(AuthenticationError, f"{exc.message} Check the API key.") from None
        body = response_json(response)
        token = _field(body, "access_token", "IAM token")
        now = time.time()
        lifetime = jwt_lifetime(token)
        if lifetime is not None:
            iat, exp = lifetime
            refresh_at = exp - 0.2 * (exp - iat)  # the IBM SDK's policy: renew at 80 % of TTL
        else:
            refresh_at = now + 0.8 * _seconds(body.get("expires_in"), 3600.0)
        return token, min(refresh_at, now + 3600)

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <token>``, fetching or renewing the token when due."""
        return {"Authorization": "Bearer " + self._cache.get(self._fetch)}

    def invalidate(self, used: dict[str, str]) -> bool:
        """Drop the token that got a 401 so the next call fetches a fresh one."""
        value = used.get("Authorization", "")
        return self._cache.drop(value[7:] if value.startswith("Bearer ") else None)


class ClassicAuth:
    """IBM Quantum Classic: ``POST {auth_url}/users/loginWithToken`` -> ``x-access-token``."""

    def __init__(
        self,
        api_token: str,
        auth_url: str,
        *,
        session: requests.Session | None = None,
        verify: bool | str = True,
        proxies: dict[str, str] | None = None,
    ) -> None:
        if not api_token:
            raise AuthenticationError("An API token is required for the Classic channel.")
        self._api_token = api_token
        self._auth_url = auth_url.rstrip("/")
        self._session = bounded_session(session)
        self._verify = verify
        self._proxies = proxies
        self._cache = _CachedToken()
        self._logged_out = False

    def __repr__(self) -> str:
        return f"ClassicAuth(auth_url={self._auth_url!r})"

    def _post(self, path: str, **kwargs: Any) -> requests.Response:
        try:
            url = self._auth_url + path
            return _auth_post(self._session, url, self._verify, self._proxies, **kwargs)
        except requests.RequestException as exc:
            raise ApiConnectionError(
                unreachable_message("the login service", self._auth_url + path, exc)
            ) from None

    def _fetch(self) -> tuple[str, float]:
        response = self._post("/users/loginWithToken", json={"apiToken": self._api_token})
        raise_for_response(response)
        body = response_json(response)
        token = _field(body, "id", "loginWithToken")
        return token, time.time() + 0.8 * _seconds(body.get("ttl"), 1209600.0)

    def headers(self) -> dict[str, str]:
        """``x-access-token: <id>`` from ``loginWithToken``.

        Raises:
            LoggedOutError: after :meth:`logout`; the saved API token is not used again.
        """
        if self._logged_out:
            raise LoggedOutError(LOGGED_OUT)
        return {"x-access-token": self._cache.get(self._fetch)}

    def invalidate(self, used: dict[str, str]) -> bool:
        """Forget the access token that got a 401."""
        return self._cache.drop(used.get("x-access-token"))

    def logout(self) -> None:
        """Invalidate the access token (``POST /users/logout``); never log in again after it."""
        self._logged_out = True
        token = self._cache._token  # noqa: SLF001 - our own cache
        if token is None:
            return
        response = self._post("/users/logout", headers={"x-access-token": token})
        self._cache.drop(token)
        raise_for_response(response)


class StaticBearer:
    """A fixed bearer token (tests, or a token obtained elsewhere)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticBearer()"

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <token>``."""
        return {"Authorization": "Bearer " + self._token}

    def invalidate(self, used: dict[str, str]) -> bool:
        """A static token cannot be renewed."""
        return False
