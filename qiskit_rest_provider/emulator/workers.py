"""Job worker processes: each job runs where the server can stop it.

A thread cannot be stopped; a process can be killed. Each :class:`WorkerProcess` is one warm
process (the engine imported, its caches filled by earlier jobs) that runs one job at a time,
sent and answered as JSON text over a pipe (well under a millisecond for a small job). The
runner kills it when the job is cancelled, runs out of time or exceeds its memory ceiling, and
starts a fresh one.

Processes come from a fork server (``multiprocessing``'s ``forkserver``) that has the engine
imported once: a new worker is a fork of it, ready in milliseconds instead of the seconds a
fresh interpreter needs to import Qiskit. Children do not re-import the caller's ``__main__``
script (``multiprocessing`` would, running an unguarded script that starts an emulator again).

Memory: the runner watches the worker's resident size and kills it when a job holds more than
its ceiling; the worker also caps its address space at its start-up size plus the ceiling plus
1 GiB (``RLIMIT_AS``), so a runaway allocation fails at once (``MemoryError``, ``bad_alloc``).

What runs inside a worker is :mod:`.worker_child` (the job engine's loop, by default; a
:class:`WorkerProcess` can be given another main loop, as the transpiler's workers are).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing import connection, spawn
from typing import Any

from .worker_child import PAGE as _PAGE
from .worker_child import decode as _decode
from .worker_child import serve as _serve

logger = logging.getLogger(__name__)

_launch_lock = threading.Lock()


class WorkerDied(Exception):
    """The worker process ended without answering (killed, crashed, out of memory)."""


class JobInterrupted(Exception):
    """The runner killed the worker: ``reason`` is ``"stopped"`` or ``"memory"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: How often a running job is checked for a stop request and its memory (seconds).
WATCH_INTERVAL = 0.05
#: How often, at most, the idle worker's resident size is measured again (seconds): reading
#: /proc after every answer cost a small job's runner a fifth of its time.
BASELINE_REFRESH = 1.0


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Import the engine once in the fork server; every worker is a fork of it. (Replaces
        # the default preload of "__main__", which would run the caller's script there.)
        ctx.set_forkserver_preload([__name__, f"{__package__}.engine"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _without_main(prepare: Any) -> Any:
    def data(name: str) -> dict[str, Any]:
        return {k: v for k, v in prepare(name).items() if not k.startswith("init_main")}

    return data


class WorkerProcess:
    """One warm worker process (started lazily, replaced after :meth:`kill`).

    Args:
        backends: Backend name → ``EmulatedBackend`` (sent to the process once, at start).
        memory_limit: Bytes a job may use beyond the worker's own size; ``None``: no limit.
        threads: Threads the simulator may use in this process (0: every core).
        serve: The process's main loop (a module-level function, given the pipe, the backends,
            the memory limit and the threads); the job engine's by default.
    """

    def __init__(
        self,
        backends: dict[str, Any],
        memory_limit: int | None,
        threads: int = 0,
        serve: Callable[..., None] = _serve,
    ) -> None:
        self._serve = serve
        self._backends = backends
        self.memory_limit = memory_limit
        self.threads = threads
        self._process: Any = None
        self._dead: list[Any] = []
        self._conn: connection.Connection | None = None
        self._baseline = 0
        self._baseline_at = 0.0

    @property
    def pid(self) -> int | None:
        """The process id, if running."""
        return None if self._process is None else self._process.pid

    def alive(self) -> bool:
        """Whether the process is running (it may have died since its last answer)."""
        return self._process is not None and bool(self._process.is_alive())

    def start(self) -> None:
        """Starts the process if none is running (a fork: milliseconds once the server runs)."""
        if self._process is not None and self._process.is_alive():
            return
        self.collect()
        ctx = _context()
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=self._serve,
            args=(child, self._backends, self.memory_limit, self.threads),
            name="emulator-job-worker",
            daemon=True,
        )
        with _launch_lock:  # the preparation data must not name the caller's __main__
            prepare = spawn.get_preparation_data
            spawn.get_preparation_data = _without_main(prepare)
            try:
                process.start()
            finally:
                spawn.get_preparation_data = prepare
        child.close()
        self._process, self._conn = process, parent
        self._baseline = self._resident()  # a fresh fork: the fork server's pages
        self._baseline_at = time.monotonic()

    def run(self, request: dict[str, Any] | bytes, should_stop: Any) -> dict[str, Any]:
        """Runs one job; kills the process when ``should_stop()`` or the memory limit says so.

        Returns:
            ``{"body": result text}`` or ``{"error": message or "memory", "code": int | None}``.

        Raises:
            JobInterrupted: The process was killed to stop the job (start a new one).
            WorkerDied: The process ended by itself.
        """
        self.send(request)
        while True:
            answer = self.answer(WATCH_INTERVAL)
            if answer is not None:
                return answer
            if should_stop():
                self.kill()
                raise JobInterrupted("stopped")
            if self.memory_limit and self.job_bytes() > self.memory_limit:
                self.kill()
                raise JobInterrupted("memory")

    def send(self, request: dict[str, Any] | bytes) -> None:
        """Hands a job to the process (starting it if needed), as a dict or its JSON bytes."""
        self.start()
        assert self._conn is not None
        if not isinstance(request, bytes):
            request = json.dumps(request, separators=(",", ":")).encode()
        self._conn.send_bytes(request)

    def answer(self, timeout: float) -> dict[str, Any] | None:
        """The job's answer, or ``None`` if none came within ``timeout`` seconds.

        Raises:
            WorkerDied: The process ended without answering.
        """
        assert self._conn is not None
        try:
            if not self._conn.poll(timeout):
                return None
            answer = _decode(self._conn.recv_bytes())
        except (EOFError, OSError):
            code = self._reap()
            raise WorkerDied(f"exit code {code}") from None
        now = time.monotonic()
        if now - self._baseline_at >= BASELINE_REFRESH:  # idle again: what jobs are measured
            self._baseline, self._baseline_at = self._resident(), now  # against (a /proc read)
        return answer

    def job_bytes(self) -> int:
        """Memory the running job holds: the resident size above the idle worker's."""
        return max(0, self._resident() - self._baseline)

    def _resident(self) -> int:
        pid = self.pid
        if pid is None:
            return 0
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                return int(handle.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return 0  # gone, or not Linux

    def kill(self) -> None:
        """Kills the process (its job is lost) without waiting; :meth:`start` forks anew."""
        process, self._process = self._process, None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if process is not None:
            process.kill()  # SIGKILL: gone at once; collected later, off the job's path
            self._dead.append(process)

    def collect(self, timeout: float = 5.0) -> None:
        """Waits for killed processes to be reaped (frees their descriptors)."""
        while self._dead:
            self._dead.pop().join(timeout)

    def _reap(self) -> int | None:
        process, self._process = self._process, None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if process is None:
            return None
        process.join(5)
        code: int | None = process.exitcode
        return code
