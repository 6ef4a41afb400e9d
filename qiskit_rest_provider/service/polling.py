"""How often a waiting job asks the service for its status."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..http.unreachable import is_loopback

__all__ = ["PollPolicy", "poll_policy_for", "is_loopback", "REMOTE_POLICY", "REMOTE_FLOOR"]


@dataclass(frozen=True)
class PollPolicy:
    """How often a waiting job asks for its status.

    This default schedule is for a server on this machine (the emulator); against any other
    host :func:`poll_policy_for` floors it at 100 ms and defaults to :data:`REMOTE_POLICY`.

    A job this client just submitted is first polled ``first_poll`` seconds after the submit
    answered: a poll at once can only see it Queued, so it would cost a request (and server
    time the job needs) for nothing. Then a few quick polls catch small jobs: with the default
    ``warmup`` the polls fall 1, 2, 4 ... 256 ms after the submit (9 polls in the first half
    second where polling at once then 1, 2, 4 ... ms apart made 10). From ``initial`` on the
    interval grows by ``factor`` up to ``max_interval``. A status string nobody knows is
    tolerated for ``unknown_status_limit`` seconds, then the wait fails instead of hanging.

    On this machine ``result()`` reads the result itself at once and then at the warm-up
    polls (``job_result.py``): the emulator holds such a read until the job ends.
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

    def with_floor(self, floor: float) -> PollPolicy:
        """The same schedule with no interval shorter than ``floor`` seconds."""
        return replace(
            self,
            first_poll=max(self.first_poll, floor),
            warmup=tuple(max(delay, floor) for delay in self.warmup),
            initial=max(self.initial, floor),
            max_interval=max(self.max_interval, floor),
        )


#: IBM asks clients not to poll faster than every 100 ms (and to default to 0.5-1 s).
REMOTE_FLOOR = 0.1
#: The schedule against a real service: first poll 0.5 s after the submit, then every 0.5,
#: 0.75 and 1 s.
REMOTE_POLICY = PollPolicy(first_poll=0.5, warmup=(), initial=0.5, factor=1.5, max_interval=1.0)


def poll_policy_for(url: str, poll: PollPolicy | None = None) -> PollPolicy:
    """The schedule for a service at ``url``.

    The fast warm-up (1 ms, doubling) is for servers on this machine, such as the emulator;
    against any other host a caller's policy is floored at :data:`REMOTE_FLOOR` and the
    default is :data:`REMOTE_POLICY`.
    """
    if is_loopback(url):
        return poll or PollPolicy()
    return REMOTE_POLICY if poll is None else poll.with_floor(REMOTE_FLOOR)
