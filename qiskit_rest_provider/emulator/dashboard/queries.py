"""Read-only queries of the emulator's store that only the dashboard needs."""

from __future__ import annotations

from typing import Any

from ..store import Store

__all__ = ["queue_length", "list_sessions", "session_usage"]


def queue_length(store: Store, backend: str) -> int:
    """Jobs queued or running on ``backend``."""
    rows = store.select(
        "SELECT COUNT(*) AS n FROM jobs WHERE backend = ? AND status IN ('Queued', 'Running')",
        [backend],
    )
    return int(rows[0]["n"])


def list_sessions(
    store: Store, instance: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of an instance's sessions, newest first, and their total count."""
    count = store.select("SELECT COUNT(*) AS n FROM sessions WHERE instance = ?", [instance])
    rows = store.select(
        "SELECT * FROM sessions WHERE instance = ? ORDER BY created_ts DESC LIMIT ? OFFSET ?",
        [instance, limit, offset],
    )
    return rows, int(count[0]["n"])


def session_usage(store: Store, session_id: str) -> dict[str, Any]:
    """How many jobs a session ran and their total run time."""
    row = store.select(
        "SELECT COUNT(*) AS n, COALESCE(SUM(run_seconds), 0) AS s FROM jobs WHERE session_id = ?",
        [session_id],
    )[0]
    return {"jobs": int(row["n"]), "usage_seconds": round(float(row["s"]), 3)}
