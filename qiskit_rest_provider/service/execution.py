"""``Session`` and ``Batch``: execution modes that group jobs on one backend.

Usage matches qiskit-ibm-runtime::

    with Session(backend, max_time="1h") as session:      # or Batch(backend)
        estimator = EstimatorV2(mode=session)              # or EstimatorV2() inside the block
        job = estimator.run([(circuit, "ZZ")])

The session is created on the server when the object is built (``POST /sessions``), so a
refusal (Open Plan instances may not open dedicated sessions) surfaces at once, with advice.
Leaving the ``with`` block calls :meth:`Session.close`: no new jobs, but queued and running jobs
still run. :meth:`Session.cancel` also drops the queued jobs.
"""

from __future__ import annotations

import logging
import threading
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..exceptions import (
    BadRequestError,
    InvalidInputError,
    PermissionDeniedError,
    SessionClosedError,
    SessionModeNotAllowedError,
    SessionNotFoundError,
)
from .durations import max_time_seconds

if TYPE_CHECKING:
    from .backend import RestBackend
    from .local_backend import LocalBackend
    from .runtime import RuntimeService

__all__ = ["Session", "Batch", "current_session"]

logger = logging.getLogger(__name__)

_CURRENT: ContextVar[Session | None] = ContextVar("qiskit_rest_provider_session", default=None)

_STATUS = {
    "open": "Pending",
    "inactive": "Pending",
    "pending_inactive": "In progress, accepting new jobs",
    "pending_closed": "In progress, not accepting new jobs",
}
_DETAIL_NAMES = {
    "interactive_ttl": "interactive_timeout",
    "max_ttl": "max_time",
    "active_ttl": "active_timeout",
    "elapsed_time": "usage_time",
}


def current_session() -> Session | None:
    """The innermost ``with Session(...)`` / ``with Batch(...)`` block of this thread/task."""
    return _CURRENT.get()


