"""Qubits that never interact: sampled from their own 2x2 density matrix, not by Aer.

The client-side primitives send templates as wide as the device (the estimator measures every
qubit, each dressed with twirling gates); only a few qubits are entangled. A *lone* qubit (only
single-qubit gates, then one final measurement, no classical control anywhere in the circuit)
is independent of the rest, so its shots are drawn from its own noisy density matrix: each gate
applies its unitary and then the device's gate error as a depolarizing channel, and the readout
error flips the outcome. Aer then simulates only the
entangled part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_UNITARY_SKIP = ("barrier", "delay", "id")


def split(circuit: Any) -> tuple[list[int], dict[int, int]] | None:
    """``(entangled qubits, {lone qubit: its clbit})``, or ``None`` when no split is safe."""
    multi: set[int] = set()
    ops: dict[int, list[str]] = {}
    for inst in circuit.data:
        op = inst.operation
        if op.name == "barrier":
            continue
        if getattr(op, "condition", None) is not None or op.name in (
            "if_else",
            "while_loop",
            "for_loop",
            "switch_case",
            "box",
        ):
            return None
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if len(qubits) > 1:
            multi.update(qubits)
        for q in qubits:
            ops.setdefault(q, []).append(op.name)
    lone: dict[int, int] = {}
    clbit_of: dict[int, int] = {}
    for inst in circuit.data:
        if inst.operation.name == "measure":
            clbit_of[circuit.find_bit(inst.qubits[0]).index] = circuit.find_bit(
                inst.clbits[0]
            ).index
    for q, names in ops.items():
        if q in multi or names.count("measure") != 1 or names[-1] != "measure":
            continue
        if any(n == "reset" for n in names):
            continue
        lone[q] = clbit_of[q]
    written = list(lone.values())
    if len(set(written)) != len(written):
        return None  # two measurements into one clbit: keep program order in Aer
    entangled = sorted(q for q in ops if q not in lone)
    return entangled, lone


class LoneSampler:
    """Samples lone qubits of one backend.

    Each gate's error is the device's depolarizing share of it: ``ρ → (1-λ)ρ + λ I/2`` with
    ``λ = 2·error`` (a single-qubit gate's average infidelity is ``λ/2``), errors from the
    backend's ``Target``; readout error as calibrated.
    """

    def __init__(self, backend: Any, noisy: bool, with_readout: bool) -> None:
        self.target = backend.target if noisy else None
        self.readout = backend.readout_errors() if noisy and with_readout else None

    def _strength(self, qubit: int, name: str) -> float:
        if self.target is None or name not in self.target.operation_names:
            return 0.0
        props = self.target[name].get((qubit,))
        return 0.0 if props is None or props.error is None else min(1.0, 2 * props.error)

    def probabilities(self, circuit: Any, lone: dict[int, int]) -> dict[int, float]:
        """``P(measured 1)`` of each lone qubit of a bound circuit (readout error included)."""
        states = {q: np.array([[1, 0], [0, 0]], dtype=complex) for q in lone}
        half = np.eye(2) / 2
        for inst in circuit.data:
            op = inst.operation
            if len(inst.qubits) != 1 or op.name in _UNITARY_SKIP or op.name == "measure":
                continue
            q = circuit.find_bit(inst.qubits[0]).index
            if q not in states:
                continue
            u = op.to_matrix()
            rho = u @ states[q] @ u.conj().T
            strength = self._strength(q, op.name)
            states[q] = (1 - strength) * rho + strength * half if strength else rho
        out = {}
        for q, rho in states.items():
            p1 = float(np.clip(rho[1, 1].real, 0.0, 1.0))
            if self.readout is not None:
                p10, p01 = self.readout[q]
                p1 = p1 * (1 - p01) + (1 - p1) * p10
            out[q] = p1
        return out


def without(circuit: Any, keep: list[int]) -> Any:
    """``circuit`` on the ``keep`` qubits only (same bits, registers; barriers trimmed)."""
    from qiskit import QuantumCircuit

    kept = {circuit.qubits[i] for i in keep}
    out = QuantumCircuit([circuit.qubits[i] for i in keep], circuit.clbits, *circuit.cregs)
    out.global_phase = circuit.global_phase
    for inst in circuit.data:
        qargs = [q for q in inst.qubits if q in kept]
        if inst.operation.name == "barrier":
            if qargs:
                out.barrier(*qargs)
        elif len(qargs) == len(inst.qubits):
            out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
    return out
