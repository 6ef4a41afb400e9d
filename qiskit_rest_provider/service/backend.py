"""``RestBackend``: a Qiskit ``BackendV2`` describing one backend of the service.

It exists to carry a name and a ``Target`` (for transpiling and validation); circuits run
through :class:`~qiskit_rest_provider.SamplerV2` and :class:`~qiskit_rest_provider.EstimatorV2`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qiskit.providers import BackendV2, Options
from qiskit.transpiler import Target

from ..codec.target import faulty_gates, faulty_qubits, target_from_json
from ..exceptions import InvalidInputError

if TYPE_CHECKING:
    from qiskit.circuit import QuantumCircuit

    from .runtime import RuntimeService

__all__ = ["RestBackend", "BackendStatus"]


@dataclass(frozen=True)
class BackendStatus:
    """A backend's status, with the attribute names of qiskit-ibm-runtime's ``BackendStatus``.

    Attributes:
        backend_name: The backend.
        backend_version: Its version string.
        operational: Whether it accepts jobs (the API's ``state``).
        pending_jobs: Jobs waiting in its queue.
        status_msg: ``"active"``, ``"maintenance"``...
        raw: The ``GET /backends/{name}/status`` JSON as received.
    """

    backend_name: str
    backend_version: str
    operational: bool
    pending_jobs: int
    status_msg: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> BackendStatus:
        """Parse the API's status object (``state``, ``status``, ``length_queue``...)."""
        return cls(
            backend_name=name,
            backend_version=str(data.get("backend_version", "")),
            operational=bool(data.get("state", data.get("operational", False))),
            pending_jobs=max(int(data.get("length_queue", data.get("pending_jobs", 0)) or 0), 0),
            status_msg=str(data.get("status", data.get("status_msg", ""))),
            raw=dict(data),
        )

    def __getitem__(self, key: str) -> Any:
        # The 0.1 API returned the raw dict; keep ``status()["state"]`` working.
        return self.raw[key]

    def to_dict(self) -> dict[str, Any]:
        """The qiskit-style fields as a dict."""
        return {
            "backend_name": self.backend_name,
            "backend_version": self.backend_version,
            "operational": self.operational,
            "pending_jobs": self.pending_jobs,
            "status_msg": self.status_msg,
        }


class RestBackend(BackendV2):
    """A backend of the runtime REST API.

    The configuration comes with the object; properties (calibration data) and the ``Target``
    are fetched on first use and cached until :meth:`refresh`.

    Args:
        service: The service the backend belongs to.
        configuration: The backend's configuration JSON.
        use_fractional_gates: Keep ``rx``/``rzz`` in a device's target.
    """

    def __init__(
        self,
        service: RuntimeService,
        configuration: dict[str, Any],
        *,
        use_fractional_gates: bool = False,
    ) -> None:
        super().__init__(
            name=configuration["backend_name"],
            backend_version=str(configuration.get("backend_version", "")),
            online_date=None,
        )
        self.service = service
        self._configuration = configuration
        self._properties: dict[str, Any] | None = None
        self._target: Target | None = None
        self._fractional = use_fractional_gates
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<RestBackend('{self.name}')>"

    @property
    def simulator(self) -> bool:
        """Whether this is a simulator rather than a device."""
        return bool(self._configuration.get("simulator", False))

    @property
    def num_qubits_hint(self) -> int:
        """Width from the configuration alone (``num_qubits`` builds the target)."""
        return int(
            self._configuration.get("n_qubits") or self._configuration.get("num_qubits") or 0
        )

    def configuration(self) -> dict[str, Any]:
        """The configuration JSON (cached)."""
        return self._configuration

    def properties(self, refresh: bool = False) -> dict[str, Any]:
        """The properties JSON (calibration data); ``{}`` for simulators.

        Args:
            refresh: Fetch them again (and rebuild the target on next use).
        """
        with self._lock:
            if self._properties is None or refresh:
                self._properties = (
                    {} if self.simulator else self.service.backends_api.properties(self.name)
                )
                if refresh:
                    self._target = None
            return self._properties

    def refresh(self) -> None:
        """Re-read configuration and properties; the target is rebuilt on next use."""
        self._configuration = self.service.backends_api.configuration(self.name)
        self.properties(refresh=True)

    def status(self) -> BackendStatus:
        """The live status (``operational``, ``pending_jobs``, ``status_msg``); one request."""
        return BackendStatus.from_json(self.name, self.service.backends_api.status(self.name))

    @property
    def target(self) -> Target:
        """The backend's ``Target`` (built once from configuration and properties)."""
        target = self._target
        if target is None:
            properties = self.properties()
            with self._lock:
                if self._target is None:
                    self._target = target_from_json(
                        self._configuration,
                        properties,
                        include_fractional_gates=True if self.simulator else self._fractional,
                    )
                target = self._target
        return target

    @property
    def dt(self) -> float | None:
        """Sample time in seconds, if the configuration gives one."""
        return self._configuration.get("dt")

    @property
    def max_circuits(self) -> int | None:
        """No fixed limit: the service limits executions, not circuits."""
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options()

    def faulty_qubits(self) -> list[int]:
        """Qubits the latest calibration marks as not operational."""
        return sorted(faulty_qubits(self.properties()))

    def check_faulty(self, circuit: QuantumCircuit) -> None:
        """Raise if ``circuit`` (an ISA circuit) uses a faulty qubit or gate.

        Raises:
            InvalidInputError: Names the instruction and the faulty qubit or edge.
        """
        bad_qubits = faulty_qubits(self.properties())
        bad_gates = faulty_gates(self.properties())
        if not bad_qubits and not bad_gates:
            return
        for instruction in circuit.data:
            qargs = tuple(circuit.find_bit(q).index for q in instruction.qubits)
            hit = bad_qubits.intersection(qargs)
            if hit or (instruction.operation.name, qargs) in bad_gates:
                where = f"faulty qubit {sorted(hit)[0]}" if hit else f"faulty edge {qargs}"
                raise InvalidInputError(
                    f"Circuit {circuit.name!r} uses {where} of {self.name} "
                    f"({instruction.operation.name} on {qargs}); transpile it again for "
                    "backend.target, which leaves faulty qubits out."
                )

    def run(self, run_input: Any, **options: Any) -> Any:
        """Not supported: use the primitives."""
        raise NotImplementedError(
            "RestBackend.run() is not supported; use SamplerV2(mode=backend) or "
            "EstimatorV2(mode=backend) from qiskit_rest_provider."
        )
