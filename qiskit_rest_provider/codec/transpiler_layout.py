"""Rebuild transpiler-service results as Qiskit circuits with a ``TranspileLayout``.

A result item is ``{"qasm", "qpy", "layout": {"initial": [...], "final": [...]}}`` where
``initial[v]``/``final[v]`` are the physical qubits of virtual qubit ``v`` before and after
routing, over the full device (research transpiler-service.md §3.2-3.3). The QASM mentions only
the physical qubits it touches (``$N``), so the circuit is padded back to device width; ``ecr``
comes back as a generic gate and is turned into ``ECRGate``; registers and parameters get the
user's names and ``Parameter`` objects back, so binding by the original parameters still works.

Also :func:`apply_layout_to_observables`, used by ``EstimatorV2`` to map observables written
for the abstract circuit onto the transpiled one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import ClassicalRegister
from qiskit.circuit.library import ECRGate
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.transpiler import Layout, TranspileLayout

from ..exceptions import InvalidInputError, TranspilerServiceError

__all__ = ["load_transpiled_qasm", "rebuild_circuit", "apply_layout_to_observables"]

_INCLUDE = re.compile(r'include\s+"([^"]+)"\s*;')


def load_transpiled_qasm(text: str) -> QuantumCircuit:
    """Parse the service's OpenQASM 2/3 output (``$N`` qubits, ``gate ecr`` definitions).

    Raises:
        TranspilerServiceError: The text includes files other than the standard gates, or cannot
            be parsed.
    """
    for name in _INCLUDE.findall(text):
        if name not in ("stdgates.inc", "qelib1.inc"):
            raise TranspilerServiceError(f"Refusing transpiled QASM that includes {name!r}.")
    try:
        if text.lstrip().startswith("OPENQASM 2"):
            from qiskit import qasm2

            custom = [*qasm2.LEGACY_CUSTOM_INSTRUCTIONS]
            custom.append(qasm2.CustomInstruction("ecr", 0, 2, ECRGate))
            return qasm2.loads(text, custom_instructions=custom)
        try:
            import qiskit_qasm3_import  # noqa: F401 - Qiskit's built-in parser cannot read $N
        except ImportError:
            raise TranspilerServiceError(
                "Reading transpiled OpenQASM 3 needs the optional importer: "
                "pip install qiskit-qasm3-import"
            ) from None
        from qiskit import qasm3

        return qasm3.loads(text)
    except TranspilerServiceError:
        raise
    except Exception as exc:  # parsers raise many unrelated types
        raise TranspilerServiceError(f"Could not read the transpiled circuit: {exc}") from exc


def _fix_ecr(circuit: QuantumCircuit) -> QuantumCircuit:
    # Generic gates named ecr / ecr_<n> (QASM gate definitions) -> the real ECRGate.
    for index, instruction in enumerate(circuit.data):
        op = instruction.operation
        if op.name.startswith("ecr") and not isinstance(op, ECRGate) and op.num_qubits == 2:
            circuit.data[index] = instruction.replace(operation=ECRGate())
    return circuit


def rebuild_circuit(
    item: dict[str, Any], original: QuantumCircuit, parameter_names: list[str] | None = None
) -> QuantumCircuit:
    """One result item -> an ISA circuit of device width with the ``TranspileLayout`` set.

    Args:
        item: ``{"qasm": ..., "layout": {"initial": [...], "final": [...]}}``.
        original: The circuit that was sent (for names, registers, parameters, width).
        parameter_names: Wire names of ``original.parameters``, in order.

    Raises:
        TranspilerServiceError: The item is malformed or inconsistent with the input.
    """
    layout = item.get("layout") or {}
    initial, final = layout.get("initial"), layout.get("final")
    if not item.get("qasm") or not isinstance(initial, list) or not isinstance(final, list):
        raise TranspilerServiceError("The transpiler returned an item without qasm and layout.")
    loaded = _fix_ecr(load_transpiled_qasm(item["qasm"]))
    width, n_in = len(initial), original.num_qubits
    if len(final) != width or width < max(loaded.num_qubits, n_in):
        raise TranspilerServiceError(
            f"Inconsistent layout from the transpiler: {len(initial)} initial / {len(final)} "
            f"final positions for a {loaded.num_qubits}-qubit result of a {n_in}-qubit circuit."
        )
    if loaded.num_clbits != original.num_clbits:
        raise TranspilerServiceError(
            f"The transpiled circuit has {loaded.num_clbits} clbits, "
            f"the input {original.num_clbits}."
        )
    cregs = [ClassicalRegister(creg.size, creg.name) for creg in original.cregs]
    out = QuantumCircuit(QuantumRegister(width, "q"), *cregs, name=original.name)
    if not cregs and original.num_clbits:
        out.add_bits([type(original.clbits[0])() for _ in range(original.num_clbits)])
    out.compose(
        loaded, qubits=range(loaded.num_qubits), clbits=range(loaded.num_clbits), inplace=True
    )
    out.metadata = dict(original.metadata or {})
    if parameter_names:
        by_name = dict(zip(parameter_names, original.parameters, strict=True))
        mapping = {p: by_name[p.name] for p in out.parameters if p.name in by_name}
        out.assign_parameters(mapping, inplace=True, strict=False)
    virtual = list(original.qubits)
    if width > n_in:
        virtual += list(QuantumRegister(width - n_in, "ancilla"))
    initial_layout = Layout({virtual[v]: int(p) for v, p in enumerate(initial)})
    mapping_in = {qubit: index for index, qubit in enumerate(virtual)}
    final_layout = Layout({out.qubits[int(p)]: int(f) for p, f in zip(initial, final, strict=True)})
    out._layout = TranspileLayout(  # noqa: SLF001 - Qiskit has no public setter
        initial_layout,
        mapping_in,
        final_layout,
        _input_qubit_count=n_in,
        _output_qubit_list=out.qubits,
    )
    return out


def parameter_wire_names(circuit: QuantumCircuit) -> list[str]:
    """The names ``codec.circuits.export_circuit`` gives ``circuit.parameters`` on the wire."""
    count = circuit.num_parameters
    width = len(str(count - 1)) if count else 1
    return [f"p{index:0{width}d}" for index in range(count)]


def _pub_parts(pub: Any) -> tuple[QuantumCircuit, Any, Any, Any]:
    if isinstance(pub, EstimatorPub):
        return pub.circuit, pub.observables, pub.parameter_values, pub.precision
    if not isinstance(pub, (tuple, list)) or not 2 <= len(pub) <= 4:
        raise InvalidInputError(
            "An estimator PUB is (circuit, observables[, values[, precision]])."
        )
    circuit, observables, *rest = pub
    values = rest[0] if rest else None
    if values is not None and not isinstance(values, (BindingsArray, Mapping)):
        values = {tuple(circuit.parameters): values}  # as EstimatorPub.coerce does
    precision = rest[1] if len(rest) > 1 else None
    bindings = BindingsArray.coerce(values) if values is not None else None
    return circuit, ObservablesArray.coerce(observables), bindings, precision


def apply_layout_to_observables(pub: Any, *, only_if_narrower: bool = False) -> EstimatorPub:
    """Map a PUB's observables (written for the abstract circuit) through ``circuit.layout``.

    Args:
        pub: An ``EstimatorPub`` or a ``(circuit, observables[, values[, precision]])`` tuple.
        only_if_narrower: Apply only when the observables are narrower than the circuit (the
            unambiguous case); otherwise apply whenever the circuit carries a layout and the
            observables have the abstract circuit's width.

    Returns:
        An ``EstimatorPub`` whose observables act on the transpiled circuit's qubits.

    Raises:
        InvalidInputError: The observables match neither width.
    """
    circuit, observables, values, precision = _pub_parts(pub)
    layout = circuit.layout
    width = observables.num_qubits
    if layout is None or (only_if_narrower and width >= circuit.num_qubits):
        return EstimatorPub(circuit, observables, values, precision)
    n_in = layout._input_qubit_count  # noqa: SLF001 - the abstract width
    if n_in is None:
        n_in = len(layout.input_qubit_mapping)
    if width == circuit.num_qubits and width != n_in:
        return EstimatorPub(circuit, observables, values, precision)  # already physical
    if width != n_in:
        raise InvalidInputError(
            f"The observables act on {width} qubits, but the circuit was transpiled from "
            f"{n_in} qubits onto {circuit.num_qubits}. Write them for the abstract circuit "
            "(they are then mapped with circuit.layout) or for all physical qubits."
        )
    mapped = observables.apply_layout(layout, num_qubits=circuit.num_qubits)
    return EstimatorPub(circuit, mapped, values, precision)
