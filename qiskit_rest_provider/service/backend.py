"""``RestBackend``: a Qiskit ``BackendV2`` describing one backend of the service.

It exists to carry a name and a ``Target`` (for transpiling and validation); circuits run
through :class:`~qiskit_rest_provider.SamplerV2` and :class:`~qiskit_rest_provider.EstimatorV2`.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime as Datetime
from typing import TYPE_CHECKING, Any

from qiskit.providers import BackendV2, Options
from qiskit.transpiler import Target

from ..codec.target import faulty_gates, faulty_qubits, target_from_json
from ..exceptions import InvalidInputError
from .backend_models import BackendConfiguration, BackendProperties

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
    are fetched on first use and cached until :meth:`refresh`. Configuration fields read as
    attributes too (``backend.basis_gates``, ``backend.n_qubits``), as in qiskit-ibm-runtime.
    ``copy.deepcopy`` shares the service; pickling carries the service's account.

    Args:
        service: The service the backend belongs to.
        configuration: The backend's configuration JSON.
        use_fractional_gates: Keep ``rx``/``rzz`` in a device's target.
        calibration_id: The calibration the configuration and properties were read for.
        physical_qubits: Physical qubits of the device, from ``GET /backends`` when known.
    """

    def __init__(
        self,
        service: RuntimeService,
        configuration: dict[str, Any],
        *,
        use_fractional_gates: bool = False,
        calibration_id: str | None = None,
        physical_qubits: int | None = None,
    ) -> None:
        super().__init__(
            name=configuration["backend_name"],
            backend_version=str(configuration.get("backend_version", "")),
            online_date=None,
        )
        self.service = service
        self._configuration = BackendConfiguration(configuration)
        self._properties: BackendProperties | None = None
        self._target: Target | None = None
        self._fractional = use_fractional_gates
        self._calibration_id = calibration_id
        self._physical_qubits = physical_qubits
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the class lacks: fall back to the configuration's fields.
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return getattr(self.__dict__["_configuration"], name)
        except (KeyError, AttributeError):
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'"
            ) from None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> RestBackend:
        clone = copy.copy(self)  # shares the service (its connection and token), as theirs
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key not in ("service", "_lock"):
                clone.__dict__[key] = copy.deepcopy(value, memo)
        clone._lock = threading.Lock()
        return clone

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

    @property
    def calibration_id(self) -> str | None:
        """The calibration this backend was read for (``None``: the latest)."""
        return self._calibration_id

    def _list_entry(self) -> dict[str, Any]:
        entries = [d for d in self.service.backends_api.list() if d.get("name") == self.name]
        return entries[0] if entries else {}

    @property
    def physical_qubits(self) -> int | None:
        """Physical qubits of the device as ``GET /backends`` lists them (``None`` if not)."""
        if self._physical_qubits is None:
            self._physical_qubits = self._list_entry().get("physical_qubits")
        return self._physical_qubits

    @property
    def is_mock(self) -> bool:
        """Whether ``GET /backends`` lists this backend as a mock device."""
        return self._list_entry().get("class") == "mock"

    def configuration(self) -> BackendConfiguration:
        """The configuration (cached): a dict of the JSON with attribute access."""
        return self._configuration

    def properties(
        self, refresh: bool = False, datetime: Datetime | None = None
    ) -> BackendProperties | None:
        """The calibration data (cached); ``None`` for simulators, as qiskit-ibm-runtime.

        Args:
            refresh: Fetch them again (and rebuild the target on next use).
            datetime: The calibration in force at that time instead (not cached).

        Raises:
            TypeError: ``refresh`` is not a bool or ``datetime`` not a ``datetime``.
        """
        if not isinstance(refresh, bool):
            raise TypeError(f"The 'refresh' argument needs to be a boolean, got {refresh!r}.")
        if datetime is not None and not isinstance(datetime, Datetime):
            raise TypeError(f"'{datetime}' is not of type 'datetime'.")
        if self.simulator:
            return None
        which = {"calibration_id": self._calibration_id} if self._calibration_id else {}
        if datetime is not None:
            api = self.service.backends_api
            return BackendProperties(api.properties(self.name, datetime=datetime, **which))
        with self._lock:
            if self._properties is None or refresh:
                self._properties = BackendProperties(
                    self.service.backends_api.properties(self.name, **which)
                )
                if refresh:
                    self._target = None
            return self._properties

    def target_history(self, datetime: Datetime | None = None) -> Target:
        """The ``Target`` built from the calibration in force at ``datetime`` (latest if None)."""
        return target_from_json(
            self._configuration,
            self.properties(datetime=datetime) or {},
            include_fractional_gates=True if self.simulator else self._fractional,
        )

    def refresh(self) -> None:
        """Re-read configuration and properties; the target is rebuilt on next use."""
        which = {"calibration_id": self._calibration_id} if self._calibration_id else {}
        self._configuration = BackendConfiguration(
            self.service.backends_api.configuration(self.name, **which)
        )
        self.properties(refresh=True)

    def status(self) -> BackendStatus:
        """The live status (``operational``, ``pending_jobs``, ``status_msg``); one request."""
        return BackendStatus.from_json(self.name, self.service.backends_api.status(self.name))

    @property
    def target(self) -> Target:
        """The backend's ``Target`` (built once from configuration and properties)."""
        target = self._target
        if target is None:
            properties: Mapping[str, Any] = self.properties() or {}
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
        return sorted(faulty_qubits(self.properties() or {}))

    def check_faulty(self, circuit: QuantumCircuit) -> None:
        """Raise if ``circuit`` (an ISA circuit) uses a faulty qubit or gate.

        Raises:
            InvalidInputError: Names the instruction and the faulty qubit or edge.
        """
        bad_qubits = faulty_qubits(self.properties() or {})
        bad_gates = faulty_gates(self.properties() or {})
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
