"""How often a waiting job asks the service for its status."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["PollPolicy"]


@dataclass(frozen=True)
class PollPolicy:
    """How often a waiting job asks for its status.

    A job this client just submitted is first polled ``first_poll`` seconds after the submit
    answered: a poll at once can only see it Queued, so it would cost a request (and server
    time the job needs) for nothing. Then a few quick polls catch small jobs: with the default
    ``warmup`` the polls fall 1, 2, 4 ... 256 ms after the submit (9 polls in the first half
    second where polling at once then 1, 2, 4 ... ms apart made 10). From ``initial`` on the
    interval grows by ``factor`` up to ``max_interval``. A status string nobody knows is
    tolerated for ``unknown_status_limit`` seconds, then the wait fails instead of hanging.
    """

    first_poll: float = 0.001
    warmup: tuple[float, ...] = (0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.25)
    initial: float = 0.5
    factor: float = 1.5
    max_interval: float = 5.0
    unknown_status_limit: float = 300.0

    def delays(self) -> Iterator[float]:
        """Seconds to sleep before each successive poll."""
        yield from self.warmup
        delay = self.initial
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_interval)
