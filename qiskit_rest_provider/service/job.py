"""``RuntimeJob``: a handle on one job of the service, usable from any thread or process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from qiskit.primitives import BasePrimitiveJob, PrimitiveResult

from ..api import JobsApi
from ..codec.pubs import PubSpec
from ..codec.status import FINAL_STATES, JobState, check_job, state_from_job
from ..exceptions import InvalidStateError, JobFailureError, JobTimeoutError
from .deadlines import bounded
from .job_attributes import JobAttributes
from .job_result import JobResult
from .polling import PollPolicy
from .progress import with_progress

__all__ = ["RuntimeJob", "PollPolicy"]

logger = logging.getLogger(__name__)


class RuntimeJob(JobAttributes, JobResult, BasePrimitiveJob[PrimitiveResult, JobState]):
    """A job of the ``estimator`` or ``sampler`` program.

    ``status()`` asks the service until the job is final, then answers from memory.
    ``result()`` waits, downloads and decodes once; later calls return the same object
    (:class:`.job_result.JobResult`).
    Attributes (``tags``, ``creation_date``, ``backend()``, ``inputs``...) are those of
    qiskit-ibm-runtime's ``RuntimeJobV2`` (see :class:`.job_attributes.JobAttributes`).
    """

    def __init__(
        self,
        job_id: str,
        *,
        jobs_api: JobsApi,
        program: str,
        backend_name: str | None = None,
        specs: list[PubSpec] | None = None,
        session_id: str | None = None,
        tags: list[str] | None = None,
        poll: PollPolicy | None = None,
        job_data: dict[str, Any] | None = None,
        submitted_at: float | None = None,
        service: Any = None,
        backend: Any = None,
        params: dict[str, Any] | None = None,
        results_first: bool = False,
    ) -> None:
        super().__init__(job_id)
        self._api = jobs_api
        self._program = program
        self._backend_name = backend_name
        self._specs = specs
        self._session_id = session_id
        self._tags = list(tags or [])
        self._poll = poll or PollPolicy()
        self._lock = threading.RLock()
        self._state = JobState.INITIALIZING
        self._job_data: dict[str, Any] = dict(job_data or {})
        self._result: PrimitiveResult | None = None
        self._service = service
        self._backend = backend
        self._params = params
        # From submit: the first poll waits ``first_poll`` from the service's answer to the
        # POST, and may read the result itself (``results_first``, see job_result.py).
        self._first_poll_at = None if submitted_at is None else submitted_at + self._poll.first_poll
        self._results_first = results_first
        self._schedule: Iterator[float] | None = None  # the rest of it, after result probes
        if job_data:
            # The POST answer may carry no status: the job then stays INITIALIZING.
            self._absorb(job_data, status_optional=submitted_at is not None)

    def __repr__(self) -> str:
        return (
            f"<RuntimeJob('{self._job_id}', program='{self._program}', "
            f"backend='{self._backend_name}', status='{self._state.value}')>"
        )

    # ------------------------------------------------------------------ status

    def _absorb(self, job: dict[str, Any], *, status_optional: bool = False) -> JobState:
        check_job(job)
        with self._lock:
            self._job_data.update(job)
            self._backend_name = job.get("backend") or self._backend_name
            self._session_id = job.get("session_id") or self._session_id
            if job.get("tags") is not None:
                self._tags = list(job["tags"])
            said = (job.get("state") or {}).get("status") or job.get("status")
            if self._state not in FINAL_STATES and (said or not status_optional):
                self._state = state_from_job(job)
            return self._state

    def _refresh(self, deadline: float | None = None) -> JobState:
        if self._state in FINAL_STATES:
            return self._state
        return self._absorb(self._api.get(self._job_id, deadline=deadline))

    def status(self) -> JobState:
        """The job's state (one ``GET /jobs/{id}`` unless it is already final)."""
        return self._refresh()

    def done(self) -> bool:
        """Whether the job finished successfully."""
        return self.status() is JobState.DONE

    def running(self) -> bool:
        """Whether the job is running now."""
        return self.status() is JobState.RUNNING

    def cancelled(self) -> bool:
        """Whether the job was cancelled."""
        return self.status() is JobState.CANCELLED

    def errored(self) -> bool:
        """Whether the job failed."""
        return self.status() is JobState.ERROR

    def in_final_state(self) -> bool:
        """Whether the job is done, failed or cancelled."""
        return self.status() in FINAL_STATES

    def error_message(self) -> str | None:
        """The service's reason for a failed or cancelled job, or ``None``."""
        state = self._job_data.get("state") or {}
        reason = state.get("reason") or None
        code = state.get("reason_code", state.get("reasonCode"))
        if reason and code is not None:
            return f"Error code {code}; {reason}"
        return reason

    # ------------------------------------------------------------------ actions

    def cancel(self) -> bool:
        """Ask the service to cancel the job.

        Returns:
            ``True``: the service accepted the request.

        Raises:
            InvalidStateError: The job is already final (the service's 409 is a
                ``ConflictError``, also an ``InvalidStateError``), as qiskit-ibm-runtime's
                ``RuntimeInvalidStateError``.
        """
        state = self._refresh()
        if state in FINAL_STATES:
            raise InvalidStateError(
                f"Job {self._job_id} is already {state.value} and cannot be cancelled."
            )
        self._api.cancel(self._job_id)
        return True

    @with_progress
    def wait_for_final_state(
        self,
        timeout: float | None = None,
        callback: Callable[[str, JobState], None] | None = None,
        *,
        progress: bool | None = None,
    ) -> JobState:
        """Poll until the job is final (status changes are logged at INFO).

        Args:
            timeout: Seconds to wait at most; ``None`` waits as long as it takes.
            callback: Called as ``callback(job_id, state)`` after every poll.
            progress: Show a live progress bar (status, queue position, time waited) on
                stderr or in the notebook; ``None`` follows ``QISKIT_REST_PROGRESS``.

        Raises:
            JobTimeoutError: ``timeout`` elapsed; the job itself goes on.
            JobFailureError: The service kept reporting a status nobody knows.
        """
        start = time.monotonic()
        deadline = None if timeout is None else start + timeout
        unknown_since: float | None = None
        delays, self._schedule = self._schedule or self._poll.delays(), None
        first_at, self._first_poll_at = self._first_poll_at, None
        if first_at is not None and self._state not in FINAL_STATES:
            first = first_at - start
            if timeout is not None:
                first = min(first, timeout)
            if first > 0:
                time.sleep(first)
        poll = lambda: self._refresh(deadline)  # noqa: E731 - one deadline for every poll
        while True:
            state: JobState = bounded(self._job_id, poll, deadline, timeout)
            if callback is not None:
                callback(self._job_id, state)
            if state in FINAL_STATES:
                return state
            now = time.monotonic()
            if state is JobState.UNKNOWN:
                unknown_since = unknown_since if unknown_since is not None else now
                if now - unknown_since > self._poll.unknown_status_limit:
                    raw = (self._job_data.get("state") or {}).get("status")
                    raise JobFailureError(
                        f"Job {self._job_id} reports the unknown status {raw!r}; "
                        "stopped waiting. Check the job later with service.job(job_id).",
                        job_id=self._job_id,
                    )
            else:
                unknown_since = None
            delay = next(delays)
            if timeout is not None:
                remaining = timeout - (now - start)
                if remaining <= 0:
                    raise JobTimeoutError(
                        f"Job {self._job_id} is still {state.value} after {timeout} s; it keeps "
                        "running. Call result() again to keep waiting."
                    )
                delay = min(delay, remaining)
            time.sleep(delay)
