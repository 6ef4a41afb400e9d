"""A job's wait bounded by the caller's timeout: the requests it makes share one deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..exceptions import ApiTimeoutError, JobTimeoutError

__all__ = ["bounded"]


def bounded(job_id: str, call: Callable[[], Any], deadline: float | None, timeout: Any) -> Any:
    """``call()``; a request cut short by ``deadline`` is reported as ``JobTimeoutError``.

    Args:
        job_id: The job waited for (for the message).
        call: Makes the requests; passes ``deadline`` on to them.
        deadline: ``time.monotonic()`` value the caller's timeout ends at, or ``None``.
        timeout: The caller's timeout in seconds (for the message).

    Raises:
        JobTimeoutError: The deadline passed during ``call``; the job itself goes on.
    """
    try:
        return call()
    except ApiTimeoutError as exc:
        if deadline is None or time.monotonic() < deadline:
            raise
        raise JobTimeoutError(
            f"Job {job_id}: no answer from the service within the {timeout} s timeout; the "
            "job keeps running. Call result() again to keep waiting."
        ) from exc
