"""Transpile tasks run in killable worker processes, with a time limit and a memory ceiling.

A transpilation can take minutes (``optimization_level=3`` on a wide, deep circuit) and a
thread cannot be stopped, so each task runs in a warm worker process of its own small pool
(:class:`~.workers.WorkerProcess`, forked from the job workers' fork server, with
:func:`serve` as its main loop). A thread per process hands it one task at a time and watches
it: past ``transpile_timeout`` seconds or over ``max_job_memory_mb`` the process is killed, the
task ends ``FAILURE`` with a message naming the limit, and a fresh process is forked. Job
workers and the other transpile workers never notice.

The processes start at the first task (an emulator that never transpiles forks none), one
after the other, and take tasks once warm: a fresh process spends seconds on Qiskit's first
transpilation (loading every transpiler plugin installed), which no task's time limit counts.
On shutdown, running tasks stay ``PENDING`` and are run again at the next start with the same
database.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from multiprocessing import connection
from typing import Any

from . import errors
from .errors import ApiError
from .worker_child import cap_memory, encode
from .workers import WATCH_INTERVAL, JobInterrupted, WorkerDied, WorkerProcess

logger = logging.getLogger(__name__)

PENDING, SUCCESS, FAILURE = "PENDING", "SUCCESS", "FAILURE"
#: Seconds a new worker process may take to warm up before it is given up on.
READY_TIMEOUT = 120.0
_BELL = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'


# -- inside the worker process -----------------------------------------------------------------


def serve(
    conn: connection.Connection, backends: dict[str, Any], limit_bytes: int | None, threads: int
) -> None:
    """The worker's main loop: one task (JSON) in, its answer out, until the pipe closes."""
    del threads  # the transpiler's own parallelism is Qiskit's business
    _warm_up(backends)
    cap_memory(limit_bytes)
    conn.send_bytes(encode({"body": "ready"}))
    while True:
        try:
            request = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        conn.send_bytes(encode(run_task(backends, request)))


def _warm_up(backends: dict[str, Any]) -> None:
    """One tiny task, so that a new worker's first real one does not pay Qiskit's imports."""
    name = next((n for n, b in backends.items() if getattr(b, "simulator", False)), None)
    if name is not None:
        run_task(backends, {"backend": name, "optimization_level": 1, "qasm": [_BELL]})


