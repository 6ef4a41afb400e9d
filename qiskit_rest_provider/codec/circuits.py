"""QuantumCircuit -> OpenQASM 3 text that a server reads back exactly as the user meant it.

Five things go silently wrong with a plain ``qasm3.dumps`` (ARCHITECTURE.md §4), and each is
handled here:

* **Parameter order.** Servers bind a values array in the order of the circuit they parsed,
  and the exporter's renamed identifiers (``x[10]`` -> ``_x_10_``) sort differently once read
  back. Parameters are renamed to ``p0, p1, ...`` with a fixed width, so declaration order,
  plain sorting and Qiskit's natural sorting all agree with ``circuit.parameters``.
* **Register names.** The exporter renames registers (``if`` -> ``if_0``, and then even ``z`` ->
  ``z_1``). The declared names are read back from the text, and the user's names travel in a
  header comment, so results map back by name in the circuit's register order, in any process.
* **Width.** A circuit with a layout exports only the physical qubits it touches. The layout
  is dropped so all ``num_qubits`` are declared (qubit ``i`` stays physical qubit ``i``).
* **Angles.** Constants are disabled, so every angle is written with ``repr`` (lossless).
* **Descending loops.** The exporter writes ``range(4, -1, -2)`` as ``[4:-2:-2]`` (one
  iteration too many: an OpenQASM range includes its end); such ranges reach it in a form it
  writes right (:func:`.unroll.exporter_ranges`).

Before export, what the exporter refuses but has an OpenQASM 3 form is rewritten: instructions
that are not gates are replaced by their definitions (:mod:`.unroll`), and overlapping
registers are sent as disjoint ones (:mod:`.registers`). A circuit that needs neither (any ISA
circuit) is sent exactly as given.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from ..exceptions import EncodeError
from .qasm_writer import write_flat_qasm
from .registers import RegisterMap, disjoint_registers
from .unroll import exporter_ranges, unroll

__all__ = [
    "HEADER_PREFIX",
    "CregSpec",
    "CircuitExport",
    "creg_specs",
    "export_circuit",
    "read_header",
    "declared_registers",
    "declared_inputs",
]

logger = logging.getLogger(__name__)

HEADER_PREFIX = "// qiskit_rest_provider: "
_MAX_METADATA_CHARS = 65536

_REGISTER_DECL = re.compile(r"^bit\[(\d+)\]\s+([^\s;\[]+)\s*;", re.MULTILINE)
_INPUT_DECL = re.compile(r"^input\s+(?:float|angle)(?:\[\d+\])?\s+([^\s;]+)\s*;", re.MULTILINE)


@dataclass(frozen=True)
class CregSpec:
    """A classical register as the user named it and as it is declared on the wire.

    ``sources`` is empty when the register is declared on the wire as ``wire``; otherwise it
    shares clbits with another register and is rebuilt from ``(wire register, bit index)``
    places, its clbit 0 first (see :mod:`.registers`).
    """

    name: str
    wire: str
    size: int
    sources: tuple[tuple[str, int], ...] = ()


def creg_specs(
    names: list[str], declared: list[tuple[str, int]], mapping: RegisterMap | None = None
) -> tuple[CregSpec, ...]:
    """Where each user register's results are on the wire.

    Args:
        names: The user's register names, in circuit order.
        declared: The wire's ``(name, size)`` registers, in declaration order.
        mapping: The header's register map; ``None`` when register ``k`` is declared ``k``-th.

    Raises:
        EncodeError: The map does not fit the declared registers.
    """
    if mapping is None:
        return tuple(
            CregSpec(name=name, wire=wire, size=size)
            for name, (wire, size) in zip(names, declared, strict=False)
        )
    try:
        specs = []
        for name, place in zip(names, mapping, strict=True):
            if isinstance(place, int):
                wire, size = declared[place]
                specs.append(CregSpec(name=name, wire=wire, size=size))
            else:
                sources = tuple((declared[k][0], int(i)) for k, i in place)
                specs.append(CregSpec(name=name, wire="", size=len(sources), sources=sources))
    except (IndexError, TypeError, ValueError) as exc:
        raise EncodeError(f"The register map does not fit the declared registers: {exc}") from exc
    return tuple(specs)


@dataclass(frozen=True)
class CircuitExport:
    """The wire form of one circuit and what is needed to read its results back."""

    qasm: str
    cregs: tuple[CregSpec, ...]
    num_qubits: int
    num_parameters: int


def declared_registers(qasm: str) -> list[tuple[str, int]]:
    """Classical registers declared at top level, in declaration order, as ``(name, size)``."""
    return [(match.group(2), int(match.group(1))) for match in _REGISTER_DECL.finditer(qasm)]


def declared_inputs(qasm: str) -> list[str]:
    """Names of ``input float``/``input angle`` parameters, in declaration order."""
    return _INPUT_DECL.findall(qasm)


def read_header(qasm: str) -> dict[str, Any]:
    """Return the JSON this package writes in a header comment, or ``{}`` if there is none."""
    start = qasm.find(HEADER_PREFIX)
    if start < 0:
        return {}
    end = qasm.find("\n", start)
    try:
        header = json.loads(qasm[start + len(HEADER_PREFIX) : end if end >= 0 else None])
    except ValueError:
        return {}
    return header if isinstance(header, dict) else {}


def _header(circuit: QuantumCircuit, extra: Mapping[str, Any]) -> str:
    if not extra and not circuit.metadata:  # what json.dumps writes for {"cregs": [...]}
        names = ",".join([encode_basestring_ascii(creg.name) for creg in circuit.cregs])
        return f'{HEADER_PREFIX}{{"cregs":[{names}]}}'
    header: dict[str, Any] = {"cregs": [creg.name for creg in circuit.cregs], **extra}
    if circuit.metadata:
        try:
            text = json.dumps(circuit.metadata, ensure_ascii=True, allow_nan=False)
        except (TypeError, ValueError):
            logger.debug("circuit metadata is not JSON; it stays local to this process")
        else:
            if len(text) <= _MAX_METADATA_CHARS:
                header["metadata"] = circuit.metadata
    # ensure_ascii escapes newlines and control characters, so the comment stays one line.
    return HEADER_PREFIX + json.dumps(header, ensure_ascii=True, separators=(",", ":"))


def _parameter_names(circuit: QuantumCircuit) -> dict[Parameter, str]:
    """``p0, p1, ...`` (fixed width) for ``circuit.parameters``, in that order."""
    if not circuit.num_parameters:  # (cheaper than reading circuit.parameters)
        return {}
    parameters = list(circuit.parameters)
    width = len(str(len(parameters) - 1))
    return {param: f"p{index:0{width}d}" for index, param in enumerate(parameters)}


def _prepare(circuit: QuantumCircuit) -> tuple[QuantumCircuit, RegisterMap | None]:
    prepared = exporter_ranges(unroll(circuit))
    prepared, registers = disjoint_registers(prepared)
    if prepared.layout is not None:
        if prepared is circuit:
            prepared = circuit.copy()
        prepared._layout = None  # noqa: SLF001 - no public way to export without the layout
    names = _parameter_names(circuit)
    if prepared is not circuit and set(prepared.parameters) != set(names):
        hidden = sorted(p.name for p in set(prepared.parameters) - set(names))
        raise EncodeError(
            f"Circuit '{circuit.name}' holds instructions whose definitions use parameters "
            f"{hidden[:5]} that the circuit does not list. Assign them first "
            "(circuit.assign_parameters) or append the sub-circuit with its parameters."
        )
    if names:
        mapping = {param: Parameter(name) for param, name in names.items()}
        prepared = prepared.assign_parameters(mapping, inplace=False)
    return prepared, registers


def _general_text(circuit: QuantumCircuit) -> tuple[str, QuantumCircuit, RegisterMap | None]:
    """``qasm3.dumps`` after unrolling, disjoint registers, full width and renamed parameters."""
    from qiskit import qasm3  # lazy: the exporter is not needed to import the package

    prepared, registers = _prepare(circuit)
    try:
        text = qasm3.dumps(prepared, disable_constants=True)
    except Exception as exc:  # the exporter raises several unrelated types
        raise EncodeError(
            f"Circuit '{circuit.name}' cannot be written as OpenQASM 3: {exc}. "
            "Decompose or transpile unsupported instructions first."
        ) from exc
    return text, prepared, registers


def export_circuit(
    circuit: QuantumCircuit, header_extra: Mapping[str, Any] | None = None
) -> CircuitExport:
    """Export ``circuit`` to lossless, full-width OpenQASM 3 with a header comment.

    Args:
        circuit: Any circuit Qiskit's OpenQASM 3 exporter can write.
        header_extra: More JSON entries for the header comment (e.g. the emulator's
            ``keyed_by_name`` for circuits that arrived as QPY).

    Returns:
        The QASM text plus the register mapping needed to decode results.

    Raises:
        EncodeError: The exporter cannot write the circuit.
    """
    # Flat circuits of standard gates (every ISA circuit) take the fast writer; the rest the
    # exporter. Both write the same text for the circuits the writer covers.
    flat = write_flat_qasm(circuit, _parameter_names(circuit))
    if flat is not None:  # it declares the circuit's registers as they are, in order
        text, registers = flat, None
        declared = [(creg.name, creg.size) for creg in circuit.cregs]
        wire_cregs = len(declared)
    else:
        text, prepared, registers = _general_text(circuit)
        declared = declared_registers(text)
        wire_cregs = len(prepared.cregs)
    if len(declared) != wire_cregs:
        raise EncodeError(
            f"Circuit '{circuit.name}' has {wire_cregs} classical registers on the wire "
            f"but the OpenQASM 3 text declares {len(declared)}."
        )
    extra = dict(header_extra or {})
    if registers is not None:
        extra["map"] = registers
    first_line_end = text.index("\n") + 1
    qasm = text[:first_line_end] + _header(circuit, extra) + "\n" + text[first_line_end:]
    cregs = creg_specs([creg.name for creg in circuit.cregs], declared, registers)
    return CircuitExport(
        qasm=qasm,
        cregs=cregs,
        num_qubits=circuit.num_qubits,
        num_parameters=circuit.num_parameters,
    )
