"""Paging through ``GET /jobs`` the way qiskit-ibm-runtime does, without its endless loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..exceptions import InvalidInputError
from .job import PollPolicy, RuntimeJob

__all__ = ["page_jobs", "utc_iso", "jobs_query", "job_from_data", "JobQueries"]

PAGE = 20  # page size of jobs(limit=None), as the official client
MAX_PAGE = 200  # the service's largest page; larger limits are silently ignored by it


def utc_iso(value: datetime | str | None) -> str | None:
    """ISO 8601 in UTC; a naive ``datetime`` is local time, as in qiskit-ibm-runtime."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(timezone.utc).isoformat()


def page_jobs(
    list_page: Callable[..., dict[str, Any]],
    limit: int | None,
    skip: int,
    query: dict[str, Any],
) -> list[dict[str, Any]]:
    """Job objects from successive pages until ``limit`` or the server's ``count`` is reached.

    Args:
        list_page: ``JobsApi.list``; called with ``limit``, ``offset`` and ``query``.
        limit: At most this many jobs; ``None`` for all.
        skip: Jobs to skip first.
        query: The other query parameters.
    """
    found: list[dict[str, Any]] = []
    page, offset = min(limit or PAGE, MAX_PAGE), skip
    while limit is None or len(found) < limit:
        response = list_page(limit=page, offset=offset or None, **query)
        items = response.get("jobs") or []
        found += items
        offset += len(items)
        # An empty page ends the walk even if ``count`` promises more (never loop forever).
        if not items or len(found) >= int(response.get("count", 0)) - skip:
            break
        page = min(MAX_PAGE, limit - len(found)) if limit else PAGE
    return found[:limit] if limit else found


def jobs_query(
    backend_name: str | None,
    pending: bool | None,
    program_id: str | None,
    job_tags: list[str] | None,
    session_id: str | None,
    created_after: datetime | str | None,
    created_before: datetime | str | None,
    descending: bool,
) -> dict[str, Any]:
    """``GET /jobs`` filters as qiskit-ibm-runtime sends them (``None`` values are dropped)."""
    return {
        "exclude_params": True,
        "backend": backend_name,
        "pending": pending,
        "program": program_id,
        "tags": list(job_tags or []) or None,
        "session_id": session_id,
        "created_after": utc_iso(created_after),
        "created_before": utc_iso(created_before),
        "sort": None if descending else "ASC",
    }


def job_from_data(
    data: dict[str, Any], jobs_api: Any, poll: PollPolicy, service: Any = None
) -> RuntimeJob:
    """A ``RuntimeJob`` from a job object of ``GET /jobs`` or ``GET /jobs/{id}``."""
    program = (data.get("program") or {}).get("id") or data.get("program_id") or "sampler"
    return RuntimeJob(
        data["id"],
        jobs_api=jobs_api,
        program=program,
        backend_name=data.get("backend"),
        session_id=data.get("session_id"),
        tags=data.get("tags"),
        poll=poll,
        job_data=data,
        service=service,
        params=data.get("params") if "pubs" in (data.get("params") or {}) else None,
    )


class JobQueries:
    """``RuntimeService``'s job methods: retrieve, list and delete jobs of the instance."""

    jobs_api: Any
    poll_policy: PollPolicy
    _transport_for: Callable[[str | None], Any]
    channel: str
    instance: str | None

    def _job_from(self, data: dict[str, Any]) -> RuntimeJob:
        return job_from_data(data, self.jobs_api, self.poll_policy, self)

    def job(self, job_id: str) -> RuntimeJob:
        """Rebuild a job handle from its id (any process, no local state needed).

        Raises:
            JobNotFoundError: No such job in this instance.
        """
        return self._job_from(self.jobs_api.get(job_id, exclude_params=False))

    def jobs(
        self,
        limit: int | None = 10,
        skip: int = 0,
        backend_name: str | None = None,
        pending: bool | None = None,
        program_id: str | None = None,
        instance: str | None = None,
        job_tags: list[str] | None = None,
        session_id: str | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
        descending: bool = True,
        include_mocks: bool = False,
        *,
        program: str | None = None,
        tags: list[str] | None = None,
    ) -> list[RuntimeJob]:
        """Jobs of the instance, newest first; pages through ``GET /jobs`` as the official client.

        Args:
            limit: At most this many jobs; ``None`` for all.
            skip: Skip that many matching jobs first.
            backend_name: Only jobs on this backend.
            pending: ``True``: queued or running; ``False``: final.
            program_id: Only ``"estimator"`` or ``"sampler"`` jobs (``program=`` is an alias).
            instance: Jobs of this instance (CRN or name) instead of the service's.
            job_tags: Only jobs carrying all these tags (``tags=`` is an alias).
            session_id: Only jobs of this session or batch.
            created_after: Created at or after (a naive ``datetime`` is local time).
            created_before: Created at or before.
            descending: Newest first (default) or oldest first.
            include_mocks: Accepted for qiskit-ibm-runtime's signature; the service's job list
                does not tell mock-device jobs apart, so it changes nothing.
            program: Alias of ``program_id``.
            tags: Alias of ``job_tags``.
        """
        if limit is not None and limit < 0 or skip < 0:
            raise InvalidInputError("limit and skip must be >= 0.")
        query = jobs_query(
            backend_name,
            pending,
            program_id or program,
            job_tags or tags,
            session_id,
            created_after,
            created_before,
            descending,
        )
        if self.channel == "ibm_quantum" and self.instance:
            query["provider"] = self.instance
        if instance is None:
            jobs_api = self.jobs_api
        else:
            from ..api import JobsApi

            jobs_api = JobsApi(self._transport_for(instance))
        found = page_jobs(jobs_api.list, limit, skip, query)
        return [job_from_data(item, jobs_api, self.poll_policy, self) for item in found]

    def delete_job(self, job_id: str) -> None:
        """Delete a job (it must be final); this cannot be undone.

        Raises:
            JobNotFoundError: No such job.
        """
        self.jobs_api.delete(job_id)
