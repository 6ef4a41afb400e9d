"""A descending ``for`` range runs on the emulator as many times as Python's range says."""

from __future__ import annotations

from qiskit import QuantumCircuit

from qiskit_rest_provider import RuntimeService, SamplerV2


def test_the_emulator_runs_a_descending_loop_as_python_counts_it(emulator):
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(range(4, -1, -2)):  # 4, 2, 0: three x, so the bit ends up 1
        qc.x(0)
    qc.measure(0, 0)
    service = RuntimeService(token="k", url=emulator.url, instance="crn:descending-loops")
    sampler = SamplerV2(mode=service.backend("ibmq_qasm_simulator"))
    assert sampler.run([qc], shots=16).result()[0].data.c.get_counts() == {"1": 16}
