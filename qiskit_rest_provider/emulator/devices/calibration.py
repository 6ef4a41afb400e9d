"""Seeded, realistic configuration and properties JSON for emulated devices (IBM's formats).

Values are drawn from log-normal distributions around published medians of the processor
family (T1/T2, gate and readout errors), from a generator seeded by the backend name, so every
emulator start serves the same calibration. Units follow IBM's JSON: ``dt`` in ns, T1/T2 in
us, frequencies in GHz, gate and readout lengths in ns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DeviceSpec", "build_configuration", "build_properties", "CALIBRATION_DATE"]

CALIBRATION_DATE = "2026-11-30T06:42:17+00:00"
_QASM_DEFS = {
    "id": "gate id q { U(0, 0, 0) q; }",
    "rz": "gate rz(theta) q { U(0, 0, theta) q; }",
    "sx": "gate sx q { U(pi/2, 3*pi/2, pi/2) q; }",
    "x": "gate x q { U(pi, 0, pi) q; }",
    "ecr": "gate ecr q0, q1 { rzx(pi/4) q0, q1; x q0; rzx(-pi/4) q0, q1; }",
    "cz": "gate cz q0, q1 { h q1; cx q0, q1; h q1; }",
}
_CONTROL_FLOW = ["if_else", "for_loop", "switch_case", "while_loop"]


@dataclass(frozen=True)
class DeviceSpec:
    """What distinguishes one emulated device from another (medians, sizes, names)."""

    name: str
    family: str
    revision: int
    num_qubits: int
    edges: tuple[tuple[int, int], ...]
    two_qubit_gate: str  # "ecr" (directed) or "cz" (symmetric)
    two_qubit_error: float
    two_qubit_length_ns: float
    single_qubit_error: float
    single_qubit_length_ns: float
    readout_error: float
    readout_length_ns: float
    t1_us: float
    t2_us: float
    frequency_ghz: float
    clops: int
    backend_version: str
    online_date: str
    dt_ns: float = 2 / 9  # 0.222... ns, IBM's dt

    @property
    def basis_gates(self) -> list[str]:
        """IBM's ordering: alphabetical, two-qubit gate first for Eagle."""
        return sorted([self.two_qubit_gate, "id", "rz", "sx", "x"])

    def directed_edges(self) -> list[list[int]]:
        """The two-qubit gate's qargs: one direction per coupler for ECR, both for CZ."""
        if self.two_qubit_gate == "cz":
            return sorted([[a, b] for a, b in self.edges] + [[b, a] for a, b in self.edges])
        rng = self.rng("direction")
        return sorted([a, b] if rng.random() < 0.5 else [b, a] for a, b in self.edges)

    def rng(self, purpose: str) -> np.random.Generator:
        """A generator seeded by the backend name and what it is used for."""
        digest = hashlib.sha256(f"{self.name}/{purpose}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _lognormal(rng: np.random.Generator, median: float, sigma: float, size: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(size))


def build_configuration(spec: DeviceSpec) -> dict[str, Any]:
    """``GET /backends/{name}/configuration`` body."""
    single = [[q] for q in range(spec.num_qubits)]
    coupling = spec.directed_edges()
    gates = [
        {
            "name": g,
            "parameters": ["theta"] if g == "rz" else [],
            "qasm_def": _QASM_DEFS[g],
            "coupling_map": coupling if g == spec.two_qubit_gate else single,
        }
        for g in spec.basis_gates
    ]
    return {
        "backend_name": spec.name,
        "backend_version": spec.backend_version,
        "n_qubits": spec.num_qubits,
        "basis_gates": spec.basis_gates,
        "gates": gates,
        "coupling_map": coupling,
        "local": False,
        "simulator": False,
        "conditional": False,
        "open_pulse": False,
        "memory": True,
        "max_shots": 100000,
        "max_experiments": 300,
        "n_registers": 1,
        "coords": [],
        "u_channel_lo": [],
        "meas_levels": [1, 2],
        "dt": spec.dt_ns,
        "dtm": spec.dt_ns,
        "timing_constraints": {
            "granularity": 16,
            "min_length": 64,
            "pulse_alignment": 16,
            "acquire_alignment": 16,
        },
        "supported_instructions": sorted(
            [*spec.basis_gates, "delay", "measure", "reset", *_CONTROL_FLOW]
        ),
        "supported_features": ["qasm3", "rep_delay"],
        "dynamic_reprate_enabled": True,
        "rep_delay_range": [0.0, 500.0],
        "default_rep_delay": 250.0,
        "processor_type": {"family": spec.family, "revision": spec.revision},
        "sample_name": f"family: {spec.family}, revision: {spec.revision}",
        "online_date": spec.online_date,
        "description": f"{spec.num_qubits} qubit device (emulated)",
        "clops_h": spec.clops,
        "credits_required": True,
        "conditional_latency": [],
        "acquisition_latency": [],
        "multi_meas_enabled": True,
        "measure_esp_enabled": False,
        "quantum_volume": None,
        "max_circuit_depth": None,
        "tags": [],
    }


def _nduv(name: str, unit: str, value: float) -> dict[str, Any]:
    return {"date": CALIBRATION_DATE, "name": name, "unit": unit, "value": float(value)}


def build_properties(spec: DeviceSpec) -> dict[str, Any]:
    """``GET /backends/{name}/properties`` body (per-qubit and per-gate calibration)."""
    n = spec.num_qubits
    rng = spec.rng("properties")
    t1 = _lognormal(rng, spec.t1_us, 0.35, n)
    t2 = np.minimum(_lognormal(rng, spec.t2_us, 0.45, n), 2 * t1)
    freq = spec.frequency_ghz + 0.12 * rng.standard_normal(n)
    readout = np.clip(_lognormal(rng, spec.readout_error, 0.7, n), 2e-3, 0.35)
    asym = rng.uniform(0.55, 0.75, n)  # 1 -> 0 decay during readout dominates
    qubits = [
        [
            _nduv("T1", "us", t1[q]),
            _nduv("T2", "us", t2[q]),
            _nduv("frequency", "GHz", freq[q]),
            _nduv("anharmonicity", "GHz", -0.31 + 0.01 * rng.standard_normal()),
            _nduv("readout_error", "", readout[q]),
            _nduv("prob_meas0_prep1", "", 2 * readout[q] * asym[q]),
            _nduv("prob_meas1_prep0", "", 2 * readout[q] * (1 - asym[q])),
            _nduv("readout_length", "ns", spec.readout_length_ns),
        ]
        for q in range(n)
    ]
    gates: list[dict[str, Any]] = []
    sq_error = np.clip(_lognormal(rng, spec.single_qubit_error, 0.5, n), 5e-5, 0.05)
    for gate in ("id", "rz", "sx", "x"):
        for q in range(n):
            error, length = (
                (0.0, 0.0) if gate == "rz" else (sq_error[q], spec.single_qubit_length_ns)
            )
            gates.append(_gate(gate, [q], error, length))
    edges = spec.directed_edges()
    tq_error = np.clip(_lognormal(rng, spec.two_qubit_error, 0.45, len(edges)), 1e-3, 0.2)
    if spec.two_qubit_gate == "cz":  # both directions of a coupler are the same gate
        by_pair = {tuple(sorted(e)): err for e, err in zip(edges, tq_error)}
        tq_error = np.array([by_pair[tuple(sorted(e))] for e in edges])
    for (a, b), error in zip(edges, tq_error):
        gates.append(_gate(spec.two_qubit_gate, [a, b], error, spec.two_qubit_length_ns))
    for q in range(n):
        gates.append(
            {
                "qubits": [q],
                "gate": "reset",
                "parameters": [_nduv("gate_length", "ns", spec.readout_length_ns + 300)],
                "name": f"reset{q}",
            }
        )
    return {
        "backend_name": spec.name,
        "backend_version": spec.backend_version,
        "last_update_date": CALIBRATION_DATE,
        "qubits": qubits,
        "gates": gates,
        "general": [],
        "general_qlists": [],
    }


def _gate(name: str, qubits: list[int], error: float, length: float) -> dict[str, Any]:
    return {
        "qubits": qubits,
        "gate": name,
        "parameters": [_nduv("gate_error", "", error), _nduv("gate_length", "ns", length)],
        "name": f"{name}{'_'.join(map(str, qubits))}",
    }
