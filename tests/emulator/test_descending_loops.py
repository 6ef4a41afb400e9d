"""A descending ``for`` range runs on the emulator as Qiskit Aer runs the same circuit."""

from __future__ import annotations

import math

import pytest
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator

from qiskit_rest_provider import RuntimeService, SamplerV2


def _body_without_variable() -> QuantumCircuit:
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(range(4, -1, -2)):  # 4, 2, 0: three x, so the bit ends up 1
        qc.x(0)
    qc.measure(0, 0)
    return qc


def _body_with_variable() -> QuantumCircuit:
    # 3, 1, -1: rx(3 pi) in all, so the bit ends up 1; one iteration more, at -3, gives rx(0).
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(range(3, -2, -2)) as i:
        qc.rx(math.pi * i, 0)
    qc.measure(0, 0)
    return qc


@pytest.mark.parametrize(
    ("build", "expected"),
    [(_body_without_variable, {"1": 16}), (_body_with_variable, {"1": 16})],
    ids=["our-writer", "exporter"],
)
def test_the_emulator_runs_a_descending_loop_as_aer_does(emulator, build, expected):
    qc = build()
    aer = AerSimulator(seed_simulator=1).run(qc, shots=16).result().get_counts()
    service = RuntimeService(token="k", url=emulator.url, instance="crn:descending-loops")
    sampler = SamplerV2(mode=service.backend("ibmq_qasm_simulator"))
    ours = sampler.run([qc], shots=16).result()[0].data.c.get_counts()
    assert ours == aer == expected
