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

__all__ = ["small_expectations", "compile_gates", "evolve", "compile_unitary", "Program"]

_SKIPPED = frozenset({"barrier", "delay"})


#: One gate as ``np.tensordot`` contracts it: the matrix as its 2-D operand, the state's
#: transpose and 2-D shape, the product's shape, then ``np.moveaxis``'s transpose.
_Contraction = tuple[np.ndarray, list[int], tuple[int, int], list[int], list[int]]


def compile_gates(circuit: QuantumCircuit) -> list[_Contraction] | None:
    """The steps :func:`evolve` takes for ``circuit``, or ``None`` for anything not a gate.

    The steps are those ``np.tensordot(matrix, psi, axes)`` and ``np.moveaxis`` take, with
    everything that depends only on the circuit worked out here, once: the amplitudes come
    out the same to the last bit, and a circuit without parameters is compiled once per
    preparation (``estimator._prepared``) instead of once per job.
    """
    n = circuit.num_qubits
    steps: list[_Contraction] = []
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
        # np.tensordot(matrix.reshape((2,) * 2k), psi, axes=(range(k, 2k), axes)):
        operand = matrix.reshape((2,) * (2 * k)).transpose(list(range(2 * k)))
        operand = operand.reshape((2**k, 2**k))
        state_axes = axes + [a for a in range(n) if a not in axes]
        # np.moveaxis(product, range(k), axes):
        order = [a for a in range(n) if a not in range(k)]
        for dest, src in sorted(zip(axes, range(k))):
            order.insert(dest, src)
        steps.append((operand, state_axes, (2**k, 2 ** (n - k)), [2] * n, order))
    return steps


def evolve(num_qubits: int, steps: list[_Contraction]) -> np.ndarray:
    """The final state's amplitudes (index bit ``q`` = qubit ``q``) after ``steps``."""
    psi: np.ndarray = np.zeros(2**num_qubits, dtype=complex)
    psi[0] = 1.0
    psi = psi.reshape((2,) * num_qubits)  # axis k holds qubit n - 1 - k
    for operand, state_axes, state_shape, product_shape, order in steps:
        product = np.dot(operand, psi.transpose(state_axes).reshape(state_shape))
        psi = product.reshape(product_shape).transpose(order)
    return np.asarray(psi).reshape(-1)


#: Per (qubits, label): the gather index, signs and phase of its term (small widths only).
_TERMS: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, complex]] = {}
_TERMS_MAX = 512
_TERMS_MAX_QUBITS = 8


def _term(n: int, label: str) -> tuple[np.ndarray, np.ndarray, complex]:
    found = _TERMS.get((n, label)) if n <= _TERMS_MAX_QUBITS else None
    if found is not None:
        return found
    index = np.arange(2**n)
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
    term = (index ^ flip, signs, 1j**ys)
    if n <= _TERMS_MAX_QUBITS:
        if len(_TERMS) >= _TERMS_MAX:
            _TERMS.clear()
        _TERMS[(n, label)] = term
    return term


def small_expectations(
    circuit: QuantumCircuit, labels: list[str], steps: list[_Contraction] | None = None
) -> np.ndarray | None:
    """``<P>`` for each label (over ``circuit``'s qubits, highest first), or ``None``.

    ``None`` when the circuit holds anything but gates with a matrix (and barriers/delays).
    ``steps``: the circuit's :func:`compile_gates`, when already compiled.
    """
    if steps is None:
        steps = compile_gates(circuit)
        if steps is None:
            return None
    state = evolve(circuit.num_qubits, steps)
    out = np.empty(len(labels))
    for t, label in enumerate(labels):
        gather, signs, phase = _term(circuit.num_qubits, label)
        value = np.vdot(state[gather], signs * state) * phase
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
        # The same operations as Statevector's np.reshape/np.transpose calls, as methods.
        for matrix, axes, axes_inv, contract in self.steps:
            tensor = psi.reshape(tensor_shape).transpose(axes)
            shape = tensor.shape
            tensor = np.dot(matrix, tensor.reshape(contract)).reshape(shape)
            psi = tensor.transpose(axes_inv).reshape(2**n)
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
        clipped: np.ndarray = probs.clip(0, 1)
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
