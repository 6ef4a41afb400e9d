"""Circuit surgery the simulators need.

Binding by declared name, dropping idle qubits, and telling "unitary + final measurements"
circuits from dynamic ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit

from .errors import VALIDATION_ERROR, JobExecutionError

__all__ = [
    "Binder",
    "active_qubits",
    "idle_measurements",
    "restrict",
    "FinalMeasurements",
    "split_final_measurements",
]

_IDLE_OPS = frozenset({"barrier", "delay"})
_UNITARY_EXCLUDED = frozenset({"measure", "reset", "store"})


class Binder:
    """Binds value rows whose columns follow the *declared* input order.

    ``qasm3.loads`` sorts parameters by name (``_x_10_`` before ``_x_1_``), so positional
    binding in ``circuit.parameters`` order would be silently wrong; here each declared name
    is matched to the parsed circuit's ``Parameter`` of that name.
    """

    def __init__(self, circuit: QuantumCircuit, names: Sequence[str]) -> None:
        position = {name: i for i, name in enumerate(names)}
        params = list(circuit.parameters)
        missing = [p.name for p in params if p.name not in position]
        if missing:
            raise JobExecutionError(
                f"The circuit uses parameters {missing[:5]} that are not declared as "
                "'input float[64] <name>;'.",
                VALIDATION_ERROR,
            )
        self._circuit = circuit
        # circuit.assign_parameters(sequence) follows circuit.parameters; precompute the gather.
        self._order = np.array([position[p.name] for p in params], dtype=int)

    @property
    def parametric(self) -> bool:
        """Whether any parameter must be bound."""
        return bool(self._order.size)

    def bind(self, row: np.ndarray) -> QuantumCircuit:
        """The circuit with ``row`` (declared order) bound."""
        if not self._order.size:
            return self._circuit
        return self._circuit.assign_parameters(row[self._order], inplace=False)


def idle_measurements(circuit: QuantumCircuit) -> list[tuple[int, int]]:
    """``(qubit, clbit)`` of measurements on qubits nothing else acts on (they read ``|0>``).

    ``measure_all()`` on a transpiled 127-qubit circuit measures every idle device qubit; those
    need no simulation. A clbit some other measurement also writes is excluded, so the
    last-write order of measurements never changes.
    """
    gated: set[int] = set()
    measures: list[tuple[int, int]] = []
    for inst in circuit.data:
        name = inst.operation.name
        if name in _IDLE_OPS:
            continue
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "measure":
            measures.append((qubits[0], circuit.find_bit(inst.clbits[0]).index))
        else:
            gated.update(qubits)
    writers: dict[int, int] = {}
    for _, clbit in measures:
        writers[clbit] = writers.get(clbit, 0) + 1
    candidates = {q for q, _ in measures} - gated
    shared = {q for q, c in measures if q in candidates and writers[c] > 1}
    return [(q, c) for q, c in measures if q in candidates - shared]


def active_qubits(circuit: QuantumCircuit, idle: list[tuple[int, int]] | None = None) -> list[int]:
    """Qubits to simulate, ascending.

    Those some instruction other than barrier/delay acts on, less the ones that are only
    measured (see :func:`idle_measurements`; pass its result as ``idle`` if already known).
    """
    touched: set[int] = set()
    for inst in circuit.data:
        if inst.operation.name in _IDLE_OPS:
            continue
        touched.update(circuit.find_bit(q).index for q in inst.qubits)
    if idle is None:
        idle = idle_measurements(circuit)
    return sorted(touched - {q for q, _ in idle})


def restrict(circuit: QuantumCircuit, keep: Sequence[int]) -> QuantumCircuit:
    """A copy acting on ``keep`` only (in that order); classical bits and registers are kept.

    The same ``Qubit`` objects are reused, so control-flow blocks (which refer to the outer
    circuit's bits) stay valid. Barriers and delays on dropped qubits are trimmed.
    """
    if list(keep) == list(range(circuit.num_qubits)):
        return circuit
    qubits = [circuit.qubits[i] for i in keep]
    kept = set(qubits)
    out = QuantumCircuit(qubits, circuit.clbits, *circuit.cregs, name=circuit.name)
    out.global_phase = circuit.global_phase
    for inst in circuit.data:
        if inst.operation.name in _IDLE_OPS:
            qargs = [q for q in inst.qubits if q in kept]
            if qargs and inst.operation.name == "barrier":
                out.barrier(*qargs)
            continue
        if inst.operation.name == "measure" and inst.qubits[0] not in kept:
            continue  # an idle qubit's measurement: the caller fills in its bit
        out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
    return out


@dataclass(frozen=True)
class FinalMeasurements:
    """A circuit split into its unitary part and the measurements that end it."""

    unitary: QuantumCircuit
    pairs: tuple[tuple[int, int], ...]  # (qubit index, clbit index), in program order


def split_final_measurements(circuit: QuantumCircuit) -> FinalMeasurements | None:
    """Split ``circuit`` if it is "unitary gates, then measurements"; else ``None``.

    A measurement is final when nothing but further measurements (or barriers) touches its
    qubit afterwards and no later instruction reads classical bits (control flow, ``store``).
    """
    unitary = circuit.copy_empty_like()
    pairs: list[tuple[int, int]] = []
    measured: set[int] = set()
    for inst in circuit.data:
        name = inst.operation.name
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "measure":
            measured.add(qubits[0])
            pairs.append((qubits[0], circuit.find_bit(inst.clbits[0]).index))
            continue
        if name == "barrier":
            continue
        if (
            name in _UNITARY_EXCLUDED
            or inst.clbits
            or getattr(inst.operation, "condition", None) is not None
            or inst.operation.name in ("if_else", "while_loop", "for_loop", "switch_case", "box")
            or measured.intersection(qubits)
        ):
            return None
        if name == "delay":
            continue
        unitary.append(inst.operation, inst.qubits, inst.clbits, copy=False)
    return FinalMeasurements(unitary, tuple(pairs))
