"""JSON views of stored rows: job objects (research §2.2) and session objects (§2.3)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from .runner import FINAL, RAN_TOO_LONG


def iso(ts: float | None) -> str | None:
    """UTC ISO-8601 with milliseconds and ``Z``, as the service writes timestamps."""
    if ts is None:
        return None
    moment = dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """Parses an ISO-8601 timestamp (``Z`` or offset; naive means UTC) to epoch seconds.

    Raises:
        ValueError: If the text is not ISO-8601.
    """
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def job_state(job: dict[str, Any]) -> dict[str, Any]:
    """The ``state`` object: ``Cancelled - Ran too long`` is ``Cancelled`` + reason code 1305."""
    status = job["status"]
    state: dict[str, Any] = {"status": "Cancelled" if status == RAN_TOO_LONG else status}
    if job.get("reason"):
        state["reason"] = job["reason"]
    if job.get("reason_code") is not None:
        state["reason_code"] = job["reason_code"]
    if job["status"] == "Failed":
        state["reason_solution"] = "Review the job's error message and the input, then resubmit."
    return state


def job_view(job: dict[str, Any], *, include_params: bool, classic: bool = False) -> dict[str, Any]:
    """Renders a job row as the service's ``JobResponse``.

    Args:
        job: Decoded job row.
        include_params: Include ``params`` (never for private jobs).
        classic: Add the Classic dialect's camelCase ``reasonCode`` and hub/group/project.
    """
    finished = job["status"] in FINAL
    run_seconds = round(job.get("run_seconds") or 0.0, 3)
    view: dict[str, Any] = {
        "id": job["id"],
        "backend": job["backend"],
        "state": job_state(job),
        "status": job["status"],
        "program": {"id": job["program"]},
        "created": iso(job["created_ts"]),
        "runtime": "",
        "cost": job.get("cost") or 0,
        "tags": job.get("tags") or [],
        "session_id": job.get("session_id"),
        "user_id": job.get("user_id"),
        "usage": {
            "qpu_charge_time_seconds": run_seconds,
            "quantum_seconds": run_seconds,
            "seconds": run_seconds,
            "status": "complete" if finished else "pending",
        },
        "estimated_running_time_seconds": 1.0,
    }
    if job.get("private"):
        view["private"] = True
    elif include_params:
        view["params"] = job.get("params")
    if classic:
        view["state"]["reasonCode"] = job.get("reason_code")
        view["state"].setdefault("reason", job.get("reason") or "")
    return view


def session_state(session: dict[str, Any], pending_jobs: int, now: float | None = None) -> str:
    """Derives ``open | active | inactive | closed`` from a session row."""
    now = time.time() if now is None else now
    if session.get("closed_ts") is not None or session["cancelled"]:
        return "closed"
    if now > session["created_ts"] + session["max_ttl"]:
        return "closed"
    if not session["accepting_jobs"] and pending_jobs == 0:
        return "closed"
    if session.get("activated_ts") is None:
        return "open"
    return "active" if pending_jobs else "inactive"


def session_view(session: dict[str, Any], state: str) -> dict[str, Any]:
    """Renders a session row as the service's ``JobSession``."""
    closed = session.get("closed_ts")
    elapsed = None
    if state == "closed" and session.get("activated_ts") is not None:
        end = closed or session.get("last_job_completed") or session["activated_ts"]
        elapsed = round(max(0.0, end - session["activated_ts"]), 3)
    timestamps = [{"status": "open", "timestamp": iso(session["created_ts"])}]
    if session.get("activated_ts") is not None:
        timestamps.append({"status": "active", "timestamp": iso(session["activated_ts"])})
    if closed is not None:
        timestamps.append({"status": "closed", "timestamp": iso(closed)})
    return {
        "id": session["id"],
        "backend_name": session.get("backend"),
        "mode": session["mode"],
        "state": state,
        "state_reason": session.get("state_reason"),
        "accepting_jobs": bool(session["accepting_jobs"]) and state != "closed",
        "max_ttl": session["max_ttl"],
        "interactive_ttl": session.get("interactive_ttl"),
        "active_ttl": session.get("interactive_ttl"),
        "started_at": iso(session["created_ts"]),
        "activated_at": iso(session.get("activated_ts")),
        "closed_at": iso(closed),
        "last_job_started": iso(session.get("last_job_started")),
        "last_job_completed": iso(session.get("last_job_completed")),
        "timestamps": timestamps,
        "user_id": session.get("user_id"),
        "elapsed_time": elapsed,
    }
