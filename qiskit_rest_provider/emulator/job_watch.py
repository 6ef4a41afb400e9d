"""Wake-ups for requests that wait on a job: the store reports every write of a job's row.

A result read of a job that is still Queued or Running waits for the job a little (see
``routes/jobs.py``) instead of answering ``204`` at once: a small job ends within a
millisecond or two of its submit, so a client that asks for the result right after the submit
answer gets it in one request, with no poll and no sleep. The runner's threads write the
job's outcome; :meth:`JobWatch.changed` (called by the store under its lock for every write
of a job) wakes the waiting request on its event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

__all__ = ["JobWatch"]


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class JobWatch:
    """Futures waiting for the next write of a job's row, keyed by job id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}

    def changed(self, job_id: str) -> None:
        """Wakes every request waiting on ``job_id`` (safe from any thread)."""
        if not self._waiting:  # the common case: nobody waits; no lock taken
            return
        with self._lock:
            futures = self._waiting.pop(job_id, None)
        for future in futures or ():
            # A loop closed by a stopping server has nobody left to answer.
            with contextlib.suppress(RuntimeError):
                future.get_loop().call_soon_threadsafe(_wake, future)

    def waiting(self) -> int:
        """How many requests wait now (all jobs)."""
        with self._lock:
            return sum(len(futures) for futures in self._waiting.values())

    @contextlib.contextmanager
    def watch(self, job_id: str) -> Iterator[asyncio.Future[None]]:
        """A future done at the next write of ``job_id``, registered before the caller looks.

        Register first, then read the job: a write that lands between the read and the wait
        still wakes the future, so no outcome is missed. The registration ends with the block.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiting.setdefault(job_id, []).append(future)
        try:
            yield future
        finally:
            with self._lock:
                futures = self._waiting.get(job_id)
                if futures is not None and future in futures:
                    futures.remove(future)
                    if not futures:
                        del self._waiting[job_id]
