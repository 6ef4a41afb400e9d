"""A local stand-in for IBM Quantum's runtime REST API, backed by a real simulator.

``start_emulator()`` runs one in-process (tests, demos); ``python -m
qiskit_rest_provider.emulator`` or ``qiskit-rest-emulator`` runs one as a service. See
docs/emulator.md. Heavy modules (FastAPI, uvicorn, Qiskit, Aer) load only when a server starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._extra import require_emulator_extra

require_emulator_extra()  # the error names the extra to install, not only a missing module

__all__ = ["start_emulator", "EmulatorServer", "EmulatorConfig", "FaultInjector", "Fault"]

_EXPORTS = {
    "start_emulator": ".server",
    "EmulatorServer": ".server",
    "EmulatorConfig": ".config",
    "FaultInjector": ".faults",
    "Fault": ".faults",
}

if TYPE_CHECKING:  # pragma: no cover
    from .config import EmulatorConfig
    from .faults import Fault, FaultInjector
    from .server import EmulatorServer, start_emulator


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
