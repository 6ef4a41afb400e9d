"""When to retry a request, and how long to wait (exponential back-off with full jitter)."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RetryPolicy", "RETRY_STATUSES", "NO_RETRY"]

# IBM's forcelist (qiskit-ibm-runtime PostForcelistRetry) plus 429.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: by count and by total time.

    Attributes:
        max_attempts: Attempts in total, including the first.
        backoff: Base delay in seconds; attempt ``n`` waits up to ``backoff * 2**n``.
        max_backoff: Cap of a single wait.
        max_total: Give up once this many seconds have been spent waiting.
    """

    max_attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_total: float = 60.0

    def should_retry(
        self, method: str, *, status: int | None = None, sent: bool = True, idempotent: bool = False
    ) -> bool:
        """Decide whether one failed attempt may be repeated.

        Args:
            method: HTTP method.
            status: Response status, or ``None`` when there was no response.
            sent: Whether the request may have reached the server (``False`` for connect errors).
            idempotent: The caller guarantees repeating the request is harmless.
        """
        safe = idempotent or method.upper() in _IDEMPOTENT
        if status is None:
            return safe or not sent
        if status == 429:
            return True  # the server refused the request, so nothing happened
        return status in RETRY_STATUSES and safe

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None:
            return min(retry_after, self.max_total)
        return random.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))


NO_RETRY = RetryPolicy(max_attempts=1)
