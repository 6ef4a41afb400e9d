"""The emulator database's tables, and the lock that keeps one emulator per data directory."""

from __future__ import annotations

import os
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL, instance TEXT NOT NULL, user_id TEXT, dialect TEXT,
    program TEXT NOT NULL, backend TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT, reason_code INTEGER, params TEXT, tags TEXT NOT NULL DEFAULT '[]',
    session_id TEXT, log_level TEXT, cost INTEGER, private INTEGER NOT NULL DEFAULT 0,
    created_ts REAL NOT NULL, running_ts REAL, finished_ts REAL, caller TEXT,
    logs TEXT NOT NULL DEFAULT '', result_read INTEGER NOT NULL DEFAULT 0, run_seconds REAL
);
CREATE INDEX IF NOT EXISTS jobs_instance ON jobs (instance, seq);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_session ON jobs (session_id);
CREATE TABLE IF NOT EXISTS results (job_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, instance TEXT NOT NULL, user_id TEXT, mode TEXT NOT NULL,
    backend TEXT, max_ttl INTEGER NOT NULL, interactive_ttl INTEGER,
    accepting_jobs INTEGER NOT NULL DEFAULT 1, cancelled INTEGER NOT NULL DEFAULT 0,
    created_ts REAL NOT NULL, activated_ts REAL, closed_ts REAL, state_reason TEXT,
    last_job_started REAL, last_job_completed REAL
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY, instance TEXT NOT NULL, state TEXT NOT NULL, request TEXT NOT NULL,
    result TEXT, created_ts REAL NOT NULL, finished_ts REAL
);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state);
CREATE TABLE IF NOT EXISTS revoked (token_hash TEXT PRIMARY KEY, ts REAL NOT NULL);
"""


def lock_directory(data_dir: str) -> Any:
    """Takes an exclusive lock on ``data_dir``.

    Two emulators on one database would both requeue and run the same unfinished jobs.

    Raises:
        RuntimeError: If another emulator holds the directory.
    """
    handle = open(os.path.join(data_dir, "emulator.lock"), "a+")  # noqa: SIM115 - held open
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock, best effort
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise RuntimeError(f"another emulator is using the data directory {data_dir!r}") from None
    return handle
