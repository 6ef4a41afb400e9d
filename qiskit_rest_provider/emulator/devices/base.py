"""The backend every emulated device is: configuration/properties JSON, Target and noise.

:class:`EmulatedBackend` is also ``ibmq_qasm_simulator`` itself, a noiseless all-to-all
simulator (:func:`simulator_backend`); the hardware-like devices subclass it in
:mod:`.hardware`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from qiskit.transpiler import Target

__all__ = ["EmulatedBackend", "simulator_backend", "SIMULATOR_BASIS_GATES"]

logger = logging.getLogger(__name__)

SIMULATOR_BASIS_GATES = [
    "id",
    "x",
    "y",
    "z",
    "h",
    "s",
    "sdg",
    "t",
    "tdg",
    "sx",
    "sxdg",
    "rx",
    "ry",
    "rz",
    "p",
    "u",
    "u1",
    "u2",
    "u3",
    "cx",
    "cy",
    "cz",
    "ch",
    "cp",
    "crx",
    "cry",
    "crz",
    "cu",
    "swap",
    "ccx",
    "cswap",
    "ecr",
    "rzz",
    "rxx",
    "ryy",
    "rzx",
    "iswap",
    "cs",
    "csdg",
    "csx",
    "ccz",
    "dcx",
    "r",
    "measure",
    "reset",
    "delay",
]
_ONLINE_DATE = "2019-05-02T00:00:00Z"


class EmulatedBackend:
    """One backend the emulator serves.

    Attributes:
        name: Backend name (``ibmq_qasm_simulator``, ``ibm_brisbane``...).
        num_qubits: Width.
        simulator: True for the noiseless simulator.
    """

    def __init__(
        self,
        name: str,
        configuration: dict[str, Any],
        properties: dict[str, Any] | None = None,
        *,
        noiseless: bool = False,
        summary: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self._configuration = configuration
        self._properties = properties
        self._summary = summary or {}
        self.num_qubits = int(configuration["n_qubits"])
        self.simulator = bool(configuration.get("simulator", False))
        self.noiseless = noiseless or self.simulator
        self.calibration_id = None if properties is None else _calibration_id(name, properties)

    def configuration(self) -> dict[str, Any]:
        """IBM qobj-style configuration JSON (a fresh copy)."""
        import copy

        return copy.deepcopy(self._configuration)

    def properties(self) -> dict[str, Any] | None:
        """IBM properties JSON, or ``None`` for the simulator."""
        import copy

        return copy.deepcopy(self._properties)

    def status(self) -> dict[str, Any]:
        """``GET /backends/{name}/status`` body."""
        return {
            "state": True,
            "status": "active",
            "message": "",
            "length_queue": 0,
            "backend_version": self._configuration.get("backend_version", "1.0.0"),
        }

    def device_summary(self) -> dict[str, Any]:
        """One item of ``GET /backends`` ``devices`` (research §2)."""
        summary = {
            "name": self.name,
            "status": {"name": "online"},
            "is_simulator": self.simulator,
            "qubits": self.num_qubits,
            # programmable + reset qubits + couplers on IBM's chips; all programmable here
            "physical_qubits": self.num_qubits,
            "queue_length": 0,
            "processor_type": self._configuration.get("processor_type", {}),
        }
        if self.calibration_id is not None:
            summary["calibration_id"] = self.calibration_id
        summary.update(self._summary)
        return summary

    @functools.cached_property
    def target(self) -> Target:
        """A ``Target`` built from the configuration (device subclasses add properties)."""
        basis = [g for g in self._configuration["basis_gates"] if g != "barrier"]
        return Target.from_configuration(basis_gates=basis, num_qubits=self.num_qubits)

    def noise_model(self, qubits: Any = None, readout: bool = True, twirled: bool = False) -> Any:
        """The qiskit-aer noise model of ``qubits`` (renumbered), or ``None`` when noiseless."""
        return None

    def readout_errors(self) -> list[tuple[float, float]]:
        """``(P(1|0), P(0|1))`` per qubit (zero for the noiseless simulator)."""
        return [(0.0, 0.0)] * self.num_qubits

    def check_isa(self, circuit: Any, index: int) -> None:
        """Raise ``JobInputError`` if ``circuit`` is not ISA for this backend (devices only)."""
        return None


def _calibration_id(name: str, properties: dict[str, Any]) -> str:
    """A stable id of the backend's one calibration (name and calibration date)."""
    import hashlib

    stamp = f"{name}:{properties.get('last_update_date', '')}".encode()
    return hashlib.sha256(stamp).hexdigest()[:24]


def _simulator_configuration(num_qubits: int = 32) -> dict[str, Any]:
    return {
        "backend_name": "ibmq_qasm_simulator",
        "backend_version": "0.18.2",
        "n_qubits": num_qubits,
        "basis_gates": list(SIMULATOR_BASIS_GATES),
        "gates": [
            {"name": g, "parameters": [], "qasm_def": ""}
            for g in SIMULATOR_BASIS_GATES
            if g not in ("measure", "reset", "delay", "barrier")
        ],
        "coupling_map": None,
        "local": False,
        "simulator": True,
        "conditional": True,
        "open_pulse": False,
        "memory": True,
        "max_shots": 10_000_000,
        "max_experiments": 300,
        "coords": [],
        "u_channel_lo": [],
        "online_date": _ONLINE_DATE,
        "supported_instructions": list(SIMULATOR_BASIS_GATES),
        "supported_features": ["qasm3"],
        "dynamic_reprate_enabled": False,
        "processor_type": {"family": "Simulator", "revision": "1"},
        "description": "Noiseless statevector / qiskit-aer simulator (emulated).",
        "credits_required": False,
        "conditional_latency": [],
        "acquisition_latency": [],
    }


def simulator_backend() -> EmulatedBackend:
    """``ibmq_qasm_simulator``: noiseless, all-to-all, 32 qubits."""
    return EmulatedBackend("ibmq_qasm_simulator", _simulator_configuration())
