"""One ``requests.Session`` per service: base URL, headers, timeouts, retries, typed errors."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.__version__ import __version__ as requests_version

from ..exceptions import ApiConnectionError, ApiTimeoutError
from ..version import __version__
from .auth import AuthProvider
from .errors import raise_for_response, response_json, retry_after_seconds
from .exchange import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RESULT_BYTES,
    bounded_session,
    exchange,
)
from .prepared import RequestFactory, is_plain
from .retry import RetryPolicy
from .unreachable import is_refused, unreachable_message

__all__ = ["Transport", "API_VERSION", "USER_AGENT"]

logger = logging.getLogger(__name__)

API_VERSION = "2026-04-15"  # what qiskit-ibm-runtime 0.48-0.51 sends
USER_AGENT = f"qiskit-rest-provider/{__version__} python-requests/{requests_version}"
DEFAULT_TIMEOUT = (5.0, 60.0)


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
        session: Share an existing ``requests.Session`` (its plain adapters are replaced by
            deadline-aware ones).
        max_response_bytes: Largest answer accepted, counted after decompression.
        max_result_bytes: Largest job result accepted when the job's own size is unknown.

    Every attempt must end within ``connect + read`` seconds in all (not only between two
    bytes), or by the caller's ``deadline`` if that is sooner; redirects are followed only
    within the same origin.
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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = bounded_session(session)
        self.max_response_bytes = max_response_bytes
        self.max_result_bytes = max_result_bytes
        self._verify = verify
        self._proxies = proxies
        self._settings: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._factory = RequestFactory(self.base_url)
        # Only encodings this client decompresses itself, while counting (exchange.py).
        self._headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
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
        deadline: float | None = None,
        max_bytes: int | None = None,
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
            deadline: ``time.monotonic()`` value by which the request, retries included, must
                be done (e.g. from ``result(timeout=...)``).
            max_bytes: Largest answer accepted (default ``max_response_bytes``).

        Returns:
            The successful response, its body read.
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
        timeout = timeout or self.timeout
        limit = self.max_response_bytes if max_bytes is None else max_bytes
        while True:
            auth_headers = self.auth.headers()
            now = time.monotonic()
            attempt_deadline = now + sum(timeout)
            if deadline is not None:
                if now >= deadline:
                    where = url.split("?", 1)[0]
                    raise ApiTimeoutError(f"{method} {where}: its deadline passed before sending.")
                attempt_deadline = min(attempt_deadline, deadline)
            try:
                response = self._send(
                    method,
                    url,
                    query,
                    data,
                    {**headers, **auth_headers},
                    timeout,
                    attempt_deadline,
                    limit,
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
            late = (
                deadline is not None
                and delay is not None
                and (time.monotonic() + delay >= deadline)
            )
            if delay is None or waited + delay > policy.max_total or late:
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
        deadline: float,
        max_bytes: int,
    ) -> requests.Response:
        """What ``Session.request`` does, bounded, with its per-request work done once.

        A plain session (the usual case) gets its requests built by :mod:`.prepared` and
        handed to the adapter directly; any other goes through ``Session.prepare_request``
        and ``Session.send``. Either way the proxy and TLS settings come from
        :meth:`_merged_settings`.
        """
        session = self.session
        direct = is_plain(session)
        if direct:
            factory = self._factory
            prepared = factory.prepare(session, method, factory.url(url, params), data, headers)
        else:
            prepared = session.prepare_request(
                requests.Request(method, url, params=params, data=data, headers=headers)
            )

        def settings(target: str) -> dict[str, Any]:
            merged = self._merged_settings(session, target)
            return {**merged, "proxies": dict(merged["proxies"])}

        return exchange(
            session,
            prepared,
            timeout=timeout,
            deadline=deadline,
            max_bytes=max_bytes,
            settings=settings,
            direct=direct,
        )

    def _merged_settings(self, session: requests.Session, url: str) -> dict[str, Any]:
        """Proxies and TLS settings for ``url``, as ``Session.request`` merges them.

        ``requests`` reads the environment (proxy variables, CA bundles) for every request,
        scanning all of it twice; here that happens once per host and session settings: the
        environment is read when a host is first used.
        """
        parts = urlsplit(url)
        key = (
            parts.scheme,
            parts.netloc,
            session.trust_env,
            tuple(sorted((session.proxies or {}).items())),
            session.verify,
            session.cert,
            session.stream,
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
        """GET and parse a JSON object (``InvalidResponseError`` if it is not one)."""
        return response_json(self.request("GET", path, **kwargs))


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