def run_task(backends: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Transpiles one task's circuits.

    Returns:
        ``{"body": JSON text of the result list}``, or ``{"error": message, "code": None}``
        (``"memory"`` when the address-space cap was reached).
    """
    from .transpile import transpile_request

    try:
        backend = backends.get(request.get("backend") or "")
        result = transpile_request(request, backend)
    except MemoryError:
        return {"error": "memory", "code": None}
    except Exception as exc:  # every transpilation error is a FAILURE, as on the service
        return {"error": f"{type(exc).__name__}: {exc}", "code": None}
    return {"body": json.dumps(result, separators=(",", ":"))}


# -- in the server ---------------------------------------------------------------------------


class TranspileService:
    """Runs transpile tasks on a small pool of worker processes; tasks live in the store.

    Args:
        state: The emulator's state (store, backends, config).
        workers: Worker processes; ``config.transpile_workers`` by default.
    """

    def __init__(self, state: Any, workers: int | None = None) -> None:
        self.state = state
        config = state.config
        self._workers = max(1, workers if workers is not None else config.transpile_workers)
        memory = max(0, config.max_job_memory_mb)
        self._memory_limit = memory * 2**20 if memory else None
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stopping = threading.Event()
        self._wanted = threading.Event()  # set by the first task: fork the processes
        self._first = threading.Event()  # the first process is warm: the others may start
        self._warm: dict[int, int | None] = {}  # id(slot) -> pid of its warmed-up process
        self._threads: list[threading.Thread] = []
        self._slots: list[WorkerProcess] = []

    def start(self) -> None:
        """Starts the pool threads and resumes tasks left PENDING by a previous run."""
        for i in range(self._workers):
            slot = WorkerProcess(self.state.backends, self._memory_limit, serve=serve)
            thread = threading.Thread(
                target=self._work, args=(slot, i), name=f"emulator-transpile-{i}", daemon=True
            )
            thread.start()
            self._slots.append(slot)
            self._threads.append(thread)
        for task in self.state.store.pending_tasks():
            self._queue.put(task["id"])
            self._wanted.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the pool; running tasks are killed and stay PENDING (run again at restart)."""
        self._stopping.set()
        self._wanted.set()
        self._first.set()
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for slot in self._slots:
            slot.kill()
            slot.collect()

    def submit(self, instance: str, request: dict[str, Any]) -> str:
        """Stores a PENDING task and queues it; returns its id.

        Raises:
            ApiError: 429 when ``max_pending_jobs`` tasks are pending already (the queue, like
                the jobs', must not grow without bound).
        """
        if self.state.store.count_pending_tasks() >= self.state.config.max_pending_jobs:
            raise ApiError(
                429,
                errors.TOO_MANY_REQUESTS,
                "Too many pending transpile tasks.",
                headers={"Retry-After": "1"},
            )
        task_id = str(uuid.uuid4())
        self.state.store.insert_task(
            {
                "id": task_id,
                "instance": instance,
                "state": PENDING,
                "request": request,
                "created_ts": time.time(),
            }
        )
        self._queue.put(task_id)
        self._wanted.set()
        return task_id

    def pids(self) -> list[int | None]:
        """The worker processes' ids (``None`` for one not started yet)."""
        return [slot.pid for slot in self._slots]

    def warm(self) -> int:
        """How many worker processes are warm, ready for a task."""
        return sum(1 for s in self._slots if s.pid and self._warm.get(id(s)) == s.pid)

    def _work(self, slot: WorkerProcess, index: int) -> None:
        self._wanted.wait()
        if index:  # warming up in turn: the first task need not share the cores with the rest
            self._first.wait()
        self._ready(slot)
        self._first.set()
        while not self._stopping.is_set():
            task_id = self._queue.get()
            if task_id is None or self._stopping.is_set():
                return
            try:
                self._run(task_id, slot)
            except Exception:  # a bug must not end the pool thread; the task is failed
                if self._stopping.is_set():
                    return
                logger.exception("transpile task %s crashed the emulator", task_id)
                slot.kill()  # its state is unknown: a fresh process takes the next task
                self._finish(task_id, FAILURE, "Internal error in the emulator's transpiler.")
            if slot.pid is None and not self._stopping.is_set():
                self._ready(slot)  # after a kill: a warm replacement before the next task

    def _ready(self, slot: WorkerProcess) -> bool:
        """Starts ``slot``'s process if needed and waits until it has warmed up.

        A task's time limit starts when a warm process takes it: a fresh one spends a second or
        more on Qiskit's first transpilation, which is no task's fault.
        """
        if slot.alive() and self._warm.get(id(slot)) == slot.pid:
            return True
        deadline = time.monotonic() + READY_TIMEOUT
        try:
            slot.start()
            while not self._stopping.is_set() and time.monotonic() < deadline:
                if slot.answer(WATCH_INTERVAL) is not None:  # its "ready"
                    self._warm[id(slot)] = slot.pid
                    return True
        except Exception:  # WorkerDied, or no process at all: the next task tries again
            logger.exception("could not start a transpiler worker process")
        slot.kill()
        return False

    def _run(self, task_id: str, slot: WorkerProcess) -> None:
        task = self.state.store.get_task(task_id)
        if task is None or task["state"] != PENDING:
            return
        wait = task["created_ts"] + self.state.config.transpile_delay - time.time()
        end = time.monotonic() + wait
        while time.monotonic() < end and not self._stopping.is_set():
            time.sleep(min(0.02, max(0.0, end - time.monotonic())))
        if self._stopping.is_set():
            return  # stays PENDING: run again at the next start
        if not self._ready(slot):
            if not self._stopping.is_set():
                message = "The emulator could not start a transpiler worker process."
                self._finish(task_id, FAILURE, message)
            return
        limit = self.state.config.transpile_timeout
        deadline = time.monotonic() + limit if limit > 0 else float("inf")

        def should_stop() -> bool:
            return self._stopping.is_set() or time.monotonic() > deadline

        try:
            answer = slot.run(task["request"], should_stop)
        except JobInterrupted as exc:
            slot.kill()
            if self._stopping.is_set():
                return  # stays PENDING: run again at the next start
            if exc.reason == "memory":
                return self._finish(task_id, FAILURE, self._memory_message())
            return self._finish(task_id, FAILURE, self._time_message())
        except (WorkerDied, OSError) as exc:  # OSError: it died before the task reached it
            slot.kill()
            if self._stopping.is_set():
                return
            message = f"The emulator's transpiler process ended while running the task ({exc})."
            return self._finish(task_id, FAILURE, message)
        if self._stopping.is_set():
            return
        if "body" in answer:
            return self._finish(task_id, SUCCESS, None, body=answer["body"])
        error = answer["error"]
        self._finish(task_id, FAILURE, self._memory_message() if error == "memory" else error)

    def _time_message(self) -> str:
        limit = self.state.config.transpile_timeout
        return (
            f"The transpilation ran longer than the emulator's limit of {limit:g} s per task "
            "(--transpile-timeout) and was stopped."
        )

    def _memory_message(self) -> str:
        limit = self.state.config.max_job_memory_mb
        return (
            f"The transpilation needed more than the emulator's memory limit of {limit} MiB "
            "per task (--max-job-memory)."
        )

    def _finish(self, task_id: str, state: str, message: str | None, body: str = "") -> None:
        if state == FAILURE:
            logger.debug("transpile task %s failed: %s", task_id, (message or "")[:200])
        result = body if state == SUCCESS else json.dumps(message)
        self.state.store.update_task(task_id, state=state, result=result, finished_ts=time.time())
