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

__all__ = ["select_backends", "queue_length", "BackendQueries"]


def select_backends(
    service: RuntimeService,
    name: str | None,
    min_num_qubits: int | None,
    operational: bool | None,
    simulator: bool | None,
    dynamic_circuits: bool | None,
    filters: Callable[[RestBackend], bool] | None,
    attributes: dict[str, Any],
    include_mocks: bool = False,
) -> list[tuple[RestBackend, dict[str, Any]]]:
    """``(backend, list entry)`` of every backend passing all the filters, in list order."""
    out = []
    for device in service.backends_api.list():
        mock = device.get("class") == "mock" and not include_mocks
        if mock or (name and device["name"] != name):
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


class BackendQueries:
    """``RuntimeService``'s backend listing, with qiskit-ibm-runtime 0.51's signatures."""

    # Provided by RuntimeService.
    backend: Callable[..., RestBackend]
    _check_instance: Callable[[str | None], None]

    def backends(
        self,
        name: str | None = None,
        min_num_qubits: int | None = None,
        instance: str | None = None,
        dynamic_circuits: bool | None = None,
        filters: Callable[[RestBackend], bool] | None = None,
        *,
        operational: bool | None = None,
        simulator: bool | None = None,
        use_fractional_gates: bool = False,
        calibration_id: str | None = None,
        include_mocks: bool = False,
        **attributes: Any,
    ) -> list[RestBackend]:
        """The instance's backends that pass every filter given.

        Args:
            name: Only the backend of that name.
            min_num_qubits: At least that many qubits.
            instance: Must be the service's instance if given.
            dynamic_circuits: Whether the backend supports dynamic circuits.
            filters: Any predicate on the backend.
            operational: Whether the backend accepts jobs now.
            simulator: Simulators (``True``) or devices (``False``).
            use_fractional_gates: Return backends whose targets keep ``rx``/``rzz``.
            calibration_id: Return backends read for that calibration.
            include_mocks: Keep devices the service lists as mocks.
            **attributes: Configuration (or status) attributes that must have these values.
        """
        self._check_instance(instance)
        found = select_backends(
            self,  # type: ignore[arg-type]
            name,
            min_num_qubits,
            operational,
            simulator,
            dynamic_circuits,
            filters,
            attributes,
            include_mocks,
        )
        if use_fractional_gates or calibration_id:
            return [
                self.backend(
                    backend.name,
                    use_fractional_gates=use_fractional_gates,
                    calibration_id=calibration_id,
                )
                for backend, _ in found
            ]
        return [backend for backend, _ in found]

    def least_busy(
        self,
        min_num_qubits: int | None = None,
        instance: str | None = None,
        filters: Callable[[RestBackend], bool] | None = None,
        use_fractional_gates: bool = False,
        **kwargs: Any,
    ) -> RestBackend:
        """The operational backend with the shortest queue among those matching the filters.

        Raises:
            BackendNotFoundError: No backend matches.
        """
        from ..exceptions import BackendNotFoundError

        self._check_instance(instance)
        kwargs.pop("operational", None)
        name = kwargs.pop("name", None)
        flags = {key: kwargs.pop(key, None) for key in ("simulator", "dynamic_circuits")}
        candidates = select_backends(
            self,  # type: ignore[arg-type]
            name,
            min_num_qubits,
            True,
            flags["simulator"],
            flags["dynamic_circuits"],
            filters,
            kwargs,
        )
        if not candidates:
            raise BackendNotFoundError("No operational backend matches the criteria.")
        best = min(candidates, key=lambda pair: queue_length(*pair))[0]
        if use_fractional_gates:
            return self.backend(best.name, use_fractional_gates=True)
        return best
