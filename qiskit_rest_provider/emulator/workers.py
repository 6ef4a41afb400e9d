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
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
from multiprocessing import connection, spawn
from typing import Any

logger = logging.getLogger(__name__)

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_launch_lock = threading.Lock()
#: Address space a worker may reserve beyond the job limit without using it (thread stacks,
#: malloc arenas, Aer's buffers): the cap stops runaway allocations, the resident-size watch
#: enforces the limit itself.
_AS_SLACK = 1 << 30


class WorkerDied(Exception):
    """The worker process ended without answering (killed, crashed, out of memory)."""


class JobInterrupted(Exception):
    """The runner killed the worker: ``reason`` is ``"stopped"`` or ``"memory"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: How often a running job is checked for a stop request and its memory (seconds).
WATCH_INTERVAL = 0.05


# -- child side ------------------------------------------------------------------------------


def _vm_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * _PAGE


def _cap_memory(limit_bytes: int | None) -> None:
    if not limit_bytes:
        return
    try:
        import resource

        ceiling = _vm_bytes() + limit_bytes + _AS_SLACK
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    except (ImportError, OSError, ValueError):  # not Linux: the runner's RSS watch remains
        logger.debug("no address-space cap for job workers on this platform")


def _serve(
    conn: connection.Connection, backends: dict[str, Any], limit_bytes: int | None, threads: int
) -> None:
    """Child main loop: one JSON request in, one JSON answer out, until the pipe closes."""
    from . import engine
    from .engine.methods import set_thread_budget

    set_thread_budget(threads)
    _warm_up(engine, backends)
    _cap_memory(limit_bytes)
    while True:
        try:
            request = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        conn.send_bytes(_encode(_run(engine, backends, request)))


_BELL = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\n'
    "h q[0];\ncx q[0], q[1];\nc = measure q;\n"
)


def _warm_up(engine: Any, backends: dict[str, Any]) -> None:
    """One tiny job of each program, so that a new worker's first real job is not slower."""
    name = next((n for n, b in backends.items() if getattr(b, "simulator", False)), None)
    if name is None:
        return
    for program, pub in (("sampler", [_BELL, None, 1]), ("estimator", [_BELL, "ZZ"])):
        params = {"pubs": [pub], "version": 2}
        request = {"program": program, "params": params, "backend": name, "seed": 1}
        _run(engine, backends, {**request, "noiseless": True})


def _encode(answer: dict[str, Any]) -> bytes:
    # A result travels as its own bytes after a marker, not re-escaped inside another JSON text.
    if "body" in answer:
        body: str = answer["body"]
        return b"B" + body.encode("utf-8", "surrogatepass")
    return b"E" + json.dumps(answer).encode()


def _decode(raw: bytes) -> dict[str, Any]:
    if raw[:1] == b"B":
        return {"body": raw[1:].decode("utf-8", "surrogatepass")}
    answer: dict[str, Any] = json.loads(raw[1:])
    return answer


def _run(engine: Any, backends: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    try:
        result = engine.run_job(
            request["program"],
            request["params"],
            backends[request["backend"]],
            seed=request["seed"],
            noiseless=request["noiseless"],
        )
    except engine.JobExecutionError as exc:
        # The address-space cap was reached (numpy: MemoryError; Aer: std::bad_alloc).
        if isinstance(exc.__cause__, MemoryError) or "bad_alloc" in exc.message:
            return {"error": "memory", "code": None}
        return {"error": exc.message, "code": exc.reason_code}
    except MemoryError:
        return {"error": "memory", "code": None}
    except Exception as exc:  # the engine must never take the worker down
        return {"error": f"{type(exc).__name__}: {exc}", "code": None}
    body = result if isinstance(result, str) else json.dumps(result, separators=(",", ":"))
    return {"body": body}


# -- parent side -----------------------------------------------------------------------------


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
    """

    def __init__(
        self, backends: dict[str, Any], memory_limit: int | None, threads: int = 0
    ) -> None:
        self._backends = backends
        self.memory_limit = memory_limit
        self.threads = threads
        self._process: Any = None
        self._dead: list[Any] = []
        self._conn: connection.Connection | None = None
        self._baseline = 0

    @property
    def pid(self) -> int | None:
        """The process id, if running."""
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Starts the process if none is running (a fork: milliseconds once the server runs)."""
        if self._process is not None and self._process.is_alive():
            return
        self.collect()
        ctx = _context()
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=_serve,
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

    def run(self, request: dict[str, Any], should_stop: Any) -> dict[str, Any]:
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

    def send(self, request: dict[str, Any]) -> None:
        """Hands a job to the process (starting it if needed)."""
        self.start()
        assert self._conn is not None
        self._conn.send_bytes(json.dumps(request, separators=(",", ":")).encode())

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
        self._baseline = self._resident()  # idle again: what later jobs are measured against
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
