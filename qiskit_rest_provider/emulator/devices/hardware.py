"""Emulated IBM devices: ``ibm_brisbane`` (Eagle r3) and ``ibm_torino`` (Heron r1)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.transpiler import Target

from .base import EmulatedBackend
from .calibration import DeviceSpec, build_configuration, build_properties
from .topology import eagle_edges, heron_edges

__all__ = ["DeviceBackend", "device_backends", "SPECS"]

_CACHES = ("_noise_lock", "_noise", "_gates")  # not sent to worker processes

SPECS = {
    "ibm_brisbane": DeviceSpec(
        name="ibm_brisbane",
        family="Eagle",
        revision=3,
        num_qubits=127,
        edges=tuple(eagle_edges()),
        two_qubit_gate="ecr",
        two_qubit_error=7.5e-3,
        two_qubit_length_ns=660.0,
        single_qubit_error=2.4e-4,
        single_qubit_length_ns=60.0,
        readout_error=1.3e-2,
        readout_length_ns=1300.0,
        t1_us=230.0,
        t2_us=145.0,
        frequency_ghz=4.85,
        clops=180_000,
        backend_version="1.1.71",
        online_date="2022-11-15T05:00:00Z",
    ),
    "ibm_torino": DeviceSpec(
        name="ibm_torino",
        family="Heron",
        revision=1,
        num_qubits=133,
        edges=tuple(heron_edges()),
        two_qubit_gate="cz",
        two_qubit_error=3.2e-3,
        two_qubit_length_ns=84.0,
        single_qubit_error=3.0e-4,
        single_qubit_length_ns=32.0,
        readout_error=2.2e-2,
        readout_length_ns=1560.0,
        t1_us=170.0,
        t2_us=130.0,
        frequency_ghz=4.95,
        clops=210_000,
        backend_version="1.0.32",
        online_date="2023-12-01T05:00:00Z",
    ),
}


class DeviceBackend(EmulatedBackend):
    """A device with calibration JSON, a ``Target``, an ISA check and a noise model."""

    def __init__(self, spec: DeviceSpec, *, noiseless: bool = False) -> None:
        super().__init__(
            spec.name, build_configuration(spec), build_properties(spec), noiseless=noiseless
        )
        self.spec = spec
        self._noise_lock = threading.Lock()
        self._noise: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._gates: dict[tuple[Any, ...], Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Sent to job worker processes: without the lock and the caches (rebuilt there).
        state = {k: v for k, v in self.__dict__.items() if k not in _CACHES}
        state.pop("target", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._noise_lock = threading.Lock()
        self._noise = OrderedDict()
        self._gates = {}

    @functools.cached_property
    def target(self) -> Target:
        """Target with gate durations/errors and qubit T1/T2 from the properties."""
        from ...codec.target import target_from_json

        target = target_from_json(self._configuration, self._properties)
        # What the device adds to IBM's conversion: its description, and that all its qubits
        # are measured together (IBM's Eagle/Heron multiplex every readout).
        target.description = self._configuration.get("description")
        target.concurrent_measurements = [list(range(self.num_qubits))]
        return target

    def noise_model(
        self, qubits: Sequence[int] | None = None, readout: bool = True, twirled: bool = False
    ) -> Any:
        """The Aer noise model of ``qubits`` renumbered ``0..k-1`` (default: all qubits).

        ``None`` when the backend is noiseless. Models are cached per qubit tuple.
        ``readout=False`` leaves readout errors out (the engine applies them itself);
        ``twirled=True`` Pauli-twirls the two-qubit gate errors (gate twirling).
        """
        if self.noiseless:
            return None
        qubits = tuple(range(self.num_qubits) if qubits is None else qubits)
        key = (*qubits, readout, twirled)
        with self._noise_lock:
            if key not in self._noise:
                from .noise import build_noise_model

                self._noise[key] = build_noise_model(
                    self.target,
                    self.readout_errors(),
                    qubits,
                    with_readout=readout,
                    twirled=twirled,
                )
                while len(self._noise) > 32:
                    self._noise.popitem(last=False)
            self._noise.move_to_end(key)
            return self._noise[key]

    def gate_noise(self, name: str, qubits: Sequence[int], twirled: bool = False) -> Any:
        """The error of gate ``name`` on device ``qubits`` as a :class:`.channels.GateNoise`.

        The same channel as that gate's error in :meth:`noise_model`, as a mixture that the
        engine samples itself (``engine/trajectories.py``); ``None`` for an exact gate or a
        noiseless backend. Cached per gate and qubits (each costs well under a millisecond).
        """
        if self.noiseless:
            return None
        key = (name, tuple(qubits), twirled)
        if key not in self._gates:
            from .channels import gate_noise

            self._gates[key] = gate_noise(self.target, name, tuple(qubits), twirled=twirled)
        return self._gates[key]

    def readout_errors(self) -> list[tuple[float, float]]:
        """``(P(1|0), P(0|1))`` per qubit, for measurement-mitigation shortcuts."""
        from .noise import readout_probabilities

        return readout_probabilities(self._properties or {})

    def check_isa(self, circuit: Any, index: int) -> None:
        """Raise ``JobInputError`` (1003/1005) if ``circuit`` is not ISA for this device."""
        from ..engine.isa import check_isa

        check_isa(self.target, circuit, index, self.name)

    def device_summary(self) -> dict[str, Any]:
        """One item of ``GET /backends`` with IBM's performance metrics."""
        props = self._properties or {}
        two_q = [g for g in props["gates"] if g["gate"] == self.spec.two_qubit_gate]
        errors = np.array([g["parameters"][0]["value"] for g in two_q])
        readout = [
            next(i["value"] for i in q if i["name"] == "readout_error") for q in props["qubits"]
        ]
        # EPLG-like: per-gate error of a 100-qubit chain (99 gates) through the median errors.
        chain = np.sort(errors)[len(errors) // 2 - 49 : len(errors) // 2 + 50]
        layered = 1 - np.prod(1 - chain) ** (1 / len(chain))
        return {
            **super().device_summary(),
            "clops": {"type": "hardware", "value": self.spec.clops},
            "processor_type": {"family": self.spec.family, "revision": str(self.spec.revision)},
            "performance_metrics": {
                "two_q_error_best": float(errors.min()),
                "two_q_error_layered": float(layered),
                "two_q_error_median": float(np.median(errors)),
                "readout_error_median": float(np.median(readout)),
            },
        }


def device_backends(*, noiseless: bool = False) -> list[DeviceBackend]:
    """Fresh device backends (Targets and noise models are built lazily)."""
    return [DeviceBackend(spec, noiseless=noiseless) for spec in SPECS.values()]
