"""Drop-in Qiskit primitives over IBM Quantum's runtime REST API.

``from qiskit_rest_provider import EstimatorV2, SamplerV2, RuntimeService`` is all most users
need; every exception (and qiskit-ibm-runtime's name for it) is importable from here too.
Exports are lazy so that importing the package costs no more than Qiskit itself.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import TYPE_CHECKING, Any

from .version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())
if os.environ.get("QISKIT_REST_LOG_LEVEL"):
    from .log_config import configure_from_env

    configure_from_env()

_EXPORTS = {
    "EstimatorV2": "qiskit_rest_provider.primitives.estimator",
    "SamplerV2": "qiskit_rest_provider.primitives.sampler",
    "EstimatorOptions": "qiskit_rest_provider.primitives.options",
    "SamplerOptions": "qiskit_rest_provider.primitives.options",
    "RuntimeService": "qiskit_rest_provider.service.runtime",
    "QiskitRuntimeService": "qiskit_rest_provider.service.runtime",
    "RuntimeJob": "qiskit_rest_provider.service.job",
    "RestBackend": "qiskit_rest_provider.service.backend",
    "Session": "qiskit_rest_provider.service.execution",
    "Batch": "qiskit_rest_provider.service.execution",
    "CloudTranspiler": "qiskit_rest_provider.service.transpiler",
}

__all__ = ["__version__", *_EXPORTS]
_EXCEPTION_MODULES = ("qiskit_rest_provider.exceptions", "qiskit_rest_provider.http.errors")

if TYPE_CHECKING:  # pragma: no cover
    # ruff: noqa: F401 - names re-exported lazily through __getattr__
    from .exceptions import *  # noqa: F403
    from .primitives.estimator import EstimatorV2
    from .primitives.options import EstimatorOptions, SamplerOptions
    from .primitives.sampler import SamplerV2
    from .service.backend import RestBackend
    from .service.execution import Batch, Session
    from .service.job import RuntimeJob
    from .service.runtime import QiskitRuntimeService, RuntimeService
    from .service.transpiler import CloudTranspiler


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None and (name.endswith("Error") or name.startswith(("IBM", "Runtime"))):
        # Every public exception (and qiskit-ibm-runtime's names for them), loaded on demand;
        # the transport's own (redirects, size caps, logout) live beside it in http/errors.
        module = next(
            (m for m in _EXCEPTION_MODULES if name in importlib.import_module(m).__all__), None
        )
    if module is None:
        raise AttributeError(f"module 'qiskit_rest_provider' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
