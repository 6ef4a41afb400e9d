"""A fast OpenQASM 3 writer for the circuits users send most: ISA circuits, dynamic ones too.

``qasm3.dumps`` builds an abstract syntax tree of the whole program and prints it: about 36 ms
per 100-qubit ISA circuit, most of the time a job takes to encode. For circuits of standard
gates, measurements, resets, barriers and delays on one full-width quantum register, with
``if``/``else``, ``box``, ``for`` and ``while`` blocks on legacy ``(clbit, bool)`` or
``(register, int)`` conditions (:mod:`.qasm_blocks`), this module writes the same text
directly, byte for byte what ``qasm3.dumps(circuit, disable_constants=True)`` writes after
:func:`.circuits.export_circuit`'s preparation (parameters renamed ``p0, p1, ...``, layout
dropped), so every wire pitfall stays solved the same way:

* parameters are ``input float[64]`` declarations in ``circuit.parameters`` order, with the
  names the caller gives; angles and expressions are written as the exporter writes them
  (``str``, which is ``repr`` for floats: lossless);
* classical registers keep their names (a name the exporter would rename, such as ``z`` or
  ``if``, sends the circuit to the general path), so the declared names read back are the same;
* the quantum register is declared at full width and gates act on ``q[i]`` (qubit ``i`` is
  physical qubit ``i`` of an ISA circuit);
* the definitions of gates outside ``stdgates.inc`` (``ecr``, ``rzz``, ``sxdg``...) are taken
  from the exporter itself, once per set of gates, in first-use order through nested blocks.

Anything else (expression conditions, ``switch``, loop variables, ``break``, custom gates,
loose or shared bits, several quantum registers, parametrised delays...) returns ``None`` and
the caller uses the general path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterExpression

from .qasm_blocks import DURATION_UNITS, FLOW, flow_lines

__all__ = ["write_flat_qasm"]

# Standard gates whose names stdgates.inc defines with Qiskit's meaning and parameter order.
_STDGATES = frozenset(
    {
        "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "id",
        "cx", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap",
    }
)  # fmt: skip
# Standard gates the exporter defines in the text (definitions taken from the exporter).
_DEFINED = frozenset(
    {
        "ecr", "rzz", "rxx", "ryy", "rzx", "sxdg", "cs", "csdg", "csx", "iswap", "dcx", "ccz",
        "r", "xx_minus_yy", "xx_plus_yy", "cu3", "cu1", "rccx", "rcccx", "c3sx",
    }
)  # fmt: skip
_GATES = _STDGATES | _DEFINED
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Names a register may not take: OpenQASM keywords, built-in constants and functions, and every
# gate name (the exporter renames such registers; the general path does that).
_RESERVED = (
    frozenset(
        """OPENQASM include defcalgrammar def cal defcal gate extern box let break continue if
        else end return for while in switch case default nop pragma input output const readonly
        mutable qreg qubit creg bool bit int uint float angle complex array void duration stretch
        gphase inv pow ctrl negctrl dim durationof delay reset measure barrier true false im pi
        tau euler sizeof arccos arcsin arctan ceiling cos exp floor log mod popcount rotl rotr sin
        sqrt tan real imag U CX u u1 u2 u3 cu phase cphase sxdg""".split()
    )
    | _STDGATES
    | _DEFINED
)


def _valid_name(name: str, taken: set[str]) -> bool:
    return (
        bool(_IDENTIFIER.match(name))
        and name not in _RESERVED
        and not name.startswith("_")
        and name not in taken
    )


@functools.lru_cache(maxsize=64)
def _definitions(gates: tuple[str, ...]) -> str:
    """The exporter's ``gate`` definitions for these standard gates, in first-use order.

    The exporter defines a standard gate once, with parameters, whatever its angles; so one
    sample of each gate gives the same definitions as the whole circuit would.
    """
    from qiskit import qasm3
    from qiskit.circuit.library import get_standard_gate_name_mapping

    mapping = get_standard_gate_name_mapping()
    sample = QuantumCircuit(max(mapping[name].num_qubits for name in gates))
    for name in gates:
        gate = mapping[name]
        sample.append(gate, range(gate.num_qubits))
    text: str = qasm3.dumps(sample, disable_constants=True)
    start = text.index("\ngate ") + 1
    return text[start : text.index("\nqubit[")] + "\n"


_Registers = tuple[tuple[Any, ...], dict[Any, str], dict[Any, str], tuple[str, ...], frozenset[str]]


@functools.lru_cache(maxsize=64)
def _registers(qreg: Any, cregs: tuple[Any, ...]) -> _Registers | None:
    """What the text says of these registers, or ``None`` if the general path must write them.

    Registers cannot change, and equal registers have equal bits, so an entry can never be
    stale. Returns the quantum register's bits, the text's name of each qubit and clbit, the
    ``bit[n] c;`` declarations and the registers' names (the callers only read them).
    """
    taken: set[str] = set()
    if not _valid_name(qreg.name, taken):
        return None
    taken.add(qreg.name)
    clbit_names: dict[Any, str] = {}
    declarations = []
    for creg in cregs:
        if not _valid_name(creg.name, taken):
            return None
        taken.add(creg.name)
        declarations.append(f"bit[{creg.size}] {creg.name};")
        for index, bit in enumerate(creg):
            if bit in clbit_names:  # overlapping registers: the general path maps them
                return None
            clbit_names[bit] = f"{creg.name}[{index}]"
    qreg_bits = tuple(qreg)
    qubit_names = {bit: f"{qreg.name}[{index}]" for index, bit in enumerate(qreg_bits)}
    return qreg_bits, qubit_names, clbit_names, tuple(declarations), frozenset(taken)


def write_flat_qasm(circuit: QuantumCircuit, names: Mapping[Parameter, str]) -> str | None:
    """OpenQASM 3 text of a circuit the writer covers, or ``None`` if the general path must.

    Args:
        circuit: The circuit as the user gave it (any layout is ignored: full width).
        names: The wire name of each of ``circuit.parameters``, in declaration order.

    Returns:
        The text (first line ``OPENQASM 3.0;``), or ``None``.
    """
    if len(circuit.qregs) != 1 or circuit.qregs[0].size != circuit.num_qubits:
        return None
    qreg = circuit.qregs[0]
    cregs = tuple(circuit.cregs)
    registers = _registers(qreg, cregs)
    if registers is None:
        return None
    qreg_bits, qubit_names, clbit_names, declarations, register_names = registers
    if qreg_bits != tuple(circuit.qubits) or not register_names.isdisjoint(names.values()):
        return None
    if len(clbit_names) != circuit.num_clbits or circuit.num_identifiers:
        return None
    renamed = {param: Parameter(name) for param, name in names.items()}
    expressions: dict[Any, str] = {}

    def angle(value: Any) -> str:
        if isinstance(value, float):
            return float.__repr__(value)  # what str() gives for a float, numpy's included
        if isinstance(value, Parameter):
            return names[value]
        if isinstance(value, ParameterExpression):
            text = expressions.get(value)
            if text is None:
                mapping = {param: renamed[param] for param in value.parameters}
                text = expressions[value] = str(value.subs(mapping))
            return text
        return str(value)

    defined: dict[str, None] = {}  # first-use order, across nested bodies as the exporter goes

    def write(
        scope: QuantumCircuit, qubit_names: dict[Any, str], clbit_names: dict[Any, str]
    ) -> list[str] | None:
        """The statements of ``scope`` (the circuit or a block), unindented, or ``None``."""
        body: list[str] = []
        append = body.append
        # The loop runs once per instruction of every circuit sent, so it stays lean: one
        # attribute read per field, floats formatted inline.
        for inst in scope.data:
            name = inst.name
            bits = inst.qubits
            qubits = (
                qubit_names[bits[0]]
                if len(bits) == 1
                else ", ".join([qubit_names[q] for q in bits])
            )
            if name in _GATES:
                if not inst.is_standard_gate():  # a gate of the user's own with a standard name
                    return None
                if name in _DEFINED and name not in defined:
                    defined[name] = None
                params = inst.params
                if params:
                    args = ", ".join(
                        [float.__repr__(p) if type(p) is float else angle(p) for p in params]
                    )
                    append(f"{name}({args}) {qubits};")
                else:
                    append(f"{name} {qubits};")
                continue
            if name == "measure":
                append(f"{clbit_names[inst.clbits[0]]} = measure {qubits};")
                continue
            if name in FLOW:
                lines = flow_lines(inst, qubit_names, clbit_names, cregs, write)
                if lines is None:
                    return None
                body.extend(lines)
                continue
            if inst.clbits:
                return None
            if name == "barrier" and qubits:
                append(f"barrier {qubits};")
            elif name == "reset":
                append(f"reset {qubits};")
            elif name == "delay":
                op = inst.operation
                if op.unit not in DURATION_UNITS or isinstance(op.duration, ParameterExpression):
                    return None
                append(f"delay[{op.duration}{op.unit}] {qubits};")
            else:
                return None
        return body

    body = write(circuit, qubit_names, clbit_names)
    if body is None:
        return None
    head = ['OPENQASM 3.0;\ninclude "stdgates.inc";\n']
    if circuit.num_parameters:  # (reading circuit.parameters costs even when there are none)
        head.extend(f"input float[64] {names[param]};\n" for param in circuit.parameters)
    if defined:
        head.append(_definitions(tuple(defined)))
    lines = [*declarations, f"qubit[{circuit.num_qubits}] {qreg.name};", *body, ""]
    return "".join(head) + "\n".join(lines)
