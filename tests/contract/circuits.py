"""Circuits shared by the contract tests."""

import math

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.random import random_circuit
from qiskit.providers.fake_provider import GenericBackendV2

A, B = Parameter("a"), Parameter("b")


def bell(measure=False):
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


def rand(num_qubits=5, depth=3, seed=42, measure=False):
    qc = random_circuit(num_qubits, depth=depth, seed=seed)
    if measure:
        qc.measure_all()
    return qc


def two_params(measure=False):
    qc = QuantumCircuit(2)
    qc.ry(A, 0)
    qc.cx(0, 1)
    qc.rz(B, 1)
    qc.ry(B, 1)
    if measure:
        qc.measure_all()
    return qc


def vector_params(measure=False):
    """ParameterVector of 12 plus unicode names: scrambles order if bound by sorted names."""
    x = ParameterVector("x", 12)
    qc = QuantumCircuit(3)
    for i, p in enumerate(x):
        qc.ry(p * (i + 1) / 7, i % 3)
        if i % 3 == 2:
            qc.cx(0, 1)
            qc.cx(1, 2)
    qc.rx(Parameter("θ"), 0)
    qc.rz(Parameter("φ"), 2)
    qc.ry(Parameter("a_b"), 1)
    if measure:
        qc.measure_all()
    return qc


def tiny_angle(delta):
    """<X> = sin(delta): exposes any angle rounding on the wire."""
    qc = QuantumCircuit(1)
    qc.ry(math.pi / 4 + delta, 0)
    qc.ry(-math.pi / 4, 0)
    return qc


def transpiled_with_idle_qubits(measure=False):
    """An ISA circuit whose layout leaves most of the 6 device qubits idle."""
    backend = GenericBackendV2(6, seed=5)
    return transpile(bell(measure), backend, initial_layout=[4, 1], seed_transpiler=3)


def awkward_registers():
    """Several registers, with names that are QASM keywords or not identifiers."""
    qc = QuantumCircuit(
        QuantumRegister(3, "q"),
        ClassicalRegister(1, "z"),
        ClassicalRegister(2, "if"),
        ClassicalRegister(1, "meas-1"),
        metadata={"experiment": "registers"},
    )
    qc.x(0)
    qc.h(1)
    qc.cx(1, 2)
    qc.measure(0, qc.cregs[0][0])
    qc.measure([1, 2], qc.cregs[1])
    qc.measure(2, qc.cregs[2][0])
    return qc
