"""Exact Pauli expectation values of a small unitary circuit, with plain numpy.

``quantum_info.Statevector(circuit)`` turns the circuit into an instruction and evolves it
through Qiskit's operator machinery; for the few-qubit circuits of a typical estimator PUB
that machinery, not the arithmetic, is the cost (a quarter of a Bell job's run in the
worker). Here each gate's matrix is applied to the amplitudes directly and each Pauli term is
one masked inner product. Anything that is not a plain gate (or barrier/delay) answers
``None`` and the caller keeps ``Statevector``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Barrier, Gate, ParameterExpression

__all__ = ["small_expectations", "compile_unitary", "Program"]

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


_Step = tuple[np.ndarray, list[int], list[int], tuple[int, int]]


class Program:
    """A unitary circuit as ``quantum_info.Statevector`` evolves it, with its setup done once.

    The steps are Statevector's own (``_evolve_operator``: each gate's matrix as
    ``Operator`` holds it, the same transposes and the same ``np.dot``), so the amplitudes,
    and the sampler's probabilities, are Statevector's to the last bit; only the conversion
    of the circuit to an instruction and the operator bookkeeping around each step are gone.
    """

    __slots__ = ("num_qubits", "phase", "steps")

    def __init__(self, num_qubits: int, phase: complex | None, steps: list[_Step]) -> None:
        self.num_qubits = num_qubits
        self.phase = phase
        self.steps = steps

    def probabilities(self, qubits: list[int]) -> np.ndarray:
        """``Statevector(circuit).probabilities(qargs=qubits)``."""
        n = self.num_qubits
        psi = np.zeros(2**n, dtype=complex)
        psi[0] = 1.0
        if self.phase is not None:
            psi = psi * self.phase
        tensor_shape = (2,) * n
        for matrix, axes, axes_inv, contract in self.steps:
            tensor = np.transpose(np.reshape(psi, tensor_shape), axes)
            shape = tensor.shape
            tensor = np.reshape(np.dot(matrix, np.reshape(tensor, contract)), shape)
            psi = np.reshape(np.transpose(tensor, axes_inv), 2**n)
        probs = np.abs(psi) ** 2
        if qubits != list(range(n)):  # Statevector._subsystem_probabilities
            tensor = np.reshape(probs, tensor_shape)
            kept = [n - 1 - i for i in reversed(qubits)]
            summed = tuple(i for i in range(n) if i not in kept)
            order: Any = kept
            if summed:
                tensor = np.sum(tensor, axis=summed)
                order = np.argsort(np.argsort(kept))
            tensor = np.transpose(tensor, axes=order)
            probs = np.reshape(tensor, (tensor.size,))
        clipped: np.ndarray = np.clip(probs, a_min=0, a_max=1)
        return clipped


def compile_unitary(circuit: QuantumCircuit) -> Program | None:
    """The :class:`Program` of a circuit of gates (and barriers), else ``None``.

    ``None`` for anything Statevector would not evolve through a gate's ``to_matrix``
    (definitions, classical bits, non-gates): the caller keeps ``Statevector``.
    """
    n = circuit.num_qubits
    steps: list[_Step] = []
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, Barrier):
            continue
        if not isinstance(op, Gate) or inst.clbits:
            return None
        try:
            matrix = np.asarray(op.to_matrix(), dtype=complex)
        except Exception:  # no matrix: Statevector would use the definition
            return None
        qargs = [circuit.find_bit(q).index for q in inst.qubits]
        indices = [n - 1 - i for i in reversed(qargs)]
        axes = indices + [i for i in range(n) if i not in indices]
        contract = matrix.shape[1]
        steps.append((matrix, axes, np.argsort(axes).tolist(), (contract, 2**n // contract)))
    phase = circuit.global_phase
    if isinstance(phase, ParameterExpression):
        return None
    return Program(n, np.exp(1j * float(phase)) if phase else None, steps)
