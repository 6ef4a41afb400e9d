"""Which backends pass the filters of ``RuntimeService.backends()`` / ``least_busy()``.

Cheap checks use the ``GET /backends`` list entry (qubits, simulator, online), so only the
configurations of backends that may still match are fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .backend import RestBackend

if TYPE_CHECKING:
    from .runtime import RuntimeService

__all__ = ["select_backends", "queue_length"]


def select_backends(
    service: RuntimeService,
    name: str | None,
    min_num_qubits: int | None,
    operational: bool | None,
    simulator: bool | None,
    dynamic_circuits: bool | None,
    filters: Callable[[RestBackend], bool] | None,
    attributes: dict[str, Any],
) -> list[tuple[RestBackend, dict[str, Any]]]:
    """``(backend, list entry)`` of every backend passing all the filters, in list order."""
    out = []
    for device in service.backends_api.list():
        if device.get("class") == "mock" or (name and device["name"] != name):
            continue
        # Cheap checks on the list entry first, so we fetch only configurations we keep.
        if "qubits" in device and min_num_qubits and device["qubits"] < min_num_qubits:
            continue
        if simulator is not None and "is_simulator" in device:
            if bool(device["is_simulator"]) != simulator:
                continue
        backend = service.backend(device["name"])
        config = backend.configuration()
        if min_num_qubits and backend.num_qubits_hint < min_num_qubits:
            continue
        if simulator is not None and backend.simulator != simulator:
            continue
        if dynamic_circuits is not None:
            features = config.get("supported_features") or []
            if ("qasm3" in features or "dynamic_circuits" in features) != dynamic_circuits:
                continue
        if operational is not None and _operational(backend, device) != operational:
            continue
        if any(_attribute(backend, k) != v for k, v in attributes.items()):
            continue
        if filters is not None and not filters(backend):
            continue
        out.append((backend, device))
    return out


def _operational(backend: RestBackend, device: dict[str, Any]) -> bool:
    status = device.get("status")
    if isinstance(status, dict) and "name" in status:
        return bool(status["name"] == "online")
    return backend.status().operational


def queue_length(backend: RestBackend, device: dict[str, Any]) -> int:
    """Jobs waiting, from the list entry or else the status endpoint."""
    queue = device.get("queue_length")
    return int(queue) if queue is not None else backend.status().pending_jobs


def _attribute(backend: RestBackend, key: str) -> Any:
    config = backend.configuration()
    if key in config:
        return config[key]
    return getattr(backend.status(), key, None)
