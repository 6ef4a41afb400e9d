"""Job states: the API's status strings -> the strings qiskit-ibm-runtime users know.

Every terminal string the service can send is final here, including ``Cancelled - Ran too
long`` (a failure, reason code 1305). Strings nobody expected never make a wait hang: they are
classified by keyword when possible, and otherwise reported as :attr:`JobState.UNKNOWN`, which
the waiting code bounds in time.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from qiskit.providers import JobStatus

from ..exceptions import InvalidResponseError

__all__ = ["JobState", "FINAL_STATES", "state_from_job", "check_job", "RAN_TOO_LONG_CODE"]

RAN_TOO_LONG_CODE = 1305


class JobState(str, Enum):
    """Client-side job state; equal to qiskit-ibm-runtime's status strings."""

    INITIALIZING = "INITIALIZING"
    QUEUED = "QUEUED"
    VALIDATING = "VALIDATING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return self.value

    def to_qiskit(self) -> JobStatus:
        """The matching ``qiskit.providers.JobStatus`` (``UNKNOWN`` maps to ``RUNNING``)."""
        return JobStatus[self.value] if self.value in JobStatus.__members__ else JobStatus.RUNNING


FINAL_STATES = frozenset({JobState.DONE, JobState.ERROR, JobState.CANCELLED})

_EXACT = {
    "queued": JobState.QUEUED,
    "pending": JobState.QUEUED,
    "creating": JobState.QUEUED,
    "validating": JobState.VALIDATING,
    "transpiling": JobState.VALIDATING,
    "transpiled": JobState.VALIDATING,
    "running": JobState.RUNNING,
    "in_progress": JobState.RUNNING,
    "completed": JobState.DONE,
    "done": JobState.DONE,
    "failed": JobState.ERROR,
    "error": JobState.ERROR,
    "cancelled": JobState.CANCELLED,
    "canceled": JobState.CANCELLED,
    "cancelled - ran too long": JobState.ERROR,
}


_TEXT_FIELDS = ("id", "status", "backend", "session_id", "program_id", "created")


def check_job(job: Any) -> dict[str, Any]:
    """``job`` if it has the shape of a job object from ``GET /jobs/{id}``.

    Only the fields the client reads are checked; unknown fields pass.

    Raises:
        InvalidResponseError: ``job`` is not an object, or a field has the wrong type.
    """
    if not isinstance(job, dict):
        raise InvalidResponseError(f"A job is a JSON object; the service sent a {_kind(job)}.")
    state = job.get("state")
    if state is not None:
        if not isinstance(state, dict):
            raise InvalidResponseError(
                f"A job's 'state' is an object with a 'status'; the service sent a {_kind(state)}."
            )
        for name in ("status", "reason"):
            if state.get(name) is not None and not isinstance(state[name], str):
                raise InvalidResponseError(f"A job's state.{name} is not a string.")
    for name in _TEXT_FIELDS:
        if job.get(name) is not None and not isinstance(job[name], str):
            raise InvalidResponseError(f"A job's '{name}' is not a string.")
    tags = job.get("tags")
    if tags is not None and not (
        isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
    ):
        raise InvalidResponseError("A job's 'tags' is not a list of strings.")
    params = job.get("params")
    if params is not None and not (
        isinstance(params, dict) and isinstance(params.get("pubs", []), list)
    ):
        raise InvalidResponseError("A job's 'params' is not an object with a list of 'pubs'.")
    return job


def _kind(value: Any) -> str:
    return {str: "string", list: "list", dict: "object", bool: "boolean", int: "number"}.get(
        type(value), "number" if isinstance(value, float) else "null"
    )


def _reason_code(state: dict[str, Any]) -> Any:
    return state.get("reason_code", state.get("reasonCode"))


def ran_too_long(job: dict[str, Any]) -> bool:
    """Whether the service stopped the job for exceeding its maximum execution time."""
    state = job.get("state") or {}
    if str(_reason_code(state)) == str(RAN_TOO_LONG_CODE):
        return True
    top = str(job.get("status", "")).lower()
    return top == "cancelled - ran too long" or str(state.get("reason", "")).lower() == (
        "ran too long"
    )


def state_from_job(job: dict[str, Any]) -> JobState:
    """Map a job object from ``GET /jobs/{id}`` to a :class:`JobState`.

    Raises:
        InvalidResponseError: ``job`` is not a job object (see :func:`check_job`).
    """
    check_job(job)
    if ran_too_long(job):
        return JobState.ERROR
    state = job.get("state") or {}
    raw = str(state.get("status") or job.get("status") or "").strip().lower()
    if raw in _EXACT:
        return _EXACT[raw]
    if raw.startswith("error") or "fail" in raw:
        return JobState.ERROR
    if raw.startswith("cancel"):
        return JobState.CANCELLED
    if raw.startswith("complet"):
        return JobState.DONE
    return JobState.UNKNOWN
