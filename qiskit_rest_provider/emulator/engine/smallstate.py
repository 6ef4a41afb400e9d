"""Exact Pauli expectation values of a small unitary circuit, with plain numpy.

``quantum_info.Statevector(circuit)`` turns the circuit into an instruction and evolves it
through Qiskit's operator machinery; for the few-qubit circuits of a typical estimator PUB
that machinery, not the arithmetic, is the cost (a quarter of a Bell job's run in the
worker). Here each gate's matrix is applied to the amplitudes directly and each Pauli term is
one masked inner product. Anything that is not a plain gate (or barrier/delay) answers
``None`` and the caller keeps ``Statevector``.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Gate

__all__ = ["small_expectations"]

_SKIPPED = frozenset({"barrier", "delay"})


def _evolve(circuit: QuantumCircuit) -> np.ndarray | None:
    """The final state's amplitudes (index bit ``q`` = qubit ``q``), or ``None``."""
    n = circuit.num_qubits
    psi = np.zeros(2**n, dtype=complex)
    psi[0] = 1.0
    psi = psi.reshape((2,) * n)  # axis k holds qubit n - 1 - k
    for inst in circuit.data:
        op = inst.operation
        if op.name in _SKIPPED:
            continue
        if not isinstance(op, Gate) or inst.clbits:
            return None
        try:
            matrix = np.asarray(op.to_matrix(), dtype=complex)
        except Exception:  # no matrix (opaque or still parametric): Statevector decides
            return None
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        k = len(qubits)
        # A gate's matrix is little-endian in its qubits: row axis j holds qubits[k - 1 - j].
        axes = [n - 1 - q for q in reversed(qubits)]
        psi = np.tensordot(matrix.reshape((2,) * (2 * k)), psi, axes=(list(range(k, 2 * k)), axes))
        psi = np.moveaxis(psi, list(range(k)), axes)
    return np.asarray(psi).reshape(-1)


def small_expectations(circuit: QuantumCircuit, labels: list[str]) -> np.ndarray | None:
    """``<P>`` for each label (over ``circuit``'s qubits, highest first), or ``None``.

    ``None`` when the circuit holds anything but gates with a matrix (and barriers/delays).
    """
    state = _evolve(circuit)
    if state is None:
        return None
    n = circuit.num_qubits
    index = np.arange(2**n)
    out = np.empty(len(labels))
    for t, label in enumerate(labels):
        flip = phase_mask = ys = 0
        for q in range(n):
            char = label[n - 1 - q]
            if char in "XY":
                flip |= 1 << q
            if char in "ZY":
                phase_mask |= 1 << q
            ys += char == "Y"
        # P|i> = i^ys (-1)^popcount(i & phase_mask) |i ^ flip>   (Y|b> = i (-1)^b |1 - b>)
        signs = 1.0 - 2.0 * (np.bitwise_count(index & phase_mask) & 1)
        value = np.vdot(state[index ^ flip], signs * state) * (1j**ys)
        out[t] = float(np.real(value))
    return out
