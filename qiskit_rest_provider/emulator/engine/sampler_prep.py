"""What the sampler derives from a parsed circuit before any shot: registers, qubits, binders.

Parsed circuits are shared (``qasm.parse`` caches them by text), so a circuit's preparation
(its registers' clbits, idle measurements, active qubits, the reduced circuit, the final
measurements split off, the binders and, without parameters, the compiled statevector program)
is kept per circuit object and input names, as the estimator keeps its own
(``estimator._prepared``): rebuilding it was half of a Bell sampler job's run in the worker.
Simulation results are never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from qiskit import QuantumCircuit

from ...codec.circuits import declared_registers, read_header
from .circuits import (
    Binder,
    FinalMeasurements,
    active_qubits,
    idle_measurements,
    restrict,
    split_final_measurements,
)
from .errors import JobExecutionError
from .lru import keep, lookup
from .methods import SMALL_QUBITS
from .smallstate import Program, compile_unitary

__all__ = ["register_fields", "SamplerPrepared", "prepared"]


def register_fields(
    qasm: str,
    circuit: QuantumCircuit,
    *,
    declared: list[tuple[str, int]] | None = None,
    header: dict[str, Any] | None = None,
) -> list[tuple[str, list[int]]]:
    """``(declared name, clbit indices)`` per register, in declaration order.

    Names come from the text, not the parser: ``qasm3.loads`` escapes ``_meas_1`` to
    ``esc__meas_1``, yet results must be keyed by the name the client declared. ``declared``
    and ``header`` are the text's, when already read (``PubTask``).
    """
    if declared is None:
        declared = declared_registers(qasm)
    cregs = list(circuit.cregs)
    if len(declared) == len(cregs) and all(s == c.size for (_, s), c in zip(declared, cregs)):
        names = [name for name, _ in declared]
    else:
        names = [c.name.removeprefix("esc__") for c in cregs]
    if header is None:
        header = read_header(qasm)
    fields = [(name, [circuit.find_bit(b).index for b in creg]) for name, creg in zip(names, cregs)]
    if header.get("keyed_by_name") and isinstance(header.get("map"), list):
        return _user_registers(header, fields)
    if header.get("keyed_by_name") and len(header.get("cregs", ())) == len(names):
        names = list(header["cregs"])  # a QPY circuit: its own register names
        fields = [(name, bits) for name, (_, bits) in zip(names, fields)]
    return fields


def _user_registers(
    header: dict[str, Any], wire: list[tuple[str, list[int]]]
) -> list[tuple[str, list[int]]]:
    """A QPY circuit's overlapping registers, rebuilt from the header's register map.

    Its client decodes results by name, so the emulator reports the user's registers itself
    (our client rebuilds them from the wire registers; see ``codec.registers``).
    """
    try:
        return [
            (
                str(name),
                wire[place][1] if isinstance(place, int) else [wire[k][1][i] for k, i in place],
            )
            for name, place in zip(header["cregs"], header["map"], strict=True)
        ]
    except (IndexError, TypeError, ValueError) as exc:
        raise JobExecutionError(f"The circuit's register map is invalid: {exc}") from exc


@dataclass(frozen=True)
class SamplerPrepared:
    """A sampler PUB's circuit, ready to bind and sample (see the module docstring)."""

    circuit: QuantumCircuit  # held so that its id is not reused while the entry lives
    qasm: str
    fields: list[tuple[str, list[int]]]
    idle: list[tuple[int, int]]
    active: list[int]
    reduced: QuantumCircuit
    binder: Binder
    split: FinalMeasurements | None
    unitary_binder: Binder | None
    #: The unitary part compiled for ``quantum_info``-sized circuits without parameters.
    program: Program | None


_CACHE: OrderedDict[tuple[Any, ...], SamplerPrepared] = OrderedDict()
_CACHE_SIZE = 64
#: Bigger circuits are prepared anew each time (as in the estimator's cache).
_MAX_OPS = 4096
_lock = threading.Lock()


def prepared(
    qasm: str,
    circuit: QuantumCircuit,
    names: list[str],
    declared: list[tuple[str, int]],
    header: dict[str, Any],
) -> SamplerPrepared:
    """The preparation of ``circuit`` (parsed from ``qasm``) for inputs ``names``.

    ``declared`` and ``header`` are the text's (``PubTask.registers``, ``PubTask.header``).
    """
    key = (id(circuit), tuple(names))
    found = lookup(_CACHE, _lock, key, lambda hit: hit.circuit is circuit and hit.qasm == qasm)
    if found is not None:
        return found
    fields = register_fields(qasm, circuit, declared=declared, header=header)
    idle = idle_measurements(circuit)
    active = active_qubits(circuit, idle)
    reduced = restrict(circuit, active)
    binder = Binder(reduced, names)
    split = split_final_measurements(reduced)
    unitary_binder = Binder(split.unitary, names) if split is not None else None
    program = None
    if split is not None and unitary_binder is not None and not unitary_binder.parametric:
        if split.unitary.num_qubits <= SMALL_QUBITS:
            program = compile_unitary(split.unitary)
    entry = SamplerPrepared(
        circuit, qasm, fields, idle, active, reduced, binder, split, unitary_binder, program
    )
    if len(circuit.data) > _MAX_OPS:
        return entry
    keep(_CACHE, _lock, key, entry, _CACHE_SIZE)
    return entry
