"""One ``requests.Session`` per service: base URL, headers, timeouts, retries, typed errors."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.__version__ import __version__ as requests_version

from ..exceptions import ApiConnectionError, ApiTimeoutError
from ..version import __version__
from .auth import AuthProvider
from .errors import raise_for_response, retry_after_seconds
from .retry import RetryPolicy
from .unreachable import is_refused, unreachable_message

__all__ = ["Transport", "API_VERSION", "USER_AGENT"]

logger = logging.getLogger(__name__)

API_VERSION = "2026-04-15"  # what qiskit-ibm-runtime 0.48-0.51 sends
USER_AGENT = f"qiskit-rest-provider/{__version__} python-requests/{requests_version}"
DEFAULT_TIMEOUT = (5.0, 60.0)

# The environment variables ``requests`` consults for proxies and CA bundles of an http(s)
# URL (``getproxies_environment`` lower-cases names, so both spellings count).
_ENV_KEYS = tuple(
    name
    for base in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    for name in (base, base.upper())
) + ("REQUEST_METHOD", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class Transport:
    """Sends requests to one API root with auth, timeouts and bounded retries.

    Args:
        base_url: API root, e.g. ``https://quantum.cloud.ibm.com/api/v1``.
        auth: Supplies the credential headers.
        instance: Instance CRN, sent as ``Service-CRN`` (current platform only).
        api_version: ``IBM-API-Version`` header; ``None`` to omit it (Classic).
        timeout: ``(connect, read)`` seconds; always set, with or without proxies.
        verify: TLS verification, as in ``requests``.
        proxies: ``requests`` proxies mapping.
        retry: Retry policy.
        session: Share an existing ``requests.Session``.
    """

    def __init__(
        self,
        base_url: str,
        auth: AuthProvider,
        *,
        instance: str | None = None,
        api_version: str | None = API_VERSION,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        proxies: dict[str, str] | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self._verify = verify
        self._proxies = proxies
        self._settings: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if instance:
            self._headers["Service-CRN"] = instance
        if api_version:
            self._headers["IBM-API-Version"] = api_version

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r})"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: tuple[float, float] | None = None,
        idempotent: bool = False,
        retry: RetryPolicy | None = None,
    ) -> requests.Response:
        """Send one logical request; retries transient failures, raises typed errors.

        Args:
            method: HTTP method.
            path: Path relative to ``base_url`` (leading slash optional).
            params: Query parameters (``None`` values are dropped).
            json_body: JSON-serialisable body.
            timeout: Override ``(connect, read)`` for this call.
            idempotent: Repeating the request is harmless even if it reached the server.
            retry: This call's policy instead of the transport's (``NO_RETRY`` when the caller
                runs its own retry loop, as job creation does).

        Returns:
            The successful response.
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        query = {k: v for k, v in (params or {}).items() if v is not None}
        data = None
        headers = dict(self._headers)
        if json_body is not None:
            data = json.dumps(json_body, separators=(",", ":"), allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        waited = 0.0
        reauthenticated = False
        attempt = 0
        policy = self.retry if retry is None else retry
        while True:
            auth_headers = self.auth.headers()
            try:
                response = self._send(
                    method, url, query, data, {**headers, **auth_headers}, timeout or self.timeout
                )
            except requests.RequestException as exc:
                sent = not isinstance(exc, requests.ConnectTimeout) and not _refused(exc)
                error: Exception | None = _connection_error(method, url, exc)
                status = None
            else:
                logger.debug(
                    "%s %s -> %s in %.1f ms",
                    method,
                    path,
                    response.status_code,
                    1000 * (time.monotonic() - started),
                )
                if response.status_code < 400:
                    return response
                if response.status_code == 401 and not reauthenticated:
                    reauthenticated = True
                    if self.auth.invalidate(auth_headers):
                        continue
                status, sent, error = response.status_code, True, None
            attempt += 1
            delay = None
            if attempt < policy.max_attempts and policy.should_retry(
                method, status=status, sent=sent, idempotent=idempotent
            ):
                hint = retry_after_seconds(response) if status is not None else None
                delay = policy.delay(attempt - 1, hint)
            if delay is None or waited + delay > policy.max_total:
                if error is not None:
                    raise error
                raise_for_response(response)
            assert delay is not None  # an error status: raise_for_response raised
            logger.info("retrying %s %s in %.2f s (attempt %d)", method, path, delay, attempt + 1)
            time.sleep(delay)
            waited += delay

    def _send(
        self,
        method: str,
        url: str,
        params: dict[str, Any],
        data: bytes | None,
        headers: dict[str, str],
        timeout: tuple[float, float],
    ) -> requests.Response:
        """What ``Session.request`` does, with its environment lookup cached.

        ``Session.request`` scans the whole process environment twice per call to find proxy
        settings (a third of a request's client time in a large environment). The merged
        settings are the same as long as the few variables that decide them, the host and the
        session's own settings are, so they are resolved once per such combination.
        """
        session = self.session
        prepared = session.prepare_request(
            requests.Request(method, url, params=params, data=data, headers=headers)
        )
        settings = self._merged_settings(session, prepared.url or url)
        return session.send(
            prepared,
            timeout=timeout,
            allow_redirects=True,
            **{**settings, "proxies": dict(settings["proxies"])},
        )

    def _merged_settings(self, session: requests.Session, url: str) -> dict[str, Any]:
        parts = urlsplit(url)
        key = (
            parts.scheme,
            parts.netloc,
            session.trust_env,
            tuple(sorted((session.proxies or {}).items())),
            session.verify,
            session.cert,
            session.stream,
            tuple(os.environ.get(name) for name in _ENV_KEYS) if session.trust_env else (),
        )
        settings = self._settings.get(key)
        if settings is None:
            if len(self._settings) > 64:  # bounded: hosts and settings rarely change
                self._settings.clear()
            settings = session.merge_environment_settings(
                url, dict(self._proxies or {}), None, self._verify, None
            )
            self._settings[key] = settings
        return settings

    def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET and parse JSON."""
        return self.request("GET", path, **kwargs).json()


def _refused(exc: requests.RequestException) -> bool:
    # A refused connection never reached the server, so any method may be retried.
    return is_refused(exc)


def _connection_error(method: str, url: str, exc: requests.RequestException) -> Exception:
    where = url.split("?", 1)[0]
    if isinstance(exc, requests.Timeout):
        return ApiTimeoutError(f"{method} {where} timed out ({type(exc).__name__}).")
    if is_refused(exc):
        return ApiConnectionError(unreachable_message(method, where, exc))
    return ApiConnectionError(f"{method} {where} failed: {type(exc).__name__}.")
