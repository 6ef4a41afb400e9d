"""Ctrl-C interrupts a ``result()`` wait at once, and the job stays usable afterwards."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.service.job import JobState, PollPolicy

from .conftest import SIM, basis_state, expected_counts, make_service, new_crn

#: Long sleeps between polls: an uninterruptible wait would take up to 5 s to notice Ctrl-C.
SLOW_POLL = PollPolicy(warmup=(), initial=5.0, factor=1.0, max_interval=5.0)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_ctrl_c_interrupts_a_wait_at_once_and_the_job_lives_on(emulator):
    # SIGINT is sent to the main thread itself, exactly as a terminal's Ctrl-C is handled.
    assert threading.current_thread() is threading.main_thread()
    service = make_service(emulator.url, new_crn("ctrl-c"), poll=SLOW_POLL)
    sampler = SamplerV2(mode=service.backend(SIM))
    stuck = emulator.faults.add("job", "stuck", times=1)
    try:
        job = sampler.run([basis_state(3)], shots=16)
        deadline = time.monotonic() + 10
        while job.status() is not JobState.RUNNING:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        sent: list[float] = []

        def ctrl_c() -> None:
            sent.append(time.perf_counter())
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        timer = threading.Timer(0.5, ctrl_c)
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            job.result(timeout=30)
        latency = time.perf_counter() - sent[0]
        timer.join()
        print(f"\nreliability: Ctrl-C ended a result() wait after {1000 * latency:.1f} ms")
        assert latency < 0.5

        assert job.status() is JobState.RUNNING  # the handle still works; the job goes on
        emulator.faults.release()
        while job.status() is JobState.RUNNING:  # poll here: the job's own interval is 5 s
            assert time.monotonic() < deadline + 20
            time.sleep(0.01)
        assert job.result(timeout=30)[0].data.meas.get_counts() == expected_counts(3, 16)
    finally:
        emulator.faults.remove(stuck)
        emulator.faults.release()
