"""Rewrite what Qiskit's OpenQASM 3 exporter refuses into what it writes, changing nothing else.

``qasm3.dumps`` refuses instructions that are not gates (``qc.append(real_amplitudes(2), ...)``
turns a circuit into an ``Instruction``; ``Initialize``, ``Isometry``), gates whose definitions
contain such instructions (``DiagonalGate``, ``UCRYGate``), gates with non-real parameters
(``StatePreparation``'s complex amplitudes are written as ``(0.6+0j)``) and writes a zero-qubit
``GlobalPhaseGate`` in a form no parser reads. Each of these is replaced by its definition,
recursively (also inside control-flow blocks); a global phase is dropped from the wire (it cannot
change a probability or an expectation value, and a controlled phase is written by the gate that
controls it). Everything else is kept as it is: a circuit that needs nothing (any ISA circuit)
is returned unchanged, never re-decomposed.
"""

from __future__ import annotations

import functools
from numbers import Real
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, ForLoopOp, Gate, ParameterExpression

from ..exceptions import EncodeError

__all__ = ["exporter_ranges", "unroll", "needs_unroll"]

# Non-gate instructions OpenQASM 3 has a statement for.
_NATIVE = frozenset({"measure", "reset", "barrier", "delay", "store"})
_MAX_DEPTH = 64  # definitions nest this deep at most (a cycle would otherwise never end)


def _real_params(op: Any) -> bool:
    return all(
        isinstance(p, ParameterExpression) or (isinstance(p, Real) and not isinstance(p, bool))
        for p in op.params
    )


@functools.lru_cache(maxsize=1)
def _plain_names() -> frozenset[str]:
    """Names that never need unrolling: Qiskit's standard gates and OpenQASM 3 statements."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    return frozenset(set(get_standard_gate_name_mapping()) - {"global_phase"}) | _NATIVE


class _Scan:
    """Decides, once per operation object, whether it must be replaced by its definition."""

    def __init__(self) -> None:
        self._seen: dict[int, bool] = {}

    def circuit(self, circuit: QuantumCircuit, depth: int = 0) -> bool:
        # count_ops is ~30x faster than visiting each instruction: an ISA circuit of 150,000
        # instructions is cleared in 10 ms.
        if _plain_names().issuperset(circuit.count_ops()):
            return False
        return any(self.instruction(inst, depth) for inst in circuit.data)

    def instruction(self, inst: Any, depth: int) -> bool:
        if inst.is_standard_gate():
            return bool(inst.name == "global_phase")
        op = inst.operation
        if isinstance(op, ControlFlowOp):
            return any(self.circuit(block, depth) for block in op.blocks)
        if op.name in _NATIVE and not isinstance(op, Gate):
            return False
        key = id(op)
        if key not in self._seen:
            self._seen[key] = self._operation(op, depth)
        return self._seen[key]

    def _operation(self, op: Any, depth: int) -> bool:
        if not isinstance(op, Gate) or not _real_params(op) or op.num_qubits == 0:
            return True
        definition = op.definition
        if definition is None or depth >= _MAX_DEPTH:
            return False  # the exporter names it if it cannot write it
        return self.circuit(definition, depth + 1)


def needs_unroll(circuit: QuantumCircuit) -> bool:
    """Whether :func:`unroll` would change ``circuit``."""
    return _Scan().circuit(circuit)


def unroll(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with every instruction the exporter refuses replaced by its definition.

    Returns ``circuit`` itself when nothing needs replacing.

    Raises:
        EncodeError: An instruction has no definition and no OpenQASM 3 form; the message names
            it and the fix.
    """
    scan = _Scan()
    if not scan.circuit(circuit):
        return circuit
    return _rebuild(circuit, scan, 0)


def _rebuild(circuit: QuantumCircuit, scan: _Scan, depth: int) -> QuantumCircuit:
    if depth > _MAX_DEPTH:
        raise EncodeError(
            f"Circuit '{circuit.name}' nests instruction definitions more than {_MAX_DEPTH} deep. "
            "Decompose it first (circuit.decompose(reps=...))."
        )
    out = circuit.copy_empty_like()
    for inst in circuit.data:
        if not scan.instruction(inst, depth):
            out._append(inst)  # noqa: SLF001 - the checked append would revalidate every bit
            continue
        op = inst.operation
        if isinstance(op, ControlFlowOp):
            blocks = [_rebuild(block, scan, depth) for block in op.blocks]
            out._append(inst.replace(operation=op.replace_blocks(blocks)))  # noqa: SLF001
            continue
        if op.name == "global_phase" and op.num_qubits == 0:
            out.global_phase += op.params[0]
            continue
        definition = op.definition
        if definition is None:
            raise EncodeError(
                f"Instruction '{op.name}' in circuit '{circuit.name}' has no definition and no "
                "OpenQASM 3 form. Transpile the circuit for the backend first "
                "(generate_preset_pass_manager(backend=backend).run(circuit))."
            )
        inner = _rebuild(definition, scan, depth + 1)
        out.compose(inner, qubits=inst.qubits, clbits=inst.clbits, inplace=True, copy=False)
    return out


def exporter_ranges(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with each descending ``for`` range in the form the exporter writes right.

    ``qasm3.dumps`` writes ``range(start, stop, step)`` as ``[start:step:stop - 1]``, and an
    OpenQASM range includes its end: right for an ascending range, one iteration too many for a
    descending one (``range(4, -1, -2)``, 4, 2, 0, became ``[4:-2:-2]``, 4, 2, 0, -2). Such a
    range is replaced by ``range(start, last + 1, step)``, which the exporter writes as
    ``[start:step:last]``; that object only feeds the exporter. Returns ``circuit`` itself when
    it has no descending range.
    """
    if not any(isinstance(inst.operation, ControlFlowOp) for inst in circuit.data):
        return circuit
    out = circuit.copy_empty_like()
    changed = False
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, ControlFlowOp):
            blocks = [exporter_ranges(block) for block in op.blocks]
            fixed = op
            if any(new is not old for new, old in zip(blocks, op.blocks)):
                fixed = op.replace_blocks(blocks)
            if isinstance(fixed, ForLoopOp):
                indexset, parameter, body = fixed.params
                if isinstance(indexset, range) and indexset.step < 0 and len(indexset):
                    wire = range(indexset.start, indexset[-1] + 1, indexset.step)
                    fixed = ForLoopOp(wire, parameter, body, label=fixed.label)
            if fixed is not op:
                changed = True
                inst = inst.replace(operation=fixed)
        out._append(inst)  # noqa: SLF001 - the checked append would revalidate every bit
    return out if changed else circuit
