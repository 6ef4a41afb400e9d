"""``LocalRuntimeJob``: a local-mode job, run in a worker thread by the emulator's engine."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from typing import Any

from qiskit.primitives import BasePrimitiveJob, PrimitiveResult
from qiskit.providers import JobStatus

from ..codec.pubs import PubSpec
from ..codec.results import decode_result
from ..codec.status import FINAL_STATES, JobState
from ..exceptions import (
    InvalidStateError,
    JobCancelledError,
    JobFailureError,
    JobTimeoutError,
)
from .job_attributes import check_tags
from .local_backend import LocalBackend

__all__ = ["LocalRuntimeJob"]

logger = logging.getLogger(__name__)

_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="qrp-local")


class LocalRuntimeJob(BasePrimitiveJob[PrimitiveResult, JobState]):
    """A job run in-process; the interface of :class:`~qiskit_rest_provider.RuntimeJob`."""

    def __init__(
        self,
        program: str,
        backend: LocalBackend,
        params: dict[str, Any],
        specs: list[PubSpec],
        *,
        tags: list[str] | None = None,
    ) -> None:
        super().__init__(f"local-{uuid.uuid4().hex}")
        self._program = program
        self._local = backend
        self._params = params
        self._specs = specs
        self._tags = list(tags or [])
        self._created = datetime.now(timezone.utc).astimezone()
        self._future: Future[PrimitiveResult] | None = None
        self._stop = threading.Event()
        self._error: str | None = None

    def __repr__(self) -> str:
        return f"<LocalRuntimeJob('{self._job_id}', '{self._program}')>"

    def _start(self, engine: Any) -> None:
        self._future = _POOL.submit(self._execute, engine)

    def _execute(self, engine: Any) -> PrimitiveResult:
        seed = None  # the options' seed_simulator/seed_estimator decide, as on the emulator
        try:
            body = engine.run_job(
                self._program,
                self._params,
                self._local,
                seed=seed,
                should_stop=self._stop.is_set,
            )
        except engine.JobStopped:
            raise JobCancelledError(
                f"Job {self._job_id} was cancelled; it has no result.", job_id=self._job_id
            ) from None
        except engine.JobExecutionError as exc:
            self._error = exc.message
            raise JobFailureError(
                f"Job {self._job_id} failed: {exc.message}",
                job_id=self._job_id,
                reason=exc.message,
                reason_code=exc.reason_code,
            ) from None
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        return decode_result(text, self._program, self._specs)

    # ------------------------------------------------------------------ identity

    @property
    def primitive_id(self) -> str:
        """``"estimator"`` or ``"sampler"``."""
        return self._program

    program_id = primitive_id

    @property
    def inputs(self) -> dict[str, Any]:
        """The job's ``params`` as the engine received them (PUBs in wire form)."""
        return self._params

    @property
    def session_id(self) -> None:
        """Local jobs run in no server session."""
        return None

    @property
    def tags(self) -> list[str]:
        """The tags set in the options (kept locally)."""
        return list(self._tags)

    @property
    def creation_date(self) -> datetime:
        """When the job was created, timezone-aware in local time."""
        return self._created

    @property
    def instance(self) -> None:
        """Local jobs belong to no instance."""
        return None

    @property
    def private(self) -> bool:
        """Local results are never stored anywhere."""
        return False

    @property
    def usage_estimation(self) -> dict[str, Any]:
        """No quantum time is used locally."""
        return {"quantum_seconds": 0}

    def backend(self, timeout: float | None = None) -> Any:
        """The backend the job ran on (the object passed as ``mode``)."""
        return self._local.backend

    def backend_name(self) -> str:
        """Name of the backend."""
        return self._local.name

    def properties(self, refresh: bool = False) -> Any:
        """The backend's properties (``None`` for backends without any)."""
        getter = getattr(self._local.backend, "properties", None)
        return getter() if callable(getter) else None

    # ------------------------------------------------------------------ status

    def status(self) -> JobStatus:
        """Qiskit's ``JobStatus``, as qiskit-ibm-runtime's local jobs (``PrimitiveJob``) answer."""
        return self._state().to_qiskit()

    def _state(self) -> JobState:
        future = self._future
        if future is None or not future.done():
            return JobState.CANCELLED if self._stop.is_set() else JobState.RUNNING
        exc = future.exception()
        if exc is None:
            return JobState.DONE
        return JobState.CANCELLED if isinstance(exc, JobCancelledError) else JobState.ERROR

    def done(self) -> bool:
        """Whether the job finished successfully."""
        return self._state() is JobState.DONE

    def running(self) -> bool:
        """Whether the job is running."""
        return self._state() is JobState.RUNNING

    def cancelled(self) -> bool:
        """Whether the job was cancelled."""
        return self._state() is JobState.CANCELLED

    def errored(self) -> bool:
        """Whether the job failed."""
        return self._state() is JobState.ERROR

    def in_final_state(self) -> bool:
        """Whether the job is done, failed or cancelled."""
        return self._state() in FINAL_STATES

    def error_message(self) -> str | None:
        """Why the job failed, or ``None``."""
        return self._error

    def wait_for_final_state(self, timeout: float | None = None) -> JobStatus:
        """Wait for the engine.

        Raises:
            JobTimeoutError: ``timeout`` elapsed; the job goes on.
        """
        assert self._future is not None
        try:
            self._future.exception(timeout=timeout)
        except FutureTimeout:
            raise JobTimeoutError(
                f"Job {self._job_id} is still running after {timeout} s; it keeps running."
            ) from None
        return self.status()

    def result(self, timeout: float | None = None) -> PrimitiveResult:
        """Wait for the engine and return the ``PrimitiveResult``.

        Raises:
            JobTimeoutError: ``timeout`` elapsed first.
            JobFailureError: The engine failed the job.
            JobCancelledError: The job was cancelled.
        """
        self.wait_for_final_state(timeout)
        assert self._future is not None
        return self._future.result()

    def cancel(self) -> bool:
        """Stop the engine between PUBs.

        Raises:
            InvalidStateError: The job already finished.
        """
        if self.in_final_state():
            raise InvalidStateError(f"Job {self._job_id} is already final; it cannot be cancelled.")
        self._stop.set()
        return True

    # ------------------------------------------------------------------ extras

    def usage(self, partial: bool = False) -> float:
        """No quantum time is charged locally."""
        return 0.0

    def metrics(self) -> dict[str, Any]:
        """Creation time and zero usage, in the service's shape."""
        created = self._created.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        return {
            "timestamps": {"created": created},
            "usage": {"qpu_charge_time_seconds": 0, "status": "complete"},
        }

    def logs(self) -> str:
        """Local jobs keep no log."""
        return ""

    def update_tags(self, new_tags: list[str]) -> list[str]:
        """Replace the job's local tags."""
        self._tags = check_tags(new_tags)
        return self.tags
