"""One job's run in a worker process, as the runner's threads drive it.

Applies the job faults and delays, hands the job to a :class:`.workers.WorkerProcess` and turns
its answer (or its death) into a result text or one of the exceptions below, which the runner
records as the job's outcome.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from . import errors
from .config import EmulatorConfig
from .faults import FaultInjector
from .workers import JobInterrupted, WorkerDied, WorkerProcess

logger = logging.getLogger(__name__)


class Abandon(Exception):
    """The server is stopping: leave the job as it is in the store."""


class Stopped(Exception):
    """Cancelled by the user or timed out."""


class JobFailed(Exception):
    """The job failed: ``message`` and ``reason_code`` go into its state."""

    def __init__(self, message: str, reason_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.reason_code = reason_code


def pause(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleeps ``seconds``, waking early once ``should_stop()``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not should_stop():
        time.sleep(min(0.02, max(0.0, end - time.monotonic())))


def worker_request(job: dict[str, Any], seed: int | None, noiseless: bool) -> bytes:
    """The JSON request a worker runs, with the job's stored params text spliced in as is.

    Args:
        job: A row of :meth:`.store_jobs.JobRows.job_to_run` (``params`` is JSON text).
        seed: The job's simulator seed.
        noiseless: Run device backends without noise.
    """
    head = {"program": job["program"], "backend": job["backend"], "seed": seed}
    text = json.dumps({**head, "noiseless": noiseless}, separators=(",", ":"))
    params = job["params"] if job["params"] is not None else "null"
    # The params were parsed and re-serialised at submit; parsing them here only to
    # serialise them again for the pipe was the runner's biggest cost for big jobs.
    return (text[:-1] + ',"params":' + params + "}").encode("utf-8", "surrogatepass")


def execute(
    job: dict[str, Any],
    should_stop: Callable[[], bool],
    slot: WorkerProcess,
    config: EmulatorConfig,
    faults: FaultInjector,
    stopping: threading.Event,
) -> str:
    """Runs one job (a :meth:`.store_jobs.JobRows.job_to_run` row) in ``slot``.

    Returns:
        The result text.

    Raises:
        Abandon: The server is stopping.
        Stopped: ``should_stop()`` said so (cancelled or out of time).
        JobFailed: The job failed (injected, in the engine, out of memory, worker died).
    """
    fault = faults.for_job(job["backend"])
    if fault is not None and fault.kind == "fail":
        raise JobFailed(
            fault.message or "Injected job failure", fault.reason_code or errors.UNKNOWN_ERROR
        )
    if fault is not None and fault.kind == "stuck":
        while not should_stop() and not faults.wait_released(0.05):
            pass
    extra = (fault.delay if fault is not None and fault.kind == "slow" else 0.0) + config.delays(
        job["backend"]
    )[1]
    if extra:
        pause(extra, should_stop)
    if should_stop():
        raise Abandon if stopping.is_set() else Stopped
    seed = None if config.seed is None else config.seed + int(job["seq"])
    try:
        answer = slot.run(worker_request(job, seed, config.noiseless), should_stop)
    except JobInterrupted as exc:
        slot.kill()  # a new one is forked once the outcome is recorded (see Runner._work)
        if exc.reason != "memory":
            raise Abandon if stopping.is_set() else Stopped from None
        answer = {"error": "memory", "code": None}
    except WorkerDied as exc:
        if stopping.is_set():
            raise Abandon from None
        slot.kill()  # a new one is forked once the outcome is recorded (see Runner._work)
        raise JobFailed(
            f"The emulator's worker process ended while running the job ({exc}).",
            errors.UNKNOWN_ERROR,
        ) from None
    if "body" in answer:
        return str(answer["body"])
    if answer["error"] == "memory":
        limit = config.max_job_memory_mb
        message = f"The job needed more than the emulator's memory limit of {limit} MiB"
        raise JobFailed(message + " per job (--max-job-memory).", errors.UNKNOWN_ERROR)
    if answer["code"] is None:
        logger.warning("job %s failed in the engine: %s", job["id"], answer["error"][:200])
    raise JobFailed(answer["error"], answer["code"] or errors.UNKNOWN_ERROR)
