"""Backend configuration (+ properties) JSON -> Qiskit ``Target``."""

from __future__ import annotations

from typing import Any

from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping
from qiskit.transpiler import CouplingMap, Target

__all__ = ["target_from_json"]

_EXTRA = ("measure", "reset", "delay")


def target_from_json(
    configuration: dict[str, Any], properties: dict[str, Any] | None = None
) -> Target:
    """Build a ``Target`` from IBM's configuration and properties JSON.

    Gates the configuration names but Qiskit does not know are skipped (they cannot appear in
    a circuit Qiskit builds anyway).
    """
    known = get_standard_gate_name_mapping()
    basis = [name for name in configuration.get("basis_gates", []) if name in known]
    supported = configuration.get("supported_instructions") or []
    basis += [
        name for name in _EXTRA if name not in basis and (name in supported or name == "measure")
    ]
    edges = configuration.get("coupling_map") or None
    return Target.from_configuration(
        basis_gates=basis,
        num_qubits=int(configuration.get("n_qubits") or configuration.get("num_qubits") or 0),
        coupling_map=CouplingMap(edges) if edges else None,
        dt=configuration.get("dt"),
    )