class Session:
    """A dedicated session: the backend runs this session's jobs back to back.

    Args:
        backend: A backend from ``RuntimeService.backend()``.
        max_time: Longest the session may stay open, as seconds or ``"2h 30m"``; the service
            caps it (8 h by default).
        create_new: ``False`` wraps an existing session (see :meth:`from_id`).

    Raises:
        SessionModeNotAllowedError: The instance may not open this kind of session.
        InvalidInputError: ``backend`` or ``max_time`` is invalid.
    """

    _mode = "dedicated"

    def __init__(
        self,
        backend: RestBackend,
        max_time: int | str | None = None,
        *,
        create_new: bool = True,
    ) -> None:
        from .backend import RestBackend
        from .local_backend import is_local_backend, local_backend

        self._max_time = max_time_seconds(max_time)
        self._active = True
        self._lock = threading.Lock()
        self._tokens: list[Token[Session | None]] = []
        self._session_id: str | None = None
        if not isinstance(backend, RestBackend):
            if not is_local_backend(backend):
                raise InvalidInputError(
                    f"{type(self).__name__} needs a backend from RuntimeService.backend() or a "
                    f"Qiskit BackendV2 (local mode), got {type(backend).__name__}."
                )
            # Local mode, as qiskit-ibm-runtime: no server session, jobs run in-process.
            self._backend: RestBackend | LocalBackend = local_backend(backend)
            self._service: RuntimeService | None = None
            return
        self._backend = backend
        self._service = backend.service
        if create_new:
            self._session_id = self._create()

    def _on_service(self) -> RuntimeService:
        """The service this session lives on (only local-mode sessions have none)."""
        if self._service is None:
            raise InvalidInputError(f"{type(self).__name__} runs in local mode: no server session.")
        return self._service

    def _create(self) -> str:
        service = self._on_service()
        fields = service.session_fields()
        try:
            data = service.sessions_api.create(
                mode=self._mode, backend=self._backend.name, max_ttl=self._max_time, **fields
            )
        except (PermissionDeniedError, BadRequestError) as exc:
            raise self._refused(str(exc), exc) from exc
        for message in data.get("messages") or []:
            text = str(message.get("data", message)) if isinstance(message, dict) else str(message)
            logger.warning("session %s: %s", data.get("id"), text)
            if self._mode == "dedicated" and "not supported" in text.lower():
                raise self._refused(text, None)
        logger.info("opened %s session %s on %s", self._mode, data["id"], self._backend.name)
        return str(data["id"])

    def _refused(self, text: str, exc: Exception | None) -> Exception:
        if self._mode != "dedicated" or (
            isinstance(exc, BadRequestError)
            and not any(w in text.lower() for w in ("plan", "dedicated", "not supported"))
        ):
            return exc if exc is not None else InvalidInputError(text)
        return SessionModeNotAllowedError(
            f"The service refused a dedicated session on {self._backend.name}: {text} "
            "Open Plan instances cannot run sessions; use Batch(backend) instead, or pass the "
            "backend itself as mode to run jobs one by one.",
            status_code=getattr(exc, "status_code", None),
            code=getattr(exc, "code", None),
            trace=getattr(exc, "trace", None),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(id='{self._session_id}', backend='{self._backend.name}')>"

    # ------------------------------------------------------------------ identity

    @property
    def session_id(self) -> str | None:
        """The session's id on the server."""
        return self._session_id

    @property
    def service(self) -> RuntimeService | None:
        """The service the session belongs to (``None`` in local mode)."""
        return self._service

    @property
    def active(self) -> bool:
        """Whether this client still submits jobs to the session (false after close/cancel)."""
        return self._active

    def backend(self) -> str:
        """Name of the session's backend."""
        return self._backend.name

    @property
    def rest_backend(self) -> RestBackend | LocalBackend:
        """The backend object the session's jobs run on (a ``LocalBackend`` in local mode)."""
        return self._backend

    def id_for_job(self) -> str | None:
        """The id to put on a new job; refuses once the session was closed or cancelled.

        Raises:
            SessionClosedError: The session no longer accepts jobs.
        """
        if not self._active:
            raise SessionClosedError(
                f"{type(self).__name__} {self._session_id} was closed and accepts no new jobs; "
                f"open a new {type(self).__name__}(backend)."
            )
        return self._session_id

    # ------------------------------------------------------------------ server state

    def _raw_details(self) -> dict[str, Any] | None:
        if self._session_id is None:
            return None
        return self._on_service().sessions_api.details(self._session_id)

    def details(self) -> dict[str, Any] | None:
        """Session details with qiskit-ibm-runtime's names (``max_time``, ``usage_time``...)."""
        data = self._raw_details()
        if data is None:
            return None
        return {_DETAIL_NAMES.get(key, key): value for key, value in data.items()}

    def status(self) -> str | None:
        """The session's state in qiskit-ibm-runtime's words.

        Returns:
            ``"Pending"``, ``"In progress, accepting new jobs"``, ``"In progress, not accepting
            new jobs"`` or ``"Closed"`` (``None`` without a server session).
        """
        data = self._raw_details()
        if data is None:
            return None
        state = str(data.get("state", ""))
        if state in _STATUS:
            return _STATUS[state]
        if state == "active":
            accepting = data.get("accepting_jobs")
            return f"In progress, {'' if accepting else 'not '}accepting new jobs"
        return state.capitalize() or None

    def usage(self) -> float | None:
        """Seconds of usage charged to the session so far (``None`` while unknown)."""
        data = self._raw_details()
        return None if data is None else data.get("elapsed_time")

    # ------------------------------------------------------------------ ending

    def close(self) -> None:
        """Accept no new jobs; jobs already queued or running still run to completion."""
        with self._lock:
            self._active = False
            if self._session_id is None:
                return
            try:
                self._on_service().sessions_api.close(self._session_id)
            except SessionNotFoundError:
                logger.debug("session %s is gone already", self._session_id)

    def cancel(self) -> None:
        """Accept no new jobs and cancel the queued ones; running jobs still finish."""
        with self._lock:
            self._active = False
            if self._session_id is not None:
                self._on_service().sessions_api.cancel(self._session_id)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_id(cls, session_id: str, service: RuntimeService) -> Session:
        """Wrap an existing session (e.g. ``service.job(id).session_id``).

        Raises:
            SessionNotFoundError: No such session in this instance.
            InvalidInputError: The session is of the other kind, or has no backend yet.
        """
        data = service.sessions_api.details(session_id)
        backend_name = data.get("backend_name") or data.get("backend")
        if not backend_name:
            raise InvalidInputError(
                f"Session {session_id} has no backend yet; run a job in it first."
            )
        mode = data.get("mode")
        if mode is not None and mode != cls._mode:
            other = "Batch" if mode == "batch" else "Session"
            raise InvalidInputError(
                f"{session_id} is a {mode} session; use {other}.from_id() instead."
            )
        session = cls(service.backend(backend_name), create_new=False)
        session._session_id = session_id
        if data.get("state") == "closed" or data.get("accepting_jobs") is False:
            session._active = False
        return session

    def __enter__(self) -> Session:
        self._tokens.append(_CURRENT.set(self))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._tokens:
            _CURRENT.reset(self._tokens.pop())
        self.close()


class Batch(Session):
    """A batch: independent jobs that the scheduler runs together; allowed on every plan."""

    _mode = "batch"
