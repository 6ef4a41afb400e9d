"""The jobs and results tables of the emulator's store, and the row helpers every table uses.

:class:`JobRows` is a base of :class:`.store.Store`, which owns the connection (``_db``) and
its lock (``_lock``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from .job_watch import JobWatch

_JSON_COLUMNS = {"params", "tags", "request", "result"}
TABLE_COLUMNS: dict[str, set[str]] = {}


def encode_value(column: str, value: Any) -> Any:
    """A value as stored: JSON text for the JSON columns, 0/1 for booleans."""
    if column in _JSON_COLUMNS and value is not None and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return int(value)
    return value


def decode_row(row: sqlite3.Row | None) -> dict[str, Any] | None:
    """A row as a dict with its JSON columns parsed (``None`` stays ``None``)."""
    if row is None:
        return None
    out = dict(row)
    for key in ("params", "tags", "request"):
        if out.get(key) is not None:
            out[key] = json.loads(out[key])
    return out


def _light_columns() -> str:
    """The jobs table's columns without ``params`` and ``logs``, for a SELECT."""
    return ", ".join(sorted(TABLE_COLUMNS["jobs"] - {"params", "logs"}))


class JobRows:
    """Row helpers and the job and result operations of :class:`.store.Store`.

    Light job rows (without params and logs: what polls read) are kept in memory once read;
    every write to a job drops its entry, under the store's lock, and a miss reads and keeps
    the row under that lock too, so no stale row is ever kept. A hit takes no lock and does
    not call SQLite, which releases the GIL and so made each poll wait for the worker
    threads.
    """

    #: Light rows kept at most (all are dropped when full: job ids are the callers' choice).
    LIGHT_ROWS = 4096

    _db: sqlite3.Connection
    _lock: threading.RLock
    _light: dict[str, dict[str, Any]]
    #: Requests waiting for a job's next write (see :mod:`.job_watch`).
    watch: JobWatch

    def _forget(self, job_id: str) -> None:
        # Every write of a job ends here: drop its cached row, wake requests waiting on it.
        self._light.pop(job_id, None)
        self.watch.changed(job_id)

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _exec(self, sql: str, args: Iterable[Any] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, tuple(args)).rowcount

    # -- generic row helpers ------------------------------------------------------------------
    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Inserts a row; returns its rowid (a job's ``seq``)."""
        cols = [c for c in row if c in TABLE_COLUMNS[table]]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        with self._lock:
            cursor = self._db.execute(sql, [encode_value(c, row[c]) for c in cols])
            return int(cursor.lastrowid or 0)

    def _update(
        self,
        table: str,
        key: str,
        changes: dict[str, Any],
        where: str = "",
        args: tuple[Any, ...] = (),
    ) -> bool:
        bad = set(changes) - TABLE_COLUMNS[table]
        if bad:
            raise KeyError(f"unknown {table} column(s): {sorted(bad)}")
        sets = ", ".join(f"{c} = ?" for c in changes)
        sql = f"UPDATE {table} SET {sets} WHERE id = ? {where}"
        values = [encode_value(c, v) for c, v in changes.items()]
        with self._lock:
            try:
                return self._exec(sql, [*values, key, *args]) > 0
            finally:
                if table == "jobs":
                    self._forget(key)

    # -- jobs ---------------------------------------------------------------------------------
    def insert_job(self, job: dict[str, Any]) -> int:
        """Inserts a job row and returns its sequence number."""
        # seq is the INTEGER PRIMARY KEY, i.e. the rowid: no SELECT needed to learn it.
        return self._insert("jobs", job)

    def get_job(self, job_id: str, *, light: bool = False) -> dict[str, Any] | None:
        """Returns one job row (decoded) or ``None``.

        Args:
            job_id: The job.
            light: Leave out ``params`` and ``logs``: a poll's view needs neither, and the
                params of a big job are megabytes of JSON to parse.
        """
        if not light:
            return decode_row(
                next(iter(self._query("SELECT * FROM jobs WHERE id = ?", [job_id])), None)
            )
        row = self._light.get(job_id)
        if row is None:
            sql = f"SELECT {_light_columns()} FROM jobs WHERE id = ?"
            with self._lock:
                row = decode_row(next(iter(self._query(sql, [job_id])), None))
                if row is None:
                    return None
                if len(self._light) >= self.LIGHT_ROWS:
                    self._light.clear()
                self._light[job_id] = row
        return dict(row)

    def job_to_run(self, job_id: str) -> dict[str, Any] | None:
        """A job row for a worker: ``params`` stays the stored JSON text, ``logs`` left out."""
        sql = f"SELECT {_light_columns()}, params FROM jobs WHERE id = ?"
        rows = self._query(sql, [job_id])
        return dict(rows[0]) if rows else None

    def start_job(self, job_id: str, ts: float, line: str) -> bool:
        """Queued → Running at ``ts`` with a log line, unless it is no longer Queued.

        Returns:
            Whether it was still Queued (and so is Running now).
        """
        sql = (
            "UPDATE jobs SET status = 'Running', running_ts = ?, logs = logs || ? "
            "WHERE id = ? AND status = 'Queued'"
        )
        with self._lock:
            try:
                return self._exec(sql, [ts, line + "\n", job_id]) > 0
            finally:
                self._forget(job_id)

    def finish_job(
        self,
        job_id: str,
        status: str,
        reason: str | None,
        reason_code: int | None,
        ts: float,
        line: str,
        result: str | None = None,
    ) -> bool:
        """Running → ``status`` at ``ts`` in one transaction with the result and a log line.

        The result is stored even when the job is no longer Running (a cancel won the race),
        unless it was deleted; the status, its reason, ``run_seconds`` and the log line only
        while it is Running.

        Returns:
            Whether the job was still Running (and so has ``status`` now).
        """
        update = (
            "UPDATE jobs SET status = ?, reason = ?, reason_code = ?, finished_ts = ?, "
            "run_seconds = ? - COALESCE(running_ts, ?), logs = logs || ? "
            "WHERE id = ? AND status = 'Running'"
        )
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if result is not None:  # (not for a job deleted meanwhile)
                    self._db.execute(
                        "INSERT OR REPLACE INTO results (job_id, body) SELECT ?, ? "
                        "WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?)",
                        [job_id, result, job_id],
                    )
                args = [status, reason, reason_code, ts, ts, ts, line + "\n", job_id]
                changed = self._db.execute(update, args).rowcount > 0
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._forget(job_id)
        return changed

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
            self._forget(job_id)

    def list_jobs(
        self,
        where: list[str],
        args: list[Any],
        *,
        descending: bool,
        limit: int,
        offset: int,
        light: bool = False,
    ) -> tuple[list[dict[str, Any]], int]:
        """Returns one page of jobs matching SQL conditions, and the total count.

        ``light`` leaves out ``params`` and ``logs``, as :meth:`get_job` does.
        """
        clause = " AND ".join(where) or "1"
        columns = _light_columns() if light else "*"
        with self._lock:
            count = self._query(f"SELECT COUNT(*) AS n FROM jobs WHERE {clause}", args)[0]["n"]
            order = "DESC" if descending else "ASC"
            rows = self._query(
                f"SELECT {columns} FROM jobs WHERE {clause} ORDER BY seq {order} LIMIT ? OFFSET ?",
                [*args, limit, offset],
            )
        return [decode_row(r) for r in rows], count  # type: ignore[misc]

    def jobs_with_status(
        self, statuses: Iterable[str], session_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Jobs in the given statuses (optionally of one session), oldest first."""
        where, args = _status_filter(statuses, session_id)
        rows = self._query(f"SELECT * FROM jobs WHERE {where} ORDER BY seq", args)
        return [decode_row(r) for r in rows]  # type: ignore[misc]

    def count_jobs(self, statuses: Iterable[str], session_id: str | None = None) -> int:
        """How many jobs are in the given statuses (optionally of one session)."""
        where, args = _status_filter(statuses, session_id)
        return int(self._query(f"SELECT COUNT(*) AS n FROM jobs WHERE {where}", args)[0]["n"])

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
            self._forget(job_id)
            return body


def _status_filter(statuses: Iterable[str], session_id: str | None) -> tuple[str, list[Any]]:
    """``status IN (...)`` (and the session) as SQL with its arguments."""
    args: list[Any] = list(statuses)
    where = f"status IN ({', '.join('?' * len(args))})"
    if session_id is not None:
        where += " AND session_id = ?"
        args.append(session_id)
    return where, args
