"""SQLite persistence for jobs, results, sessions, transpile tasks and token revocations.

One connection guarded by a lock: the emulator's write rate is tiny next to SQLite's, and a
single connection makes ``:memory:`` mode (tests) behave exactly like the file mode. In file
mode the database lives in ``<data_dir>/emulator.sqlite3`` with WAL journaling, so a restart
with the same directory sees every job, result and session.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from .schema import SCHEMA, lock_directory

_JSON_COLUMNS = {"params", "tags", "request", "result"}
_TABLE_COLUMNS: dict[str, set[str]] = {}


def _encode(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS and value is not None and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return int(value)
    return value


def _decode_row(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    for key in ("params", "tags", "request"):
        if out.get(key) is not None:
            out[key] = json.loads(out[key])
    return out


class StoreDamaged(RuntimeError):
    """The database file exists but SQLite cannot read it (the message says what to do)."""


def storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` means the disk (or SQLite's page budget) is full."""
    if isinstance(exc, sqlite3.OperationalError):
        full = getattr(sqlite3, "SQLITE_FULL", 13)  # not in every typeshed; 13 in SQLite
        return getattr(exc, "sqlite_errorcode", None) == full or "is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


class Store:
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
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            if data_dir is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            for table in ("jobs", "sessions", "tasks"):
                cols = self._db.execute(f"PRAGMA table_info({table})").fetchall()
                _TABLE_COLUMNS[table] = {c["name"] for c in cols}
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

    def close(self) -> None:
        """Closes the connection and releases the data directory."""
        with self._lock:
            self._db.close()
            if self._lock_file is not None:
                self._lock_file.close()  # closing the descriptor drops the flock
                self._lock_file = None

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _exec(self, sql: str, args: Iterable[Any] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, tuple(args)).rowcount

    # -- generic row helpers ------------------------------------------------------------------
    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Inserts a row; returns its rowid (a job's ``seq``)."""
        cols = [c for c in row if c in _TABLE_COLUMNS[table]]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        with self._lock:
            cursor = self._db.execute(sql, [_encode(c, row[c]) for c in cols])
            return int(cursor.lastrowid or 0)

    def _update(
        self,
        table: str,
        key: str,
        changes: dict[str, Any],
        where: str = "",
        args: tuple[Any, ...] = (),
    ) -> bool:
        bad = set(changes) - _TABLE_COLUMNS[table]
        if bad:
            raise KeyError(f"unknown {table} column(s): {sorted(bad)}")
        sets = ", ".join(f"{c} = ?" for c in changes)
        sql = f"UPDATE {table} SET {sets} WHERE id = ? {where}"
        values = [_encode(c, v) for c, v in changes.items()]
        return self._exec(sql, [*values, key, *args]) > 0

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

    # -- jobs ---------------------------------------------------------------------------------
    def insert_job(self, job: dict[str, Any]) -> int:
        """Inserts a job row and returns its sequence number."""
        # seq is the INTEGER PRIMARY KEY, i.e. the rowid: no SELECT needed to learn it.
        return self._insert("jobs", job)

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """Returns one job row (decoded) or ``None``."""
        return _decode_row(
            next(iter(self._query("SELECT * FROM jobs WHERE id = ?", [job_id])), None)
        )

    def update_job(
        self, job_id: str, expect_status: Iterable[str] | None = None, **changes: Any
    ) -> bool:
        """Updates a job; with ``expect_status`` only if its status is one of those.

        Returns:
            Whether a row changed (the conditional form is the state machine's guard).
        """
        if expect_status is None:
            return self._update("jobs", job_id, changes)
        statuses = tuple(expect_status)
        where = f"AND status IN ({', '.join('?' * len(statuses))})"
        return self._update("jobs", job_id, changes, where, statuses)

    def append_log(self, job_id: str, line: str) -> None:
        """Appends one line to a job's log."""
        self._exec("UPDATE jobs SET logs = logs || ? WHERE id = ?", [line + "\n", job_id])

    def delete_job(self, job_id: str) -> None:
        """Removes a job and its result."""
        with self._lock:
            self._exec("DELETE FROM results WHERE job_id = ?", [job_id])
            self._exec("DELETE FROM jobs WHERE id = ?", [job_id])

    def list_jobs(
        self, where: list[str], args: list[Any], *, descending: bool, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Returns one page of jobs matching SQL conditions, and the total count."""
        clause = " AND ".join(where) or "1"
        with self._lock:
            count = self._query(f"SELECT COUNT(*) AS n FROM jobs WHERE {clause}", args)[0]["n"]
            order = "DESC" if descending else "ASC"
            rows = self._query(
                f"SELECT * FROM jobs WHERE {clause} ORDER BY seq {order} LIMIT ? OFFSET ?",
                [*args, limit, offset],
            )
        return [_decode_row(r) for r in rows], count  # type: ignore[misc]

    def jobs_with_status(
        self, statuses: Iterable[str], session_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Jobs in the given statuses (optionally of one session), oldest first."""
        statuses = tuple(statuses)
        sql = f"SELECT * FROM jobs WHERE status IN ({', '.join('?' * len(statuses))})"
        args: list[Any] = list(statuses)
        if session_id is not None:
            sql += " AND session_id = ?"
            args.append(session_id)
        return [_decode_row(r) for r in self._query(sql + " ORDER BY seq", args)]  # type: ignore[misc]

    def count_jobs(self, statuses: Iterable[str], session_id: str | None = None) -> int:
        """How many jobs are in the given statuses (optionally of one session)."""
        statuses = tuple(statuses)
        sql = f"SELECT COUNT(*) AS n FROM jobs WHERE status IN ({', '.join('?' * len(statuses))})"
        args: list[Any] = list(statuses)
        if session_id is not None:
            sql += " AND session_id = ?"
            args.append(session_id)
        return int(self._query(sql, args)[0]["n"])

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

    def set_result(self, job_id: str, body: str) -> None:
        """Stores (or replaces) a job's result text."""
        self._exec("INSERT OR REPLACE INTO results (job_id, body) VALUES (?, ?)", [job_id, body])

    def get_result(self, job_id: str) -> str | None:
        """Returns a job's result text or ``None``."""
        rows = self._query("SELECT body FROM results WHERE job_id = ?", [job_id])
        return rows[0]["body"] if rows else None

    def take_result(self, job_id: str) -> str | None:
        """Returns and deletes a result atomically (private jobs are read once)."""
        with self._lock:
            body = self.get_result(job_id)
            self._exec("DELETE FROM results WHERE job_id = ?", [job_id])
            self._exec("UPDATE jobs SET result_read = 1 WHERE id = ?", [job_id])
            return body

    # -- sessions -----------------------------------------------------------------------------
    def insert_session(self, session: dict[str, Any]) -> None:
        """Inserts a session row."""
        self._insert("sessions", session)

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """Returns one session row or ``None``."""
        rows = self._query("SELECT * FROM sessions WHERE id = ?", [session_id])
        return _decode_row(rows[0]) if rows else None

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
        return _decode_row(rows[0]) if rows else None

    def update_task(self, task_id: str, **changes: Any) -> bool:
        """Updates a task row."""
        return self._update("tasks", task_id, changes)

    def pending_tasks(self) -> list[dict[str, Any]]:
        """Tasks not finished yet, oldest first."""
        rows = self._query("SELECT * FROM tasks WHERE state = 'PENDING' ORDER BY created_ts")
        return [_decode_row(r) for r in rows]  # type: ignore[misc]

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
            return [_decode_row(r) for r in self._query(sql, args)]  # type: ignore[misc]
