"""The control-flow statements of :mod:`.qasm_writer`: ``if``/``else``, ``box``, ``for``, ``while``.

Each is written as ``qasm3.dumps`` prints it: the condition of a legacy ``(clbit, bool)`` or
``(register, int)`` test lifted the exporter's way (``c[0]``, ``!c[0]``, ``c == 2``), the body
indented two spaces per level, a range loop as ``for int _ in [start:step:end]`` (end
inclusive, step omitted when 1), no ``else if`` chaining. A body's bits are the instruction's
bits in order, as the exporter maps them. What the exporter would write differently or that
this module does not know (expression conditions, loop variables, annotated or ``expr``
boxes, ``switch``, ``break``...) gives ``None``, and the caller takes the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import BoxOp, Clbit, ForLoopOp, IfElseOp, WhileLoopOp

__all__ = ["DURATION_UNITS", "FLOW", "flow_lines"]

# Instruction names this module writes (the operation's class is checked too).
FLOW = frozenset({"if_else", "box", "for_loop", "while_loop"})
DURATION_UNITS = frozenset({"ns", "us", "ms", "s", "dt"})
_INDENT = "  "

# Writes a body circuit's statements, given the text names of its qubits and clbits.
BodyWriter = Callable[[QuantumCircuit, dict[Any, str], dict[Any, str]], "list[str] | None"]


def _condition(
    condition: Any, clbit_names: Mapping[Any, str], registers: Collection[Any]
) -> str | None:
    """The exporter's text of a legacy condition, or ``None`` for anything else."""
    if not isinstance(condition, tuple):
        return None  # an expr.Expr condition: the exporter's expression printer writes it
    target, value = condition
    if isinstance(target, Clbit):
        # (Qiskit checks that a condition's clbit is in the circuit that holds the test.)
        name = clbit_names[target]
        return name if value else f"!{name}"  # as expr.lift_legacy_condition reads the value
    # A value wider than the register is lifted with a cast; the general path writes that. A
    # register of a hand-built body that the circuit does not declare has no name to write.
    if type(value) is not int or value.bit_length() > target.size or target not in registers:
        return None
    return f"{target.name} == {value}"


def _indexset(indexset: Any) -> str | None:
    if isinstance(indexset, range):
        step = "" if indexset.step == 1 else f"{indexset.step}:"
        # An OpenQASM range includes its end: a descending one ends at its last value (the
        # general path writes the same, see unroll.exporter_ranges).
        end = indexset[-1] if indexset.step < 0 and len(indexset) else indexset.stop - 1
        return f"[{indexset.start}:{step}{end}]"
    if isinstance(indexset, tuple) and all(type(v) is int for v in indexset):
        return "{" + ", ".join([str(value) for value in indexset]) + "}"
    return None


def _header(op: Any, clbit_names: Mapping[Any, str], registers: Collection[Any]) -> str | None:
    """The statement's first line without the opening brace, or ``None``."""
    if isinstance(op, IfElseOp):
        condition = _condition(op.condition, clbit_names, registers)
        return None if condition is None else f"if ({condition})"
    if isinstance(op, WhileLoopOp):
        condition = _condition(op.condition, clbit_names, registers)
        return None if condition is None else f"while ({condition})"
    if isinstance(op, ForLoopOp):
        indexset, loop_parameter, _ = op.params
        text = _indexset(indexset)
        if loop_parameter is not None or text is None:
            return None  # a loop variable is declared and renamed by the exporter
        return f"for int _ in {text}"
    if isinstance(op, BoxOp):
        if op.annotations:
            return None
        if op.duration is None:
            return "box"
        if op.unit not in DURATION_UNITS:  # "expr" (stretches) and "ps" are written otherwise
            return None
        return f"box[{op.duration}{op.unit}]"
    return None


def flow_lines(
    inst: Any,
    qubit_names: Mapping[Any, str],
    clbit_names: Mapping[Any, str],
    registers: Collection[Any],
    write_body: BodyWriter,
) -> list[str] | None:
    """The lines of one control-flow instruction, unindented, or ``None``.

    Args:
        inst: A ``CircuitInstruction`` named in :data:`FLOW`.
        qubit_names: The text name of each qubit of the enclosing scope.
        clbit_names: The text name of each clbit of the enclosing scope.
        registers: The circuit's classical registers (conditions may name only these).
        write_body: Writes a block's statements (the writer itself, for nesting).
    """
    op = inst.operation
    header = _header(op, clbit_names, registers)
    if header is None:
        return None
    lines = [header + " {"]
    for number, block in enumerate(op.blocks):
        if block.num_identifiers:
            return None
        inner_qubits = {
            bit: qubit_names[outer] for bit, outer in zip(block.qubits, inst.qubits, strict=True)
        }
        inner_clbits = {
            bit: clbit_names[outer] for bit, outer in zip(block.clbits, inst.clbits, strict=True)
        }
        body = write_body(block, inner_qubits, inner_clbits)
        if body is None:
            return None
        if number:
            lines.append("} else {")
        lines.extend([_INDENT + line for line in body])
    lines.append("}")
    return lines
