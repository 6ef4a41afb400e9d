"""The emulator's device catalogue: the backends it serves, with their calibration and noise.

``ibmq_qasm_simulator`` is a noiseless all-to-all simulator (:mod:`.base`). Device backends
(Eagle-like ``ibm_brisbane``, Heron-like ``ibm_torino``, :mod:`.hardware`) carry seeded,
realistic calibration data in IBM's JSON formats (:mod:`.calibration`, on heavy-hex coupling
maps from :mod:`.topology`), a ``Target`` built from it, an ISA check and an Aer noise model
(:mod:`.noise`).

Import rule: this room imports ``codec.target`` (the one JSON -> Target converter) and the
engine's ISA check (``engine.isa``), never the engine's runners, the routes or the job store;
the rest of the emulator imports it.
"""

from __future__ import annotations

from .base import SIMULATOR_BASIS_GATES, EmulatedBackend, simulator_backend
from .hardware import DeviceBackend, device_backends

__all__ = [
    "DeviceBackend",
    "EmulatedBackend",
    "SIMULATOR_BASIS_GATES",
    "default_backends",
    "device_backends",
    "simulator_backend",
]


def default_backends(*, noiseless: bool = False) -> dict[str, EmulatedBackend]:
    """The catalogue, by name; ``noiseless`` runs device backends without noise."""
    simulator = simulator_backend()
    backends = {simulator.name: simulator}
    for backend in device_backends(noiseless=noiseless):
        backends[backend.name] = backend
    return backends
