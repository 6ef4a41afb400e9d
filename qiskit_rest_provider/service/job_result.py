"""``RuntimeJob.result()``: wait, download once, decode; failures as typed errors.

A job this client just submitted to a server on this machine (the emulator) asks for its
*result* at once and at the warm-up polls instead of its status: the emulator holds a result
read of an unfinished job until the job ends (up to ``--result-hold``, 0.1 s), so a small job's
result comes in the first read after the submit, with no sleep, and the result's ``200`` says
so as well as a ``Completed`` status would (``POST``, ``GET .../results``: two requests per
job instead of three). A ``204`` (no result
yet) leaves the job to the status polls of :meth:`RuntimeJob.wait_for_final_state`; an answer
that is not a result (a failed job's error text) too, so a failure is still classified by
its status. Private jobs, whose result can be read only once, never probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from qiskit.primitives import PrimitiveResult

from ..codec.pubs import PubSpec, spec_from_wire
from ..codec.results import decode_result, result_budget
from ..codec.status import FINAL_STATES, JobState, check_job, ran_too_long
from ..exceptions import DecodeError, JobCancelledError, JobFailureError, JobMaxTimeoutError
from .deadlines import bounded
from .polling import PollPolicy
from .progress import wanted

__all__ = ["JobResult"]

logger = logging.getLogger(__name__)
# State changes are logged under the job module's name, wherever they are seen.
state_logger = logging.getLogger(__name__.rsplit(".", 1)[0] + ".job")


class JobResult:
    """The result half of :class:`~qiskit_rest_provider.RuntimeJob`."""

    _job_id: str
    _api: Any
    _program: str
    _specs: list[PubSpec] | None
    _lock: threading.RLock
    _state: JobState
    _job_data: dict[str, Any]
    _result: PrimitiveResult | None
    _poll: PollPolicy
    _first_poll_at: float | None
    _results_first: bool
    _schedule: Iterator[float] | None

    if TYPE_CHECKING:  # RuntimeJob's

        def wait_for_final_state(
            self,
            timeout: float | None = None,
            callback: Callable[[str, JobState], None] | None = None,
            *,
            progress: bool | None = None,
        ) -> JobState:
            """Poll until the job is final."""

        def error_message(self) -> str | None:
            """The service's reason for a failure."""

    def result(
        self, timeout: float | None = None, *, progress: bool | None = None
    ) -> PrimitiveResult:
        """Wait for the job and return its ``PrimitiveResult`` (downloaded once).

        ``progress=True`` shows a progress bar while waiting (see ``wait_for_final_state``).

        Raises:
            JobTimeoutError: ``timeout`` elapsed first.
            JobFailureError: The job failed (``JobMaxTimeoutError`` if it ran too long).
            JobCancelledError: The job was cancelled.
        """
        if self._result is not None:
            return self._result
        deadline = None if timeout is None else time.monotonic() + timeout
        probed = self._probe(deadline, timeout, progress)
        if self._result is not None:
            return self._result
        wait = timeout
        if probed and deadline is not None:  # what the probes left of it
            wait = max(deadline - time.monotonic(), 0.0)
        state = self.wait_for_final_state(wait, progress=progress)
        with self._lock:
            if self._result is not None:
                return self._result
            if state is not JobState.DONE:
                raise self._failure(state)
            # A result can lag just behind the Completed status; a private job's result can
            # be read only once, so its 204 is final.
            lagging = not self._job_data.get("private")
            body = self._download(deadline, timeout, lagging=lagging)
            if body is None:
                raise JobFailureError(
                    f"Job {self._job_id} completed but the service returned no result (it may "
                    "have been a private job whose result was already read).",
                    job_id=self._job_id,
                )
            self._result = decode_result(body, self._program, self._specs or [])
            return self._result

    def _probe(self, deadline: float | None, timeout: float | None, progress: bool | None) -> bool:
        """Read the result at the warm-up polls of a just-submitted job; whether it probed.

        The result is kept if it came. If not (the warm-up passed, the answer was not a
        result, or the caller's deadline came), the status polls take over: on the schedule
        where this left it, or at once.
        """
        with self._lock:
            first_at = self._first_poll_at
            if (
                not self._results_first
                or first_at is None
                or self._state in FINAL_STATES
                or self._job_data.get("private")
                or wanted(progress)  # a progress bar shows the states: poll them
            ):
                return False
            self._results_first = False  # once per job, by one thread
        delays = self._poll.delays()
        # The first probe goes at once, not at the first status poll: the emulator holds a
        # read of an unfinished job's result until the job ends (up to its --result-hold).
        next_at = first_at - self._poll.first_poll
        for _ in range(len(self._poll.warmup) + 1):
            now = time.monotonic()
            wait = next_at - now if deadline is None else min(next_at, deadline) - now
            if wait > 0:
                time.sleep(wait)
            if deadline is not None and time.monotonic() >= deadline:
                self._first_poll_at = None  # the status poll that follows reports the timeout
                return True
            body = self._download(deadline, timeout, lagging=False)
            if body is not None:
                self._take(body)
                return True
            next_at = time.monotonic() + next(delays)
        self._schedule, self._first_poll_at = delays, next_at
        return True

    def _take(self, body: bytes) -> None:
        """Keep ``body`` as the job's result if it is one (a failed job's text is not)."""
        try:
            result = decode_result(body, self._program, self._specs or [])
        except DecodeError:
            logger.debug("job %s: the answer was not a result; asking for its status", self._job_id)
            self._first_poll_at = None
            return
        with self._lock:
            if self._result is None:
                self._result, self._state = result, JobState.DONE
                state_logger.info("job %s: %s", self._job_id, JobState.DONE.value)

    def _download(self, deadline: float | None, timeout: float | None, *, lagging: bool) -> Any:
        # What the job asked for bounds what its result may weigh (None: the default cap).
        specs = bounded(self._job_id, lambda: self._decode_specs(deadline), deadline, timeout)
        budget = result_budget(self._program, specs) if specs else None
        return bounded(
            self._job_id,
            lambda: self._api.results(
                self._job_id, lagging=lagging, deadline=deadline, max_bytes=budget
            ),
            deadline,
            timeout,
        )

    def _decode_specs(self, deadline: float | None = None) -> list[PubSpec]:
        if self._specs is None:
            params = self._job_data.get("params")
            if not params or "pubs" not in params:
                job = self._api.get(self._job_id, exclude_params=False, deadline=deadline)
                params = check_job(job).get("params") or {}
            self._specs = [spec_from_wire(self._program, pub) for pub in params.get("pubs", [])]
        return self._specs

    def _failure(self, state: JobState) -> Exception:
        reason = self.error_message()
        state_data = self._job_data.get("state") or {}
        kwargs: dict[str, Any] = {
            "job_id": self._job_id,
            "reason": state_data.get("reason"),
            "reason_code": state_data.get("reason_code", state_data.get("reasonCode")),
        }
        if ran_too_long(self._job_data):
            return JobMaxTimeoutError(
                f"Job {self._job_id} was stopped for exceeding its maximum execution time "
                f"({reason or 'ran too long'}). Raise max_execution_time or split the job.",
                **kwargs,
            )
        if state is JobState.CANCELLED:
            return JobCancelledError(
                f"Job {self._job_id} was cancelled; it has no result.", **kwargs
            )
        if not reason:
            try:
                body = self._api.results(self._job_id)
                reason = body.decode(errors="replace").strip()[-2000:] if body else None
            except Exception:  # the reason is best effort; the failure itself is certain
                logger.debug("could not read the failure text of job %s", self._job_id)
        return JobFailureError(
            f"Job {self._job_id} failed: {reason or 'no reason given by the service'}", **kwargs
        )
