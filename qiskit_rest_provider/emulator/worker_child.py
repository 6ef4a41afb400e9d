"""The job worker process's side: its main loop, memory cap and the answers' wire format.

:mod:`.workers` starts these processes and watches them; this module is what runs inside one
(and the codec both sides share). Other kinds of worker (:mod:`.transpile_worker`) reuse
:func:`cap_memory`, :func:`encode` and :func:`decode` with a main loop of their own.
"""

from __future__ import annotations

import json
import logging
import os
from multiprocessing import connection
from typing import Any

logger = logging.getLogger(__name__)

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Address space a worker may reserve beyond the job limit without using it (thread stacks,
#: malloc arenas, Aer's buffers): the cap stops runaway allocations, the resident-size watch
#: enforces the limit itself.
_AS_SLACK = 1 << 30


def _vm_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * PAGE


def cap_memory(limit_bytes: int | None) -> None:
    """Caps this process's address space at its size now plus ``limit_bytes`` plus slack."""
    if not limit_bytes:
        return
    try:
        import resource

        ceiling = _vm_bytes() + limit_bytes + _AS_SLACK
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    except (ImportError, OSError, ValueError):  # not Linux: the runner's RSS watch remains
        logger.debug("no address-space cap for job workers on this platform")


def serve(
    conn: connection.Connection, backends: dict[str, Any], limit_bytes: int | None, threads: int
) -> None:
    """Child main loop: one JSON request in, one JSON answer out, until the pipe closes."""
    from . import engine
    from .engine.methods import set_thread_budget

    set_thread_budget(threads)
    _warm_up(engine, backends)
    cap_memory(limit_bytes)
    while True:
        try:
            request = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        conn.send_bytes(encode(_run(engine, backends, request)))


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


def encode(answer: dict[str, Any]) -> bytes:
    """An answer as bytes for the pipe: ``B`` + result text, or ``E`` + JSON of an error."""
    # A result travels as its own bytes after a marker, not re-escaped inside another JSON text.
    if "body" in answer:
        body: str = answer["body"]
        return b"B" + body.encode("utf-8", "surrogatepass")
    return b"E" + json.dumps(answer).encode()


def decode(raw: bytes) -> dict[str, Any]:
    """The answer :func:`encode` made."""
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
    body = result if isinstance(result, str) else _COMPACT.encode(result)
    return {"body": body}


#: ``json.dumps(..., separators=(",", ":"))`` without building an encoder per answer.
_COMPACT = json.JSONEncoder(separators=(",", ":"))
