"""SQLite persistence for jobs, results, sessions, transpile tasks and token revocations.

One connection guarded by a lock: the emulator's write rate is tiny next to SQLite's, and a
single connection makes ``:memory:`` mode (tests) behave exactly like the file mode. In file
mode the database lives in ``<data_dir>/emulator.sqlite3`` with WAL journaling, so a restart
with the same directory sees every job, result and session.
"""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from .job_watch import JobWatch
from .schema import SCHEMA, lock_directory
from .store_jobs import TABLE_COLUMNS, JobRows, decode_row


class StoreDamaged(RuntimeError):
    """The database file exists but SQLite cannot read it (the message says what to do)."""


def storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` means the disk (or SQLite's page budget) is full."""
    if isinstance(exc, sqlite3.OperationalError):
        full = getattr(sqlite3, "SQLITE_FULL", 13)  # not in every typeshed; 13 in SQLite
        return getattr(exc, "sqlite_errorcode", None) == full or "is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


class Store(JobRows):
    """Thread-safe access to the emulator's database.

    Args:
        data_dir: Directory for the database file; ``None`` for an in-memory database.
    """

    def __init__(self, data_dir: str | None = None) -> None:
        self._lock_file: Any = None
        if data_dir is None:
            path = ":memory:"
        else:
            os.makedirs(data_dir, exist_ok=True)
            path = os.path.join(data_dir, "emulator.sqlite3")
            self._lock_file = lock_directory(data_dir)
        self.path = path
        self._lock = threading.RLock()
        self._light = {}
        self.watch = JobWatch()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            if data_dir is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            for table in ("jobs", "sessions", "tasks"):
                cols = self._db.execute(f"PRAGMA table_info({table})").fetchall()
                TABLE_COLUMNS[table] = {c["name"] for c in cols}
            # Every authenticated request asks; one emulator owns the database (the lock).
            rows = self._db.execute("SELECT token_hash FROM revoked").fetchall()
            self._revoked = {row[0] for row in rows}
        except sqlite3.DatabaseError as exc:
            if self._lock_file is not None:
                self._lock_file.close()
            raise StoreDamaged(
                f"the database file {path} cannot be used ({exc}). If it is damaged, move it "
                "(with any -wal/-shm files beside it) out of the data directory to start with "
                "an empty store, or restore it from a backup."
            ) from None

    def search_tags(self, instance: str, text: str, limit: int = 100) -> list[str]:
        """Distinct job tags of an instance that contain ``text`` (case-insensitive)."""
        rows = self._query(
            "SELECT DISTINCT value FROM jobs, json_each(jobs.tags) WHERE instance = ? "
            "AND instr(lower(value), lower(?)) > 0 ORDER BY value LIMIT ?",
            [instance, text, limit],
        )
        return [r["value"] for r in rows]

    def usage_seconds(self, instance: str) -> float:
        """Total run time of an instance's finished jobs."""
        rows = self._query("SELECT SUM(run_seconds) AS s FROM jobs WHERE instance = ?", [instance])
        return float(rows[0]["s"] or 0.0)

    def close(self) -> None:
        """Closes the connection and releases the data directory."""
        with self._lock:
            self._db.close()
            if self._lock_file is not None:
                self._lock_file.close()  # closing the descriptor drops the flock
                self._lock_file = None

    # -- meta ---------------------------------------------------------------------------------
    def secret(self) -> bytes:
        """The token-signing secret of this database (created on first use)."""
        with self._lock:
            rows = self._query("SELECT value FROM meta WHERE key = 'secret'")
            if rows:
                return bytes.fromhex(rows[0]["value"])
            value = secrets.token_bytes(32)
            self._exec("INSERT INTO meta (key, value) VALUES ('secret', ?)", [value.hex()])
            return value

    # -- sessions -----------------------------------------------------------------------------
    def insert_session(self, session: dict[str, Any]) -> None:
        """Inserts a session row."""
        self._insert("sessions", session)

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """Returns one session row or ``None``."""
        rows = self._query("SELECT * FROM sessions WHERE id = ?", [session_id])
        return decode_row(rows[0]) if rows else None

    def update_session(self, session_id: str, **changes: Any) -> bool:
        """Updates a session row."""
        return self._update("sessions", session_id, changes)

    # -- transpile tasks ----------------------------------------------------------------------
    def insert_task(self, task: dict[str, Any]) -> None:
        """Inserts a transpile task row."""
        self._insert("tasks", task)

    def get_task(self, task_id: str) -> dict[str, Any] | None:
        """Returns one task row (``result`` left as JSON text) or ``None``."""
        rows = self._query("SELECT * FROM tasks WHERE id = ?", [task_id])
        return decode_row(rows[0]) if rows else None

    def update_task(self, task_id: str, **changes: Any) -> bool:
        """Updates a task row."""
        return self._update("tasks", task_id, changes)

    def pending_tasks(self) -> list[dict[str, Any]]:
        """Tasks not finished yet, oldest first."""
        rows = self._query("SELECT * FROM tasks WHERE state = 'PENDING' ORDER BY created_ts")
        return [decode_row(r) for r in rows]  # type: ignore[misc]

    def count_pending_tasks(self) -> int:
        """How many tasks are not finished yet."""
        rows = self._query("SELECT COUNT(*) AS n FROM tasks WHERE state = 'PENDING'")
        return int(rows[0]["n"])

    # -- token revocation ---------------------------------------------------------------------
    def revoke(self, token_digest: str, ts: float) -> None:
        """Remembers a logged-out token."""
        with self._lock:
            self._exec(
                "INSERT OR IGNORE INTO revoked (token_hash, ts) VALUES (?, ?)", [token_digest, ts]
            )
            self._revoked.add(token_digest)  # after the write: a failed one revokes nothing

    def is_revoked(self, *digests: str) -> bool:
        """Whether any of these (a token's hash, its family's key) was logged out."""
        return any(digest in self._revoked for digest in digests)

    def select(self, sql: str, args: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query, decoded (for views such as the dashboard's)."""
        with self._lock:
            return [decode_row(r) for r in self._query(sql, args)]  # type: ignore[misc]
