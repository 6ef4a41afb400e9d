"""A Qiskit ``Target`` from IBM configuration + properties JSON, and the ISA check.

Qiskit 2.x no longer ships ``convert_to_target``; this follows what qiskit-ibm-runtime's
``utils/backend_converter.py`` does with the same two payloads (durations and errors from the
properties, T1/T2/frequency as ``QubitProperties``, control flow from
``supported_instructions``), so a client building its Target from our JSON gets the same one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.transpiler import InstructionProperties, QubitProperties, Target

from .errors import BASIS_GATES_ERROR, TRANSPILATION_ERROR, JobInputError

__all__ = ["target_from_json", "check_isa"]

_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "GHz": 1e9, "MHz": 1e6}
_SKIP = frozenset({"barrier", "store"})


def _value(nduvs: list[Mapping[str, Any]], name: str) -> float | None:
    for item in nduvs:
        if item.get("name") == name:
            return float(item["value"]) * _UNITS.get(item.get("unit", ""), 1.0)
    return None


def target_from_json(configuration: Mapping[str, Any], properties: Mapping[str, Any]) -> Target:
    """Build the device ``Target`` (seconds and Hz, as Qiskit expects)."""
    from qiskit.circuit import (
        Delay,
        ForLoopOp,
        IfElseOp,
        Measure,
        Parameter,
        Reset,
        SwitchCaseOp,
        WhileLoopOp,
    )
    from qiskit.circuit.library import get_standard_gate_name_mapping

    n = int(configuration["n_qubits"])
    qubits = properties.get("qubits", [])
    qubit_props = [
        QubitProperties(t1=_value(q, "T1"), t2=_value(q, "T2"), frequency=_value(q, "frequency"))
        for q in qubits
    ]
    timing = configuration.get("timing_constraints", {})
    target = Target(
        description=configuration.get("description"),
        num_qubits=n,
        dt=float(configuration["dt"]) * 1e-9,
        granularity=timing.get("granularity", 1),
        min_length=timing.get("min_length", 1),
        pulse_alignment=timing.get("pulse_alignment", 1),
        acquire_alignment=timing.get("acquire_alignment", 1),
        qubit_properties=qubit_props or None,
        concurrent_measurements=[list(range(n))],
    )
    by_gate: dict[str, dict[tuple[int, ...], InstructionProperties]] = {}
    for gate in properties.get("gates", []):
        by_gate.setdefault(gate["gate"], {})[tuple(gate["qubits"])] = InstructionProperties(
            duration=_value(gate["parameters"], "gate_length"),
            error=_value(gate["parameters"], "gate_error"),
        )
    mapping = get_standard_gate_name_mapping()
    for name in configuration["basis_gates"]:
        qargs = by_gate.get(name)
        if qargs is None:
            config_gate = next(g for g in configuration["gates"] if g["name"] == name)
            qargs = {tuple(q): None for q in config_gate["coupling_map"]}
        target.add_instruction(mapping[name], qargs)
    target.add_instruction(
        Measure(),
        {
            (q,): InstructionProperties(
                duration=_value(qubits[q], "readout_length") if q < len(qubits) else None,
                error=_value(qubits[q], "readout_error") if q < len(qubits) else None,
            )
            for q in range(n)
        },
    )
    resets = by_gate.get("reset", {})
    target.add_instruction(Reset(), {(q,): resets.get((q,)) for q in range(n)})
    target.add_instruction(Delay(Parameter("t")), {(q,): None for q in range(n)})
    flow = {
        "if_else": IfElseOp,
        "for_loop": ForLoopOp,
        "switch_case": SwitchCaseOp,
        "while_loop": WhileLoopOp,
    }
    for name in configuration.get("supported_instructions", []):
        if name in flow:
            target.add_instruction(flow[name], name=name)
    return target


def check_isa(target: Target, circuit: QuantumCircuit, index: int, backend_name: str) -> None:
    """Refuse circuits the device cannot run as they are (what the real service does).

    Raises:
        JobInputError: Code 1005 (basis gates not available) for an instruction the device
            does not have at all, 1003 (transpilation error) for one it has elsewhere
            (wrong qubits or direction). Messages follow IBM's wording.
    """
    if circuit.num_qubits > target.num_qubits:
        raise JobInputError(
            f"PUB {index}: the circuit has {circuit.num_qubits} qubits but {backend_name} has "
            f"{target.num_qubits}.",
        )
    _check_block(target, circuit, list(range(circuit.num_qubits)), index)


def _check_block(target: Target, block: QuantumCircuit, physical: list[int], index: int) -> None:
    for inst in block.data:
        name = inst.operation.name
        if name in _SKIP:
            continue
        qargs = tuple(physical[block.find_bit(q).index] for q in inst.qubits)
        if isinstance(inst.operation, ControlFlowOp):
            if name not in target.operation_names:
                raise JobInputError(
                    f"PUB {index}: The instruction {name} is not supported by the target.",
                    BASIS_GATES_ERROR,
                )
            for sub in inst.operation.blocks:
                _check_block(target, sub, list(qargs), index)
            continue
        if target.instruction_supported(name, qargs):
            continue
        code = TRANSPILATION_ERROR if name in target.operation_names else BASIS_GATES_ERROR
        raise JobInputError(
            f"PUB {index}: The instruction {name} on qubits {qargs} is not supported by the "
            "target. Transpile the circuit for the backend first (ISA circuits only).",
            code,
        )
