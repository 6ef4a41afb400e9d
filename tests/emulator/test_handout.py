"""The runner's hand-out: jobs in submit order, to the most recently idle worker first."""

from __future__ import annotations

import threading
import time

from qiskit_rest_provider.emulator.handout import Handout


def _waiter(handout: Handout[str], got: dict[str, str], name: str) -> threading.Thread:
    thread = threading.Thread(target=lambda: got.__setitem__(name, handout.get()), daemon=True)
    thread.start()
    return thread


def _wait_for_waiters(handout: Handout[str], count: int) -> None:
    while len(handout._waiters) < count:  # the threads registered themselves
        time.sleep(0.001)


def test_items_come_out_first_in_first_out():
    handout: Handout[str] = Handout()
    for item in ("a", "b", "c"):
        handout.put(item)
    assert handout.qsize() == 3
    assert [handout.get(), handout.get()] == ["a", "b"]
    assert handout.qsize() == 1
    assert handout.get() == "c"
    assert handout.qsize() == 0


def test_the_last_idle_waiter_gets_the_next_item():
    handout: Handout[str] = Handout()
    got: dict[str, str] = {}
    first = _waiter(handout, got, "first")
    _wait_for_waiters(handout, 1)
    second = _waiter(handout, got, "second")
    _wait_for_waiters(handout, 2)
    handout.put("job-1")
    second.join(5)
    assert got == {"second": "job-1"}
    assert handout.qsize() == 0  # handed over, never queued
    handout.put("job-2")
    first.join(5)
    assert got == {"second": "job-1", "first": "job-2"}
    assert handout._waiters == []
