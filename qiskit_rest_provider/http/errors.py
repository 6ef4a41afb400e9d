r"""HTTP error responses -> typed exceptions; the only place ``ApiError``\\ s are built.

Both body shapes are parsed (research runtime-rest-api.md §7): the current
``{"errors": [{code, message, solution, more_info}], "trace"}`` and the legacy
``{"error": {"message", "code"}}``; FastAPI-style ``{"detail": ...}`` too (transpiler).

Also the errors about answers the client refuses before they are errors of the API: too large
(:class:`ResponseTooLargeError`), redirected away (:class:`RedirectRefusedError`), and calls
after a Classic logout (:class:`LoggedOutError`). They join the tree of
:mod:`qiskit_rest_provider.exceptions`.
"""

from __future__ import annotations

import math
import time
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ..exceptions import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceMaintenanceError,
)

__all__ = [
    "ResponseTooLargeError",
    "RedirectRefusedError",
    "LoggedOutError",
    "raise_for_response",
    "parse_error_body",
    "parse_retry_after",
    "retry_after_seconds",
    "response_json",
    "MAX_RETRY_AFTER",
]


class ResponseTooLargeError(InvalidResponseError):
    """An answer exceeded the client's size limit (counted after decompression)."""


class RedirectRefusedError(ApiError):
    """The server redirected to another origin (or too often); the redirect was not followed.

    Attributes:
        location: Where the redirect pointed, without query string or user info.
    """

    def __init__(self, message: str, *, location: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class LoggedOutError(AuthenticationError):
    """The service object was logged out (Classic dialect); it sends nothing any more."""


MAX_RETRY_AFTER = 300.0
"""The longest ``Retry-After`` hint believed, in seconds; longer ones are cut to this."""

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    503: ServiceMaintenanceError,
}


def parse_error_body(response: requests.Response) -> dict[str, Any]:
    """Return ``{message, code, solution, trace}`` from any known error body shape."""
    out: dict[str, Any] = {"message": None, "code": None, "solution": None, "trace": None}
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            out.update(message=first.get("message"), code=first.get("code"))
            out["solution"] = first.get("solution")
            out["trace"] = body.get("trace")
        elif isinstance(body.get("error"), dict):
            legacy = body["error"]
            out.update(message=legacy.get("message"), code=legacy.get("code"))
        elif "detail" in body:
            detail = body["detail"]
            if isinstance(detail, list) and detail and isinstance(detail[0], dict):
                detail = "; ".join(str(item.get("msg")) for item in detail)
            out["message"] = str(detail)
        elif isinstance(body.get("message"), str):
            out["message"] = body["message"]
    if not out["message"]:
        text = (response.text or "").strip()
        out["message"] = text[:500] if text else response.reason or "no details"
    out["trace"] = out["trace"] or response.headers.get("uber-trace-id")
    return out


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` value in seconds, within ``[0, MAX_RETRY_AFTER]``, or ``None``.

    Accepts delta-seconds (also fractional) and HTTP dates (RFC 9110); a date in the past
    means 0. Garbage and NaN mean no hint; negative means 0; infinity means the maximum.

    Args:
        value: The header value.
        now: The current time (``time.time()``), for dates.
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:  # pragma: no cover - Python < 3.10 returned None for garbage
            return None
        if when.tzinfo is None:  # "-0000": UTC, with no claim about the local zone
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def retry_after_seconds(response: requests.Response) -> float | None:
    """The response's ``Retry-After`` hint in seconds, bounded (see :func:`parse_retry_after`)."""
    return parse_retry_after(response.headers.get("Retry-After"))


def response_json(response: requests.Response, expect: type | None = dict) -> Any:
    """The JSON body of a successful answer, as ``expect`` (``None``: any JSON value).

    Raises:
        InvalidResponseError: The body is not JSON, or not of the expected kind.
    """
    where = _where(response)
    try:
        body = response.json()
    except (ValueError, RecursionError):
        kind = response.headers.get("Content-Type", "no content type")
        raise InvalidResponseError(
            f"{where} answered HTTP {response.status_code} with a body that is not JSON "
            f"({kind[:80]}, {len(response.content)} bytes)."
        ) from None
    if expect is not None and not isinstance(body, expect):
        wanted = "an object" if expect is dict else f"a {expect.__name__}"
        raise InvalidResponseError(
            f"{where} answered with JSON {type(body).__name__}, not {wanted} as the API defines."
        )
    return body


def _where(response: requests.Response) -> str:
    method = response.request.method if response.request is not None else None
    url = response.url.split("?", 1)[0] if response.url else None
    return f"{method} {url}"


def raise_for_response(response: requests.Response) -> None:
    """Raise the typed ``ApiError`` for a non-2xx response; return for 2xx.

    The message never contains request headers, so tokens cannot leak through it.
    """
    status = response.status_code
    if status < 400:
        return
    info = parse_error_body(response)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    method = response.request.method if response.request is not None else None
    url = response.url.split("?", 1)[0] if response.url else None
    parts = [f"{method} {url} failed with HTTP {status}: {info['message']}"]
    if info["code"] is not None:
        parts.append(f"(code {info['code']})")
    if info["solution"]:
        parts.append(f"Solution: {info['solution']}")
    if info["trace"]:
        parts.append(f"[trace {info['trace']}]")
    if status == 503:
        parts.append("The service may be in maintenance; try again later.")
    kwargs: dict[str, Any] = {
        "status_code": status,
        "code": info["code"],
        "solution": info["solution"],
        "trace": info["trace"],
        "method": method,
        "url": url,
    }
    if cls is RateLimitError:
        kwargs["retry_after"] = retry_after_seconds(response)
    raise cls(" ".join(parts), **kwargs)
