r"""HTTP error responses -> typed exceptions; the only place ``ApiError``\\ s are built.

Both body shapes are parsed (research runtime-rest-api.md §7): the current
``{"errors": [{code, message, solution, more_info}], "trace"}`` and the legacy
``{"error": {"message", "code"}}``; FastAPI-style ``{"detail": ...}`` too (transpiler).
"""

from __future__ import annotations

from typing import Any

import requests

from ..exceptions import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceMaintenanceError,
)

__all__ = ["raise_for_response", "parse_error_body", "retry_after_seconds"]

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
    except ValueError:
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


def retry_after_seconds(response: requests.Response) -> float | None:
    """The ``Retry-After`` header in seconds (numeric form only), if present."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


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
