"""``/jobs`` resource (research runtime-rest-api.md §2)."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any
from urllib.parse import quote

import requests

from ..exceptions import (
    ApiConnectionError,
    InvalidResponseError,
    JobNotFoundError,
    RateLimitError,
    ServerError,
)
from ..http import NO_RETRY, RetryPolicy, Transport
from ._errors import narrow_not_found
from ._json import json_object

__all__ = ["JobsApi", "IDEMPOTENCY_TAG_PREFIX", "MAX_JOB_TAGS"]

logger = logging.getLogger(__name__)

IDEMPOTENCY_TAG_PREFIX = "qrp-submit-"
MAX_JOB_TAGS = 8  # the service's limit per job

# Job creation can take long on a busy service; the official client waits 900 s.
_CREATE_TIMEOUT = (5.0, 300.0)
# A large result takes a while to download; the whole download must end within this.
_RESULT_TIMEOUT = (5.0, 300.0)
# A job's status without its inputs is small (a few kB); with inputs it may be large.
_STATUS_MAX_BYTES = 4 * 2**20


def _path(job_id: str, suffix: str = "") -> str:
    return f"jobs/{quote(job_id, safe='')}{suffix}"


class JobsApi:
    """Create, read, list, cancel, tag and delete jobs."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _call(self, method: str, job_id: str, suffix: str = "", **kwargs: Any) -> requests.Response:
        with narrow_not_found(JobNotFoundError, f"Job '{job_id}' (in this instance)"):
            return self._transport.request(method, _path(job_id, suffix), **kwargs)

    def create(self, body: dict[str, Any], *, retry: RetryPolicy | None = None) -> dict[str, Any]:
        """``POST /jobs`` once (the transport repeats only what cannot duplicate a job).

        Returns ``{"id", "backend", ...}``. Prefer :meth:`create_once`.

        Raises:
            InvalidResponseError: The answer is not an object with a job id.
        """
        created = json_object(
            self._transport.request(
                "POST", "jobs", json_body=body, timeout=_CREATE_TIMEOUT, retry=retry
            )
        )
        job_id = created.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise InvalidResponseError(
                "POST /jobs answered without a job id (the answer's fields: "
                f"{sorted(map(str, created))[:10]}); the job may or may not exist."
            )
        return created

    def create_once(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /jobs`` that never creates a job twice; retries by the transport's policy.

        A unique tag is added to ``body["tags"]`` (in place, so the caller's job handle knows
        it). When the answer is lost (a 5xx or a dropped connection after the request may have
        reached the server), the tag is looked up with ``GET /jobs`` before posting again, so a
        job the server did create is adopted instead of duplicated. A 429 waits as the server
        asks. Every attempt counts against the one policy: at most ``max_attempts`` POSTs in
        all (the transport does not also retry them). If the user already uses all the tags
        the service allows, there is no room for the marker: then only what the transport
        repeats anyway (429, a request that never left) is repeated.
        """
        tags = list(body.get("tags") or [])
        if len(tags) >= MAX_JOB_TAGS:
            return self.create(body)
        key = IDEMPOTENCY_TAG_PREFIX + uuid.uuid4().hex
        body["tags"] = [*tags, key]
        policy = self._transport.retry
        waited = 0.0
        for attempt in range(policy.max_attempts):
            try:
                return self.create(body, retry=NO_RETRY)
            except RateLimitError as exc:
                delay = policy.delay(attempt, exc.retry_after)
                error: Exception = exc
            except (ServerError, ApiConnectionError) as exc:
                found = self._find_by_tag(key)
                if found is not None:
                    logger.info("adopted job %s created before the answer was lost", found["id"])
                    return found
                delay, error = policy.delay(attempt), exc
            if attempt + 1 >= policy.max_attempts or waited + delay > policy.max_total:
                raise error
            time.sleep(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover

    def _find_by_tag(self, key: str) -> dict[str, Any] | None:
        # If this lookup fails too we cannot tell whether the job exists, so its error
        # propagates rather than risking a duplicate.
        jobs = self.list(tags=key, limit=1, exclude_params=True).get("jobs") or []
        return jobs[0] if jobs else None

    def get(
        self, job_id: str, *, exclude_params: bool = True, deadline: float | None = None
    ) -> dict[str, Any]:
        """``GET /jobs/{id}`` (``deadline``: ``time.monotonic()`` value to finish by)."""
        params = {"exclude_params": "true" if exclude_params else "false"}
        limit = _STATUS_MAX_BYTES if exclude_params else None
        response = self._call("GET", job_id, params=params, deadline=deadline, max_bytes=limit)
        return json_object(response)

    def results(
        self,
        job_id: str,
        *,
        lagging: bool = False,
        deadline: float | None = None,
        max_bytes: int | None = None,
    ) -> bytes | None:
        """``GET /jobs/{id}/results`` as raw bytes; ``None`` when there is no result (204).

        Args:
            job_id: The job.
            lagging: The job is known to be done, so a 204 means the result lags just behind
                the status: read again under the transport's retry policy (attempts and
                back-off) before answering ``None``.
            deadline: ``time.monotonic()`` value by which the download must be done.
            max_bytes: Largest result accepted (default: the transport's ``max_result_bytes``).
        """
        policy = self._transport.retry
        limit = self._transport.max_result_bytes if max_bytes is None else max_bytes
        waited = 0.0
        for attempt in range(policy.max_attempts):
            response = self._call(
                "GET",
                job_id,
                "/results",
                timeout=_RESULT_TIMEOUT,
                deadline=deadline,
                max_bytes=limit,
            )
            if response.status_code != 204:
                return response.content
            delay = policy.delay(attempt)
            if (
                not lagging
                or attempt + 1 >= policy.max_attempts
                or waited + delay > policy.max_total
                or (deadline is not None and time.monotonic() + delay >= deadline)
            ):
                return None
            time.sleep(delay)
            waited += delay
        return None  # pragma: no cover - max_attempts < 1

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
        return json_object(self._call("GET", job_id, "/metrics"))

    def list(self, **query: Any) -> dict[str, Any]:
        """``GET /jobs`` with the service's filters; returns ``{"jobs", "count", ...}``."""
        params = {}
        for key, value in query.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            params[key] = value
        return json_object(self._transport.request("GET", "jobs", params=params))
