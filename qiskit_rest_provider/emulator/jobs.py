"""Job operations shared by both dialects: submit, read, list, cancel, delete, tags, results."""

from __future__ import annotations

import logging
import time
from typing import Any

from . import errors
from .auth import Principal
from .errors import ApiError, bad_request, job_not_found
from .ids import new_id
from .job_request import (
    PARAMS,
    SETTINGS,
    read_fields,
    read_program,
    starts_session,
    validate_tags,
)
from .leniency import check_calibration, classic_leniency
from .runner import (
    CANCELLED,
    COMPLETED,
    FAILED,
    FINAL,
    PENDING,
    QUEUED,
    RUNNING,
    utc_line,
)
from .sessions import SessionService
from .state import EmulatorState

logger = logging.getLogger(__name__)


def _validated(program: str, params: dict[str, Any], backend: Any) -> dict[str, Any]:
    """The engine's checks of ``params``; every refusal is a 400, never a 500."""
    from . import engine  # heavy: the first submit pays the import

    try:
        stored: dict[str, Any] = engine.validate_job(program, params, backend)
    except engine.JobInputError as exc:
        raise ApiError(400, getattr(exc, "code", errors.VALIDATION), exc.message) from None
    except Exception as exc:  # anything the validator trips over is the caller's input
        raise bad_request(f"Invalid job parameters: {type(exc).__name__}: {exc}") from None
    return stored


