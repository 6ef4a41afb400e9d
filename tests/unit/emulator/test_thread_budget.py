"""Worker processes share the cores: each simulator gets cores // workers threads."""

from __future__ import annotations

import os

import pytest

from qiskit_rest_provider.emulator.engine import methods


@pytest.fixture(autouse=True)
def _restore_budget():
    yield
    methods.set_thread_budget(0)


def test_aer_simulators_use_the_budget():
    assert methods.aer_simulator("statevector").options.max_parallel_threads == 0
    methods.set_thread_budget(3)
    simulator = methods.aer_simulator("quantum_info")
    assert simulator.options.method == "statevector"
    assert simulator.options.max_parallel_threads == 3
    methods.set_thread_budget(-2)
    assert methods.aer_simulator("density_matrix").options.max_parallel_threads == 0


@pytest.mark.parametrize(("workers", "expected"), [(1, 0), (2, None), (8, None)])
def test_the_runner_splits_the_cores_between_workers(workers, expected):
    from qiskit_rest_provider.emulator.config import EmulatorConfig
    from qiskit_rest_provider.emulator.devices import default_backends
    from qiskit_rest_provider.emulator.faults import FaultInjector
    from qiskit_rest_provider.emulator.runner import Runner
    from qiskit_rest_provider.emulator.store import Store

    store = Store(None)
    runner = Runner(store, default_backends(), EmulatorConfig(workers=workers), FaultInjector())
    try:
        runner.start()
        threads = [slot.threads for slot in runner._slots]
        assert len(threads) == workers
        want = max(1, (os.cpu_count() or 1) // workers) if expected is None else expected
        assert threads == [want] * workers
    finally:
        runner.stop()
        store.close()
