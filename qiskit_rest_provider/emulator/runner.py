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
import threading
import time
from typing import Any

from . import errors
from .config import EmulatorConfig
from .execution import Abandon, JobFailed, Stopped, execute, pause
from .faults import FaultInjector
from .handout import Handout
from .store import Store
from .workers import WorkerProcess

logger = logging.getLogger(__name__)

QUEUED, RUNNING, COMPLETED, FAILED = "Queued", "Running", "Completed", "Failed"
CANCELLED = "Cancelled"
RAN_TOO_LONG = "Cancelled - Ran too long"
FINAL = (COMPLETED, FAILED, CANCELLED, RAN_TOO_LONG)
PENDING = (QUEUED, RUNNING)
#: The service's cap on ``max_execution_time`` (seconds).
MAX_COST = 10_800


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
        self._queue: Handout[str | None] = Handout()  # the last idle worker goes first
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
                if slot.pid is None and not self._stopping.is_set():
                    slot.start()  # after a kill: fork a warm one before the next job arrives
            except Abandon:
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

    def _run_one(self, job_id: str, slot: WorkerProcess) -> None:
        job = self._store.job_to_run(job_id)
        if job is None or job["status"] != QUEUED:
            return  # cancelled or deleted while queued
        wait = job["created_ts"] + self._config.delays(job["backend"])[0] - time.time()
        if wait > 0:
            pause(wait, self._stopping.is_set)
            if self._stopping.is_set():
                raise Abandon
        started = time.time()
        if not self._store.start_job(job_id, started, utc_line("INFO Job started running")):
            return
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
            body = execute(job, should_stop, slot, self._config, self._faults, self._stopping)
        except Abandon:
            raise
        except Stopped:
            return self._stopped(job, deadline)
        except JobFailed as exc:
            return self._finish(job, FAILED, exc.message, exc.reason_code, body=exc.message)
        if self._stopping.is_set():
            raise Abandon
        if time.time() > deadline:
            return self._stopped(job, deadline)
        self._finish(job, COMPLETED, None, None, body=body)

    def _stopped(self, job: dict[str, Any], deadline: float) -> None:
        with self._lock:
            cancelled = job["id"] in self._cancel
            self._cancel.discard(job["id"])
        if cancelled or time.time() <= deadline:
            self._finish(job, CANCELLED, "Cancelled by the user", None)
        else:
            self._finish(job, RAN_TOO_LONG, "Ran too long", errors.RAN_TOO_LONG)

    def _finish(
        self,
        job: dict[str, Any] | str,
        status: str,
        reason: str | None,
        code: int | None,
        body: str | None = None,
    ) -> None:
        """Records a running job's outcome (a row, or an id to look up); a cancel keeps its own."""
        if isinstance(job, str):
            found = self._store.get_job(job, light=True)
            if found is None:
                return
            job = found
        now = time.time()
        line = utc_line(f"INFO Job finished: {status}")
        if not self._store.finish_job(job["id"], status, reason, code, now, line, body):
            return  # cancelled by the user meanwhile: keep their status
        if job.get("session_id"):
            self._store.update_session(job["session_id"], last_job_completed=now)
        with self._lock:
            self._cancel.discard(job["id"])
