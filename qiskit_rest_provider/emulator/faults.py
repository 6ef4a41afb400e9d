"""Failure injection: make the emulator misbehave the way the real service does.

Two families of faults, both matched in the order they were added:

* **HTTP faults** match a route pattern ``"METHOD /path-glob"`` (``*`` wildcards, e.g.
  ``"POST /api/v1/jobs"``, ``"GET /api/v1/jobs/*"``, ``"* *"``) and act on the request:
  ``error`` (answer ``status``, default 500, before the route runs), ``error_after`` (run the
  route, e.g. create the job, then answer ``status`` instead), ``rate_limit`` (429 with
  ``Retry-After``), ``maintenance`` (503), ``drop`` / ``drop_after`` (close the connection
  without an answer, before / after the route ran) and ``delay`` (sleep ``delay`` seconds,
  then answer normally).
* **Job faults** use the route ``"job"`` (optionally ``"job:<backend>"``) and act when a worker
  starts a job: ``fail`` (the job fails with ``reason_code``/``message``), ``stuck`` (the job
  stays Running until cancelled, timed out by its ``cost`` or released with
  :meth:`FaultInjector.release`) and ``slow`` (the job runs ``delay`` seconds longer).

Each fault fires ``times`` times (``None`` = until removed) with ``probability`` (seeded RNG).
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass, field
from typing import Any

HTTP_KINDS = ("error", "error_after", "rate_limit", "maintenance", "drop", "drop_after", "delay")
JOB_KINDS = ("fail", "stuck", "slow")


@dataclass
class Fault:
    """One configured fault; ``hits`` counts how often it fired."""

    route: str
    kind: str
    status: int | None = None
    times: int | None = None
    probability: float = 1.0
    delay: float = 0.0
    retry_after: int = 1
    reason_code: int | None = None
    message: str | None = None
    hits: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        """Whether this HTTP fault applies to a request."""
        if self.route.startswith("job"):
            return False
        want_method, _, want_path = self.route.partition(" ")
        return fnmatch.fnmatchcase(method.upper(), want_method.upper() or "*") and (
            fnmatch.fnmatchcase(path, want_path or "*")
        )

    def matches_job(self, backend: str) -> bool:
        """Whether this job fault applies to a job on ``backend``."""
        if not self.route.startswith("job"):
            return False
        _, _, wanted = self.route.partition(":")
        return not wanted or wanted == backend


class FaultInjector:
    """Thread-safe registry of active faults.

    Args:
        seed: Seed of the RNG that decides probabilistic faults.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._released = threading.Event()

    def add(self, route: str, kind: str, **options: Any) -> Fault:
        """Installs a fault and returns it (its ``hits`` attribute counts firings).

        Args:
            route: ``"METHOD /path-glob"`` for HTTP faults, ``"job"`` / ``"job:<backend>"``
                for job faults.
            kind: One of ``HTTP_KINDS`` or ``JOB_KINDS``.
            **options: ``status``, ``times``, ``probability``, ``delay``, ``retry_after``,
                ``reason_code``, ``message``.

        Raises:
            ValueError: For an unknown kind or a kind that does not fit the route.
        """
        is_job = route.startswith("job")
        if kind not in (JOB_KINDS if is_job else HTTP_KINDS):
            raise ValueError(f"fault kind {kind!r} does not apply to route {route!r}")
        fault = Fault(route=route, kind=kind, **options)
        with self._lock:
            self._faults.append(fault)
            if kind == "stuck":
                self._released.clear()
        return fault

    def remove(self, fault: Fault) -> None:
        """Removes one fault (no error if it is already gone)."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Removes every fault and releases stuck jobs."""
        with self._lock:
            self._faults.clear()
        self.release()

    def release(self) -> None:
        """Lets jobs held by ``stuck`` faults continue."""
        self._released.set()

    @property
    def faults(self) -> list[Fault]:
        """A snapshot of the active faults."""
        with self._lock:
            return list(self._faults)

    def _fire(self, candidates: list[Fault]) -> Fault | None:
        for fault in candidates:
            if fault.times is not None and fault.hits >= fault.times:
                continue
            if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                continue
            fault.hits += 1
            return fault
        return None

    def for_request(self, method: str, path: str) -> Fault | None:
        """The HTTP fault to apply to this request, if any (consumes one firing)."""
        with self._lock:
            return self._fire([f for f in self._faults if f.matches(method, path)])

    def for_job(self, backend: str) -> Fault | None:
        """The job fault to apply to a job starting on ``backend``, if any."""
        with self._lock:
            return self._fire([f for f in self._faults if f.matches_job(backend)])

    def wait_released(self, timeout: float) -> bool:
        """Blocks up to ``timeout`` seconds for :meth:`release`; returns whether it happened."""
        return self._released.wait(timeout)


def parse_spec(spec: str) -> tuple[str, str, dict[str, Any]]:
    """Parses a command-line fault spec ``ROUTE=KIND[:key=value,...]``.

    Examples: ``"POST /api/v1/jobs=error_after:status=500,times=3"``,
    ``"* /api/v1/*=rate_limit:probability=0.1,retry_after=2"``, ``"job=fail:reason_code=1517"``.

    Returns:
        ``(route, kind, options)`` ready for :meth:`FaultInjector.add`.

    Raises:
        ValueError: If the spec is malformed.
    """
    # Routes never contain "=", so the first one separates the route from the kind.
    route, sep, rest = spec.partition("=")
    if not sep:
        raise ValueError(f"fault spec {spec!r} is not ROUTE=KIND[:key=value,...]")
    kind, _, opts = rest.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, opts.split(",")):
        key, _, value = item.partition("=")
        key = key.strip()
        if key in ("status", "times", "retry_after", "reason_code"):
            options[key] = int(value)
        elif key in ("probability", "delay"):
            options[key] = float(value)
        elif key == "message":
            options[key] = value
        else:
            raise ValueError(f"unknown fault option {key!r} in {spec!r}")
    return route.strip(), kind.strip(), options
