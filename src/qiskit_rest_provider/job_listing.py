"""Paging through ``GET /jobs`` the way qiskit-ibm-runtime does, without its endless loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

__all__ = ["page_jobs", "utc_iso"]

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
