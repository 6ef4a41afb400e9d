"""The emulator's configuration, one frozen-ish dataclass shared by every part."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: API versions the emulator publishes on ``GET /api/v1/versions`` (research §1.2).
API_VERSIONS: tuple[dict[str, Any], ...] = (
    {"version": "2024-01-01", "status": "deprecated", "sunset_date": "2027-01-01"},
    {"version": "2025-01-01", "status": "deprecated", "sunset_date": "2027-01-01"},
    {"version": "2025-05-01", "status": "live"},
    {"version": "2026-02-15", "status": "live"},
    {"version": "2026-03-15", "status": "live"},
    {"version": "2026-04-15", "status": "live"},
)


@dataclass
class EmulatorConfig:
    """Settings of one emulator instance.

    Attributes:
        host: Interface to bind; loopback by default so nothing is exposed by accident.
        port: TCP port; 0 picks a free one.
        data_dir: Directory of the SQLite database; ``None`` keeps everything in memory.
        workers: Number of job worker processes.
        seed: Base simulator seed; each job gets ``seed + its sequence number``.
        noiseless: Run device backends without their noise model.
        token_ttl: Lifetime in seconds of issued access tokens.
        accounts_file: Optional JSON file restricting API keys to instances.
        max_body_bytes: Request bodies above this get a 413.
        max_pending_jobs: Queued jobs above this get a 429 at submit; so do pending
            transpile tasks.
        queue_delay: Seconds a job stays Queued before a worker may start it, so clients can
            see ``QUEUED`` and test their waiting code.
        run_delay: Seconds a job stays Running before the engine runs it.
        backend_delays: Per-backend ``(queue_delay, run_delay)`` overriding the two above, e.g.
            ``{"ibm_brisbane": (30.0, 5.0)}``.
        usage_limit_seconds: The instance's monthly allocation, reported on
            ``/instances/usage`` (``usage_limit_reached`` once the jobs' run time exceeds it).
        transpile_delay: Seconds a transpile task stays PENDING at least.
        transpile_result_ttl: Seconds a finished transpile task stays readable (the service
            discards results 20 minutes after the task ends).
        transpile_timeout: Seconds one transpile task may run in its worker process before it
            is killed and ends FAILURE. 0: no limit.
        transpile_workers: Worker processes for transpile tasks (forked at first use).
        faults: Fault specs (strings, see ``faults.parse_spec``) installed at start.
        log_requests: Log one line per request (method, path, status; never headers).
        allowed_hosts: ``Host`` header names served besides IP literals, ``localhost`` and
            ``host`` (a guard against DNS rebinding); ``["*"]`` serves any.
        header_timeout: Seconds a connection may take to send a complete request head (and,
            when new, to start one); slower connections are closed.
        max_job_memory_mb: Memory (MiB) one job or transpile task may take in its worker
            process; one that needs more fails. 0: no limit.
        result_hold: Seconds a result read of a Queued or Running job waits for the job to
            end before answering ``204``. 0: answer at once.
    """

    host: str = "127.0.0.1"
    port: int = 0
    data_dir: str | None = None
    workers: int = 2
    seed: int | None = None
    noiseless: bool = False
    token_ttl: int = 3600
    accounts_file: str | None = None
    max_body_bytes: int = 32 * 1024 * 1024
    max_pending_jobs: int = 10_000
    queue_delay: float = 0.0
    run_delay: float = 0.0
    backend_delays: dict[str, tuple[float, float]] = field(default_factory=dict)
    usage_limit_seconds: float = 36_000.0
    transpile_delay: float = 0.0
    transpile_result_ttl: float = 1200.0
    transpile_timeout: float = 300.0
    transpile_workers: int = 2
    faults: list[str] = field(default_factory=list)
    log_requests: bool = False
    allowed_hosts: list[str] = field(default_factory=list)
    header_timeout: float = 10.0
    max_job_memory_mb: int = 4096
    result_hold: float = 0.1

    def delays(self, backend: str) -> tuple[float, float]:
        """``(queue_delay, run_delay)`` of jobs on ``backend``."""
        return self.backend_delays.get(backend, (self.queue_delay, self.run_delay))

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> EmulatorConfig:
        """Builds a config, rejecting unknown keys with a clear message.

        Raises:
            TypeError: For a key that is not a config field.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise TypeError(f"unknown emulator option(s): {', '.join(unknown)}")
        return cls(**kwargs)
