"""``/sessions`` resource (sessions and batches)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from ..exceptions import SessionNotFoundError
from ..http import Transport
from ._errors import narrow_not_found
from ._json import json_object

__all__ = ["SessionsApi"]


class SessionsApi:
    """Create, read, close and cancel sessions."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _call(
        self, method: str, session_id: str, suffix: str = "", **kwargs: Any
    ) -> requests.Response:
        with narrow_not_found(SessionNotFoundError, f"Session '{session_id}'"):
            return self._transport.request(
                method, f"sessions/{quote(session_id, safe='')}{suffix}", **kwargs
            )

    def create(
        self, *, mode: str, backend: str, max_ttl: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        """``POST /sessions`` with ``mode`` ``"batch"`` or ``"dedicated"``.

        ``extra`` fields go into the body as given (e.g. Classic's ``instance: "h/g/p"``).
        """
        body: dict[str, Any] = {"mode": mode, "backend": backend}
        if max_ttl is not None:
            body["max_ttl"] = int(max_ttl)
        body.update(extra)
        return json_object(self._transport.request("POST", "sessions", json_body=body))

    def details(self, session_id: str) -> dict[str, Any]:
        """``GET /sessions/{id}``."""
        return json_object(self._call("GET", session_id))

    def close(self, session_id: str) -> None:
        """Stop accepting jobs; queued jobs still run (``PATCH {accepting_jobs: false}``)."""
        self._call("PATCH", session_id, json_body={"accepting_jobs": False}, idempotent=True)

    def cancel(self, session_id: str) -> None:
        """Stop accepting jobs and drop queued ones (``DELETE /sessions/{id}/close``)."""
        self._call("DELETE", session_id, "/close")
