"""What the estimator derives from a parsed circuit before any binding, kept per circuit.

Parsed circuits are shared (``qasm.parse`` caches them by text), so what the estimator
derives from one (active qubits, the reduced circuit without its final measurements, its
binder and, without parameters, its compiled gates) is kept too: rebuilding it was a third of
a small job's run in the worker. Simulation results are never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from qiskit import QuantumCircuit

from .circuits import Binder, active_qubits, restrict, split_final_measurements
from .lru import keep, lookup
from .methods import SMALL_QUBITS
from .smallstate import compile_gates

__all__ = ["_Prepared", "_prepared", "_PREPARED", "_PREPARED_SIZE", "_PREPARED_MAX_OPS"]


@dataclass(frozen=True)
class _Prepared:
    """What a parsed circuit gives every job that estimates it (see :func:`_prepared`)."""

    circuit: QuantumCircuit  # held so that its id is not reused while the entry lives
    active: list[int]
    dynamic: bool = False
    binder: Binder | None = None
    #: ``smallstate.compile_gates`` of the reduced circuit, if it has no parameters.
    steps: list[Any] | None = None


_PREPARED: OrderedDict[tuple[Any, ...], _Prepared] = OrderedDict()
_PREPARED_SIZE = 64
#: Bigger circuits are prepared anew each time: their run dwarfs the preparation, and keeping
#: copies of them would grow the worker towards its address-space cap.
_PREPARED_MAX_OPS = 4096
_prepared_lock = threading.Lock()


def _prepared(
    circuit: QuantumCircuit, active: list[int] | None, names: tuple[str, ...]
) -> _Prepared:
    """The circuit's active qubits (``active`` None), or its reduction to ``active``."""
    key = (id(circuit), None if active is None else tuple(active), names)
    found = lookup(_PREPARED, _prepared_lock, key, lambda entry: entry.circuit is circuit)
    if found is not None:
        return found
    if active is None:
        entry = _Prepared(circuit, active_qubits(circuit))
    else:
        reduced = restrict(circuit, active)
        dynamic = split_final_measurements(reduced) is None
        if not dynamic:
            reduced = reduced.remove_final_measurements(inplace=False)
        binder = Binder(reduced, names)
        steps = None
        if not dynamic and not binder.parametric and len(active) <= SMALL_QUBITS:
            steps = compile_gates(reduced)
        entry = _Prepared(circuit, list(active), dynamic, binder, steps)
    if len(circuit.data) > _PREPARED_MAX_OPS:
        return entry
    keep(_PREPARED, _prepared_lock, key, entry, _PREPARED_SIZE)
    return entry
