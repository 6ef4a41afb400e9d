"""The worker pool: takes queued jobs, runs them through the engine, records the outcome.

Each of ``workers`` threads owns one warm worker *process* (:mod:`.workers`) and hands it one
job at a time, watching it every ``WATCH_INTERVAL``: a cancel, the job's ``cost`` (max execution
time) running out, or its memory passing ``max_job_memory_mb`` kills the process (the job ends
Cancelled, ``Cancelled - Ran too long`` or Failed) and a fresh one is forked; the other workers
never notice.

Status changes are conditional updates in the store (``Queued → Running`` only if still
Queued, ``Running → final`` only if still Running), so a cancel that races a worker never gets
overwritten. On shutdown, running jobs are abandoned without a status change; the next start
with the same database requeues every Queued or Running job exactly once, in submit order.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from . import errors
from .config import EmulatorConfig
from .faults import FaultInjector
from .store import Store
from .workers import JobInterrupted, WorkerDied, WorkerProcess

logger = logging.getLogger(__name__)

QUEUED, RUNNING, COMPLETED, FAILED = "Queued", "Running", "Completed", "Failed"
CANCELLED = "Cancelled"
RAN_TOO_LONG = "Cancelled - Ran too long"
FINAL = (COMPLETED, FAILED, CANCELLED, RAN_TOO_LONG)
PENDING = (QUEUED, RUNNING)
#: The service's cap on ``max_execution_time`` (seconds).
MAX_COST = 10_800


class _Abandon(Exception):
    """The server is stopping: leave the job as it is in the store."""


def utc_line(message: str) -> str:
    """One log line with an ISO UTC timestamp."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + " " + message


