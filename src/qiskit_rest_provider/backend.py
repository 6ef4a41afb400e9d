"""``RestBackend``: a Qiskit ``BackendV2`` describing one backend of the service.

It exists to carry a name and a ``Target`` (for transpiling and validation); circuits run
through :class:`~qiskit_rest_provider.SamplerV2` and :class:`~qiskit_rest_provider.EstimatorV2`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qiskit.providers import BackendV2, Options
from qiskit.transpiler import Target

from .target import target_from_json

if TYPE_CHECKING:
    from .service import RuntimeService

__all__ = ["RestBackend"]


class RestBackend(BackendV2):
    """A backend of the runtime REST API.

    Args:
        service: The service the backend belongs to.
        configuration: The backend's configuration JSON.
    """

    def __init__(self, service: RuntimeService, configuration: dict[str, Any]) -> None:
        super().__init__(
            name=configuration["backend_name"],
            backend_version=str(configuration.get("backend_version", "")),
            online_date=None,
        )
        self.service = service
        self._configuration = configuration
        self._properties: dict[str, Any] | None = None
        self._target: Target | None = None

    def __repr__(self) -> str:
        return f"<RestBackend('{self.name}')>"

    @property
    def simulator(self) -> bool:
        """Whether this is a simulator rather than a device."""
        return bool(self._configuration.get("simulator", False))

    def configuration(self) -> dict[str, Any]:
        """The configuration JSON (cached)."""
        return self._configuration

    def properties(self, refresh: bool = False) -> dict[str, Any]:
        """The properties JSON (calibration data); ``{}`` for simulators."""
        if self._properties is None or refresh:
            self._properties = (
                {} if self.simulator else self.service.backends_api.properties(self.name)
            )
        return self._properties

    def status(self) -> dict[str, Any]:
        """The status JSON (``state``, ``status``, ``length_queue``...)."""
        return self.service.backends_api.status(self.name)

    @property
    def target(self) -> Target:
        """The backend's ``Target`` (built once from configuration and properties)."""
        if self._target is None:
            self._target = target_from_json(self._configuration, self.properties())
        return self._target

    @property
    def max_circuits(self) -> int | None:
        """No fixed limit: the service limits executions, not circuits."""
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options()

    def run(self, run_input: Any, **options: Any) -> Any:
        """Not supported: use the primitives."""
        raise NotImplementedError(
            "RestBackend.run() is not supported; use SamplerV2(mode=backend) or "
            "EstimatorV2(mode=backend) from qiskit_rest_provider."
        )