class JobService:
    """Job operations for one emulator; every method enforces instance isolation."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    # -- lookup -------------------------------------------------------------------------------
    def get(self, principal: Principal, job_id: str, *, light: bool = False) -> dict[str, Any]:
        """Returns a job of the caller's instance (``light``: without params and logs).

        Raises:
            ApiError: 404 when it does not exist or belongs to another instance.
        """
        job = self.state.store.get_job(job_id, light=light)
        if job is None or job["instance"] != principal.instance:
            raise job_not_found(job_id)
        return job

    # -- submit -------------------------------------------------------------------------------
    def submit(
        self, principal: Principal, body: Any, caller: str | None, *, enqueue: bool = True
    ) -> dict[str, Any]:
        """Validates a ``POST /jobs`` body, stores the job as Queued and queues it.

        Args:
            principal: The caller.
            body: The parsed request body.
            caller: The ``X-Qx-Client-Application`` header.
            enqueue: Hand the job to the workers now; ``False`` leaves that to the caller
                (``runner.submit``), which must do it even if its answer fails.

        Returns:
            The stored job row.

        Raises:
            ApiError: 400/404/409/429 for every kind of bad request.
        """
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        program = read_program(body)
        backend_name, backend, session = self._placement(principal, body)
        if starts_session(body):
            raise bad_request(
                "Starting a session using the /jobs endpoint is not supported; use POST /sessions.",
                errors.START_SESSION_VIA_JOBS,
            )
        params, notes = classic_leniency(principal.dialect, read_fields(body, [PARAMS])["params"])
        check_calibration(backend, body.get("calibration_id"))
        tags = validate_tags(body.get("tags"))
        settings = read_fields(body, SETTINGS)
        log_level, cost, private = settings["log_level"], settings["cost"], settings["private"]
        if self.state.store.count_jobs([QUEUED]) >= self.state.config.max_pending_jobs:
            raise ApiError(
                429, errors.TOO_MANY_REQUESTS, "Too many queued jobs.", headers={"Retry-After": "1"}
            )
        stored_params = _validated(program, params, backend)
        job = {
            "id": new_id(),
            "instance": principal.instance,
            "user_id": principal.user_id,
            "dialect": principal.dialect,
            "program": program,
            "backend": backend_name,
            "status": QUEUED,
            "params": stored_params,
            "tags": tags,
            "session_id": session["id"] if session else None,
            "log_level": log_level.upper() if isinstance(log_level, str) else "WARNING",
            "cost": cost,
            "private": private,
            "created_ts": time.time(),
            "caller": (caller or "")[:200],
            "logs": "".join(note + "\n" for note in [*notes, utc_line("INFO Job queued")]),
        }
        job["seq"] = self.state.store.insert_job(job)
        if session is not None and session.get("backend") is None:
            self.state.store.update_session(session["id"], backend=backend_name)
        if enqueue:
            self.state.runner.submit(job["id"])
        logger.debug("job %s queued on %s", job["id"], backend_name)
        return job

    def _placement(
        self, principal: Principal, body: dict[str, Any]
    ) -> tuple[str, Any, dict[str, Any] | None]:
        """The backend name and object, and the session, a job body asks for.

        Raises:
            ApiError: 400 for a missing or mismatched backend, 404 for an unknown one or an
                unknown or closed session.
        """
        backend_name = body.get("backend", body.get("backend_name"))
        session = self._session_for(principal, body.get("session_id"))
        if backend_name is None and session is not None:
            backend_name = session.get("backend")
        if backend_name is None:
            raise bad_request("'backend' is required.")
        if not isinstance(backend_name, str) or not backend_name:
            raise bad_request("'backend' must be a backend name.")
        backend = self.state.backends.get(backend_name)
        if backend is None:
            raise ApiError(
                404, errors.BACKEND_NOT_FOUND, f"Backend not found: {backend_name[:100]}"
            )
        if session is not None and session.get("backend") not in (None, backend_name):
            raise bad_request(
                f"Session {session['id']} runs on {session['backend']}, not {backend_name}."
            )
        return backend_name, backend, session

    def _session_for(self, principal: Principal, session_id: Any) -> dict[str, Any] | None:
        if session_id is None:
            return None
        return SessionService(self.state).accepting(principal, session_id)

    # -- state changes ------------------------------------------------------------------------
    def cancel(self, principal: Principal, job_id: str) -> None:
        """Cancels a queued or running job.

        Raises:
            ApiError: 404 for an unknown job, 409 when it is already final.
        """
        job = self.get(principal, job_id, light=True)
        now = time.time()
        for status in PENDING:
            if self.state.store.update_job(
                job_id,
                expect_status=[status],
                status=CANCELLED,
                reason="Cancelled by the user",
                finished_ts=now,
                run_seconds=(now - job["running_ts"])
                if status == RUNNING and job["running_ts"]
                else 0,
            ):
                self.state.store.append_log(job_id, utc_line("INFO Job cancelled"))
                if status == RUNNING:
                    self.state.runner.cancel(job_id)
                return
        raise ApiError(409, errors.JOB_NOT_CANCELLABLE, "Job is in non cancellable status.")

    def delete(self, principal: Principal, job_id: str) -> None:
        """Deletes a job in a terminal state (409 otherwise)."""
        job = self.get(principal, job_id)
        if job["status"] not in FINAL:
            raise ApiError(
                409, errors.JOB_NOT_FINAL, "Job must be in a terminal state to be deleted."
            )
        self.state.store.delete_job(job_id)

    def set_tags(self, principal: Principal, job_id: str, body: Any) -> None:
        """Replaces a job's tags with ``body["tags"]``."""
        self.get(principal, job_id)
        if not isinstance(body, dict) or "tags" not in body:
            raise bad_request('The body must be {"tags": [...]}.')
        self.state.store.update_job(job_id, tags=validate_tags(body["tags"]))

    # -- outputs ------------------------------------------------------------------------------
    def results(self, principal: Principal, job_id: str) -> str | None:
        """Result text of a final job; ``None`` (→ 204) while it is not final or was cancelled.

        A private job's result is read once, then deleted: later reads answer ``None`` too, as
        the service does (the official client's ``result()`` then returns ``None``).

        Raises:
            ApiError: 404 for an unknown job.
        """
        job = self.get(principal, job_id, light=True)
        if job["status"] not in (COMPLETED, FAILED):
            return None
        if job.get("private"):
            return None if job.get("result_read") else self.state.store.take_result(job_id)
        return self.state.store.get_result(job_id)

    def metrics(self, principal: Principal, job_id: str) -> dict[str, Any]:
        """The ``/metrics`` object: caller, timestamps and usage."""
        from .views import iso

        job = self.get(principal, job_id)
        seconds = round(job.get("run_seconds") or 0.0, 3)
        import qiskit

        return {
            "caller": job.get("caller") or "",
            "timestamps": {
                "created": iso(job["created_ts"]),
                "running": iso(job.get("running_ts")),
                "finished": iso(job.get("finished_ts")),
            },
            "usage": {
                "qpu_charge_time_seconds": seconds,
                "quantum_seconds": seconds,
                "seconds": seconds,
                "status": "complete" if job["status"] in FINAL else "pending",
            },
            "bss": {"seconds": seconds},
            "circuits_execution_time_ns": int(seconds * 1e9),
            "qiskit_version": qiskit.__version__,
        }
