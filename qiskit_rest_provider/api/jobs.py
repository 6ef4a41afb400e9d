"""``/jobs`` resource (research runtime-rest-api.md §2)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..exceptions import JobNotFoundError
from ..http import Transport
from ._errors import narrow_not_found

__all__ = ["JobsApi"]

# Job creation can take long on a busy service; the official client waits 900 s.
_CREATE_TIMEOUT = (5.0, 300.0)


def _path(job_id: str, suffix: str = "") -> str:
    return f"jobs/{quote(job_id, safe='')}{suffix}"


class JobsApi:
    """Create, read, list, cancel, tag and delete jobs."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _call(self, method: str, job_id: str, suffix: str = "", **kwargs: Any):
        with narrow_not_found(JobNotFoundError, f"Job '{job_id}' (in this instance)"):
            return self._transport.request(method, _path(job_id, suffix), **kwargs)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /jobs``; returns ``{"id", "backend", ...}``."""
        return self._transport.request(
            "POST", "jobs", json_body=body, timeout=_CREATE_TIMEOUT
        ).json()

    def get(self, job_id: str, *, exclude_params: bool = True) -> dict[str, Any]:
        """``GET /jobs/{id}``."""
        params = {"exclude_params": "true" if exclude_params else "false"}
        return self._call("GET", job_id, params=params).json()

    def results(self, job_id: str) -> bytes | None:
        """``GET /jobs/{id}/results`` as raw bytes; ``None`` when there is no result (204)."""
        response = self._call("GET", job_id, "/results")
        return None if response.status_code == 204 else response.content

    def cancel(self, job_id: str) -> None:
        """``POST /jobs/{id}/cancel``."""
        self._call("POST", job_id, "/cancel")

    def delete(self, job_id: str) -> None:
        """``DELETE /jobs/{id}``."""
        self._call("DELETE", job_id)

    def update_tags(self, job_id: str, tags: list[str]) -> None:
        """``PUT /jobs/{id}/tags``."""
        self._call("PUT", job_id, "/tags", json_body={"tags": list(tags)})

    def logs(self, job_id: str) -> str:
        """``GET /jobs/{id}/logs`` (text)."""
        return self._call("GET", job_id, "/logs").text

    def metrics(self, job_id: str) -> dict[str, Any]:
        """``GET /jobs/{id}/metrics``."""
        return self._call("GET", job_id, "/metrics").json()

    def list(self, **query: Any) -> dict[str, Any]:
        """``GET /jobs`` with the service's filters; returns ``{"jobs", "count", ...}``."""
        params = {}
        for key, value in query.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            params[key] = value
        return self._transport.get_json("jobs", params=params)
