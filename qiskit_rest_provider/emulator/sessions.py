"""Sessions and batches: create, read, close (PATCH) and cancel (DELETE …/close)."""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .auth import Principal
from .errors import ApiError, bad_request, session_not_found
from .ids import new_id
from .runner import CANCELLED, PENDING, QUEUED, utc_line
from .state import EmulatorState
from .views import session_state, session_view

MODES = ("batch", "dedicated")
DEFAULT_MAX_TTL = 28_800


class SessionService:
    """Session operations for one emulator; every method enforces instance isolation."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def get(self, principal: Principal, session_id: Any) -> dict[str, Any]:
        """Returns a session row of the caller's instance (404 otherwise)."""
        session = self.state.store.get_session(str(session_id))
        if session is None or session["instance"] != principal.instance:
            raise session_not_found(str(session_id))
        return session

    def state_of(self, session: dict[str, Any]) -> str:
        """The session's current state, recording ``closed_ts`` the first time it closes."""
        pending = self.state.store.count_jobs(PENDING, session_id=session["id"])
        state = session_state(session, pending)
        if state == "closed" and session.get("closed_ts") is None:
            now = time.time()
            ttl_end = session["created_ts"] + session["max_ttl"]
            session["closed_ts"] = min(now, ttl_end)
            reason = "max_ttl expired" if now > ttl_end else session.get("state_reason")
            session["state_reason"] = reason
            self.state.store.update_session(
                session["id"], closed_ts=session["closed_ts"], state_reason=reason
            )
        return state

    def view(self, principal: Principal, session_id: Any) -> dict[str, Any]:
        """The ``JobSession`` object of a session."""
        session = self.get(principal, session_id)
        return session_view(session, self.state_of(session))

    def accepting(self, principal: Principal, session_id: Any) -> dict[str, Any]:
        """Returns a session that accepts jobs, else raises the service's error."""
        if not isinstance(session_id, str) or not session_id:
            raise bad_request("'session_id' must be a non-empty string.")
        session = self.get(principal, session_id)
        if self.state_of(session) == "closed" or not session["accepting_jobs"]:
            raise ApiError(
                400, errors.SESSION_CLOSED, f"Session {session_id} is closed and accepts no jobs."
            )
        return session

    def create(self, principal: Principal, body: Any) -> dict[str, Any]:
        """Creates a session from a ``POST /sessions`` body.

        Raises:
            ApiError: 400 for a bad mode/TTL, 404 for an unknown backend.
        """
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        mode = body.get("mode", "dedicated")
        if mode not in MODES:
            raise bad_request(f"'mode' must be one of {', '.join(MODES)}.")
        max_ttl = body.get("max_ttl", body.get("max_session_ttl", DEFAULT_MAX_TTL))
        if max_ttl is None:
            max_ttl = DEFAULT_MAX_TTL
        if isinstance(max_ttl, bool) or not isinstance(max_ttl, int) or max_ttl < 1:
            raise bad_request("'max_ttl' must be a positive integer (seconds).")
        interactive = body.get("interactive_ttl")
        if interactive is not None and (
            isinstance(interactive, bool) or not isinstance(interactive, int)
        ):
            raise bad_request("'interactive_ttl' must be an integer (seconds).")
        backend = body.get("backend", body.get("backend_name"))
        if backend is not None and not isinstance(backend, str):
            raise bad_request("'backend' must be a backend name.")
        if backend is not None and backend not in self.state.backends:
            raise ApiError(
                404, errors.BACKEND_NOT_FOUND, f"Backend not found: {str(backend)[:100]}"
            )
        session = {
            "id": new_id("s"),
            "instance": principal.instance,
            "user_id": principal.user_id,
            "mode": mode,
            "backend": backend,
            "max_ttl": min(max_ttl, DEFAULT_MAX_TTL),
            "interactive_ttl": interactive,
            "accepting_jobs": 1,
            "cancelled": 0,
            "created_ts": time.time(),
        }
        self.state.store.insert_session(session)
        return session_view(self.state.store.get_session(session["id"]), "open")  # type: ignore[arg-type]

    def update(self, principal: Principal, session_id: str, body: Any) -> None:
        """``PATCH /sessions/{id}``: ``{"accepting_jobs": false}`` closes the session gently."""
        session = self.get(principal, session_id)
        if not isinstance(body, dict) or not isinstance(body.get("accepting_jobs"), bool):
            raise bad_request('The body must be {"accepting_jobs": false}.')
        if body["accepting_jobs"] and self.state_of(session) == "closed":
            raise ApiError(409, errors.SESSION_CLOSED, f"Session {session_id} is already closed.")
        self.state.store.update_session(
            session_id,
            accepting_jobs=int(body["accepting_jobs"]),
            state_reason=None if body["accepting_jobs"] else "closed by the user",
        )

    def cancel(self, principal: Principal, session_id: str) -> None:
        """``DELETE /sessions/{id}/close``: no new jobs, queued jobs are cancelled."""
        session = self.get(principal, session_id)
        now = time.time()
        self.state.store.update_session(
            session["id"],
            accepting_jobs=0,
            cancelled=1,
            state_reason="cancelled by the user",
            closed_ts=session.get("closed_ts") or now,
        )
        for job in self.state.store.jobs_with_status([QUEUED], session_id=session["id"]):
            if self.state.store.update_job(
                job["id"],
                expect_status=[QUEUED],
                status=CANCELLED,
                finished_ts=now,
                reason="Session cancelled",
                run_seconds=0,
            ):
                self.state.store.append_log(job["id"], utc_line("INFO Cancelled with its session"))
