"""Circuits Aer can run: gates it does not know by name replaced by their definitions.

A parsed circuit keeps the gates its text defines (``gate xx_plus_yy(...) ...`` for the standard
gates ``stdgates.inc`` lacks, user gates, unrolled library blocks) as ``Gate`` objects with
definitions. ``Statevector`` follows definitions; Aer refuses a name it does not know
("unknown instruction: xx_plus_yy"). Only such gates are replaced, also inside control flow;
a circuit of known gates (every ISA circuit) is returned as it is.
"""

from __future__ import annotations

import functools

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp

__all__ = ["aer_ready"]

_MAX_DEPTH = 32


@functools.lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    from qiskit_aer import AerSimulator

    names = set(AerSimulator().target.operation_names)
    return frozenset(names | {"barrier", "delay", "measure", "reset", "store"})


def _needs(circuit: QuantumCircuit, known: frozenset[str]) -> bool:
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, ControlFlowOp):
            if any(_needs(block, known) for block in op.blocks):
                return True
        elif op.name not in known:
            return True
    return False


def _rebuild(circuit: QuantumCircuit, known: frozenset[str], depth: int) -> QuantumCircuit:
    out = circuit.copy_empty_like()
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, ControlFlowOp):
            blocks = [_rebuild(block, known, depth) for block in op.blocks]
            out._append(inst.replace(operation=op.replace_blocks(blocks)))  # noqa: SLF001
        elif op.name in known or op.definition is None or depth >= _MAX_DEPTH:
            out._append(inst)  # noqa: SLF001 - Aer names what it cannot run
        else:
            inner = _rebuild(op.definition, known, depth + 1)
            out.compose(inner, qubits=inst.qubits, clbits=inst.clbits, inplace=True, copy=False)
    return out


def aer_ready(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with every gate unknown to Aer replaced by its definition (recursively)."""
    known = _known()
    if not _needs(circuit, known):
        return circuit
    return _rebuild(circuit, known, 0)
