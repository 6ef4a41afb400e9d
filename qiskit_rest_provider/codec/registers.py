"""Classical registers that share bits (aliases), sent as registers that do not.

Qiskit lets registers overlap (``c`` over clbits 0-1 and ``d`` over clbit 1) and
``StatevectorSampler`` returns one ``BitArray`` per register. OpenQASM 3 can only express
that with ``let`` aliases over loose bits, which Qiskit's own importers (and so most servers)
do not read. So the wire carries disjoint registers instead: as many of the user's registers as
fit without overlapping (first those that control flow reads, which must stay registers), plus
one filler register holding every other clbit of a register. Each remaining register is rebuilt
from its bits' places on the wire when the result is decoded; the place of every user register
travels in the circuit's header comment, so any process can decode the job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.circuit import ControlFlowOp

from ..exceptions import EncodeError

__all__ = ["disjoint_registers", "RegisterMap"]

#: Per user register, in ``circuit.cregs`` order: the index of the wire register that *is* it,
#: or ``[[wire register index, bit index], ...]`` (clbit 0 of the register first).
RegisterMap = list[int | list[list[int]]]

FILLER_NAME = "qrp_bits"


def _overlapping(circuit: QuantumCircuit) -> bool:
    seen: set[Any] = set()
    for creg in circuit.cregs:
        bits = set(creg)
        if seen & bits:
            return True
        seen |= bits
    return False


def _registers_in(value: Any) -> Iterator[ClassicalRegister]:
    if isinstance(value, ClassicalRegister):
        yield value
    elif isinstance(value, tuple) and value:
        yield from _registers_in(value[0])
    elif hasattr(value, "type") and hasattr(value, "accept"):  # an expr node
        from qiskit.circuit.classical import expr

        for var in expr.iter_vars(value):
            if isinstance(var.var, ClassicalRegister):
                yield var.var


def _read_registers(circuit: QuantumCircuit) -> Iterator[ClassicalRegister]:
    """Registers that control flow or ``store`` reads (they must stay registers on the wire)."""
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, ControlFlowOp):
            yield from _registers_in(getattr(op, "condition", None))
            yield from _registers_in(getattr(op, "target", None))
            for block in op.blocks:
                yield from _read_registers(block)
        elif op.name == "store":
            yield from _registers_in(op.rvalue)
            yield from _registers_in(op.lvalue)


def disjoint_registers(circuit: QuantumCircuit) -> tuple[QuantumCircuit, RegisterMap | None]:
    """Return ``(wire circuit, map)``; the circuit itself and ``None`` if no registers overlap.

    Raises:
        EncodeError: Two overlapping registers are both read by control flow.
    """
    if not _overlapping(circuit):
        return circuit, None
    read = set(_read_registers(circuit))
    ordered = [c for c in circuit.cregs if c in read] + [c for c in circuit.cregs if c not in read]
    chosen: list[ClassicalRegister] = []
    taken: set[Any] = set()
    for creg in ordered:
        bits = set(creg)
        if not bits & taken:
            chosen.append(creg)
            taken |= bits
        elif creg in read:
            raise EncodeError(
                f"Circuit '{circuit.name}': control flow reads register '{creg.name}', which "
                "shares clbits with another register control flow reads; OpenQASM 3 servers "
                "cannot express that. Condition on the bits (e.g. expr.logic_and) or on one of "
                "the registers."
            )
    wire_regs = [c for c in circuit.cregs if c in set(chosen)]
    rest = [bit for bit in circuit.clbits if bit not in taken and circuit.find_bit(bit).registers]
    names = {c.name for c in circuit.cregs}
    filler_name = FILLER_NAME
    while filler_name in names:
        filler_name += "_"
    if rest:
        wire_regs.append(ClassicalRegister(name=filler_name, bits=rest))
    place = {bit: (k, i) for k, reg in enumerate(wire_regs) for i, bit in enumerate(reg)}
    mapping: RegisterMap = [
        wire_regs.index(creg) if creg in chosen else [list(place[bit]) for bit in creg]
        for creg in circuit.cregs
    ]
    wire = QuantumCircuit(
        circuit.qubits,
        circuit.clbits,
        *circuit.qregs,
        *wire_regs,
        name=circuit.name,
        global_phase=circuit.global_phase,
        metadata=circuit.metadata,
    )
    for var in circuit.iter_input_vars():
        wire.add_input(var)
    for captured in circuit.iter_captures():
        wire.add_capture(captured)
    for var in circuit.iter_declared_vars():
        wire.add_uninitialized_var(var)
    for stretch in circuit.iter_declared_stretches():
        wire.add_stretch(stretch)
    for inst in circuit.data:
        wire._append(inst)  # noqa: SLF001 - same bits, no need to revalidate
    return wire, mapping
