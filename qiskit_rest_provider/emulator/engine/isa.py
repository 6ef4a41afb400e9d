"""The ISA check: refuse circuits a device cannot run as they are (what the service does).

The device ``Target`` itself comes from the one converter, :func:`...codec.target.target_from_json`.
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.transpiler import Target

from .errors import BASIS_GATES_ERROR, TRANSPILATION_ERROR, JobInputError

__all__ = ["check_isa"]

_SKIP = frozenset({"barrier", "store"})


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