class Runner:
    """A pool of worker threads, each running jobs in its own worker process.

    Args:
        store: Job store.
        backends: Backend name → ``EmulatedBackend``.
        config: Server configuration.
        faults: Fault registry (job faults are applied when a job starts).
    """

    def __init__(
        self, store: Store, backends: dict[str, Any], config: EmulatorConfig, faults: FaultInjector
    ) -> None:
        self._store = store
        self._backends = backends
        self._config = config
        self._faults = faults
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancel: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._slots: list[WorkerProcess] = []

    def start(self) -> int:
        """Requeues unfinished jobs from the store and starts the workers.

        Returns:
            How many jobs were requeued.
        """
        pending = self._store.jobs_with_status(PENDING)
        for job in pending:
            if job["status"] == RUNNING:
                self._store.update_job(job["id"], status=QUEUED, running_ts=None)
                self._store.append_log(job["id"], utc_line("INFO Requeued after a server restart"))
            self._queue.put(job["id"])
        memory = max(0, self._config.max_job_memory_mb)
        workers = max(1, self._config.workers)
        # Each worker's simulator gets its share of the cores, so workers add up, not fight.
        threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else 0
        for i in range(workers):
            slot = WorkerProcess(self._backends, memory * 2**20 if memory else None, threads)
            thread = threading.Thread(
                target=self._work, args=(slot,), name=f"emulator-worker-{i}", daemon=True
            )
            thread.start()
            self._slots.append(slot)
            self._threads.append(thread)
        return len(pending)

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the workers; running jobs are abandoned (requeued at the next start)."""
        self._stopping.set()
        self._faults.release()
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for slot in self._slots:  # a running job is abandoned: requeued at the next start
            slot.kill()
            slot.collect()

    def submit(self, job_id: str) -> None:
        """Queues a job that is already in the store with status Queued."""
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> None:
        """Asks a running job to stop at its next ``should_stop`` check."""
        with self._lock:
            self._cancel.add(job_id)

    def queue_length(self) -> int:
        """Approximate number of jobs waiting for a worker."""
        return self._queue.qsize()

    # -- worker side --------------------------------------------------------------------------
    def _work(self, slot: WorkerProcess) -> None:
        try:
            slot.start()  # warm before the first job (the fork server's first start is slow)
        except Exception:
            logger.exception("could not start a job worker process; retrying at the first job")
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id is None or self._stopping.is_set():
                return
            try:
                self._run_one(job_id, slot)
                if not self._stopping.is_set():
                    slot.start()  # after a kill: fork a warm one before the next job arrives
            except _Abandon:
                return
            except Exception:  # a bug must not kill the worker; the job is marked failed
                if self._stopping.is_set():
                    return  # the store may already be closed: the job is requeued at restart
                logger.exception("worker crashed on job %s", job_id)
                try:
                    self._finish(
                        job_id, FAILED, "Internal error in the emulator", errors.UNKNOWN_ERROR
                    )
                except Exception:
                    logger.exception("could not record the failure of job %s", job_id)

    def _sleep(self, seconds: float, should_stop: Callable[[], bool]) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not should_stop():
            time.sleep(min(0.02, max(0.0, end - time.monotonic())))

    def _run_one(self, job_id: str, slot: WorkerProcess) -> None:
        job = self._store.get_job(job_id)
        if job is None or job["status"] != QUEUED:
            return  # cancelled or deleted while queued
        wait = job["created_ts"] + self._config.delays(job["backend"])[0] - time.time()
        if wait > 0:
            self._sleep(wait, self._stopping.is_set)
            if self._stopping.is_set():
                raise _Abandon
        started = time.time()
        if not self._store.update_job(
            job_id, expect_status=[QUEUED], status=RUNNING, running_ts=started
        ):
            return
        self._store.append_log(job_id, utc_line("INFO Job started running"))
        if job.get("session_id"):
            self._store.update_session(job["session_id"], last_job_started=started)
            session = self._store.get_session(job["session_id"])
            if session is not None and session.get("activated_ts") is None:
                self._store.update_session(job["session_id"], activated_ts=started)
        cost = job.get("cost") or MAX_COST
        deadline = started + cost

        def should_stop() -> bool:
            return job_id in self._cancel or time.time() > deadline or self._stopping.is_set()

        try:
            body = self._execute(job, should_stop, slot)
        except _Abandon:
            raise
        except _Stopped:
            return self._stopped(job_id, deadline)
        except _JobFailed as exc:
            return self._finish(job_id, FAILED, exc.message, exc.reason_code, body=exc.message)
        if self._stopping.is_set():
            raise _Abandon
        if time.time() > deadline:
            return self._stopped(job_id, deadline)
        self._store.set_result(job_id, body)
        self._finish(job_id, COMPLETED, None, None)

    def _execute(
        self, job: dict[str, Any], should_stop: Callable[[], bool], slot: WorkerProcess
    ) -> str:
        fault = self._faults.for_job(job["backend"])
        if fault is not None and fault.kind == "fail":
            raise _JobFailed(
                fault.message or "Injected job failure", fault.reason_code or errors.UNKNOWN_ERROR
            )
        if fault is not None and fault.kind == "stuck":
            while not should_stop() and not self._faults.wait_released(0.05):
                pass
        extra = (
            fault.delay if fault is not None and fault.kind == "slow" else 0.0
        ) + self._config.delays(job["backend"])[1]
        if extra:
            self._sleep(extra, should_stop)
        if should_stop():
            raise _Abandon if self._stopping.is_set() else _Stopped
        seed = None if self._config.seed is None else self._config.seed + int(job["seq"])
        request = {
            "program": job["program"],
            "params": job["params"],
            "backend": job["backend"],
            "seed": seed,
            "noiseless": self._config.noiseless,
        }
        try:
            answer = slot.run(request, should_stop)
        except JobInterrupted as exc:
            slot.kill()  # a new one is forked once the outcome is recorded (see _work)
            if exc.reason != "memory":
                raise _Abandon if self._stopping.is_set() else _Stopped from None
            answer = {"error": "memory", "code": None}
        except WorkerDied as exc:
            if self._stopping.is_set():
                raise _Abandon from None
            slot.kill()  # a new one is forked once the outcome is recorded (see _work)
            raise _JobFailed(
                f"The emulator's worker process ended while running the job ({exc}).",
                errors.UNKNOWN_ERROR,
            ) from None
        if "body" in answer:
            return str(answer["body"])
        if answer["error"] == "memory":
            limit = self._config.max_job_memory_mb
            message = f"The job needed more than the emulator's memory limit of {limit} MiB"
            raise _JobFailed(message + " per job (--max-job-memory).", errors.UNKNOWN_ERROR)
        if answer["code"] is None:
            logger.warning("job %s failed in the engine: %s", job["id"], answer["error"][:200])
        raise _JobFailed(answer["error"], answer["code"] or errors.UNKNOWN_ERROR)

    def _stopped(self, job_id: str, deadline: float) -> None:
        with self._lock:
            cancelled = job_id in self._cancel
            self._cancel.discard(job_id)
        if cancelled or time.time() <= deadline:
            self._finish(job_id, CANCELLED, "Cancelled by the user", None)
        else:
            self._finish(job_id, RAN_TOO_LONG, "Ran too long", errors.RAN_TOO_LONG)

    def _finish(
        self,
        job_id: str,
        status: str,
        reason: str | None,
        code: int | None,
        body: str | None = None,
    ) -> None:
        now = time.time()
        job = self._store.get_job(job_id)
        if job is None:
            return
        if body is not None:
            self._store.set_result(job_id, body)
        changed = self._store.update_job(
            job_id,
            expect_status=[RUNNING],
            status=status,
            reason=reason,
            reason_code=code,
            finished_ts=now,
            run_seconds=now - (job.get("running_ts") or now),
        )
        if not changed:
            return  # cancelled by the user meanwhile: keep their status
        self._store.append_log(job_id, utc_line(f"INFO Job finished: {status}"))
        if job.get("session_id"):
            self._store.update_session(job["session_id"], last_job_completed=now)
        with self._lock:
            self._cancel.discard(job_id)


class _Stopped(Exception):
    """Cancelled by the user or timed out."""


class _JobFailed(Exception):
    def __init__(self, message: str, reason_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.reason_code = reason_code
