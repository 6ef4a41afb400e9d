"""``LocalBackend``: any Qiskit ``BackendV2`` seen the way validation and the engine see ours.

Local mode (``SamplerV2(mode=FakeBrisbane())``, ``Session(backend=AerSimulator())``) runs the
emulator's engine in-process. The engine and the client-side validation both read a backend
through a small interface (name, width, ``target``, configuration and properties JSON, whether
it is a simulator, its noise); this adapter provides it for qiskit-ibm-runtime's fake backends,
``GenericBackendV2``, ``AerSimulator`` and any other ``BackendV2`` with a ``Target``.

Noise comes from the backend itself, as qiskit-ibm-runtime's local mode does: gate errors and
durations of the target, T1/T2 of its qubit properties, and readout errors from the
properties' ``prob_meas1_prep0``/``prob_meas0_prep1`` (else the target's ``measure`` error). A
target without any error data (a plain ``AerSimulator()``) runs noiseless.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from ..exceptions import InvalidInputError

__all__ = ["LocalBackend", "is_local_backend", "local_backend", "require_engine"]

_EXTRA_HINT = (
    "Local mode runs the emulator's engine in-process; install it with "
    "pip install 'qiskit-rest-provider[emulator]'."
)


def require_engine() -> Any:
    """The engine module (``run_job``), or an ``ImportError`` naming the extra to install."""
    try:
        import qiskit_aer  # noqa: F401 - the engine's shot simulator

        from ..emulator.engine import job as engine
    except ImportError as exc:
        raise ImportError(f"{_EXTRA_HINT} ({exc})") from exc
    return engine


def is_local_backend(mode: Any) -> bool:
    """Whether ``mode`` is a Qiskit ``BackendV2`` that is not a backend of the service."""
    from qiskit.providers import BackendV2

    from .backend import RestBackend

    return isinstance(mode, LocalBackend) or (
        isinstance(mode, BackendV2) and not isinstance(mode, RestBackend)
    )


def local_backend(backend: Any) -> LocalBackend:
    """The adapter of ``backend`` (one per backend object, so caches are shared)."""
    if isinstance(backend, LocalBackend):
        return backend
    require_engine()
    with _ADAPTERS_LOCK:
        adapter = _ADAPTERS.get(id(backend))
        if adapter is None or adapter.backend is not backend:
            adapter = LocalBackend(backend)
            _ADAPTERS[id(backend)] = adapter
            while len(_ADAPTERS) > 16:
                _ADAPTERS.popitem(last=False)
        return adapter


_ADAPTERS: OrderedDict[int, LocalBackend] = OrderedDict()
_ADAPTERS_LOCK = threading.Lock()


def _properties_json(backend: Any) -> dict[str, Any]:
    getter = getattr(backend, "properties", None)
    if not callable(getter):
        return {}
    try:
        props = getter()
    except Exception:  # some backends raise when they have no calibration data
        return {}
    if props is None:
        return {}
    if hasattr(props, "to_dict"):
        props = props.to_dict()
    return dict(props) if isinstance(props, dict) else {}


def _is_simulator(backend: Any) -> bool:
    # qiskit-ibm-runtime's rule (utils.is_simulator): simulators skip the ISA check.
    if hasattr(backend, "configuration"):
        try:
            return bool(getattr(backend.configuration(), "simulator", False))
        except Exception:
            return False
    return bool(getattr(backend, "simulator", False))


class LocalBackend:
    """A ``BackendV2`` adapted for local mode.

    Args:
        backend: The user's backend; it must have a ``Target``.

    Raises:
        InvalidInputError: The backend has no target.
    """

    def __init__(self, backend: Any) -> None:
        target = getattr(backend, "target", None)
        if target is None:
            raise InvalidInputError(
                f"Local mode needs a BackendV2 with a Target; {type(backend).__name__} has none."
            )
        self.backend = backend
        self.target = target
        self.name = str(backend.name)
        self.num_qubits = int(target.num_qubits or backend.num_qubits)
        self.num_qubits_hint = self.num_qubits
        self.simulator = _is_simulator(backend)
        self._properties = _properties_json(backend)
        self._readout = self._readout_pairs()
        has_readout = any(pair != (0.0, 0.0) for pair in self._readout)
        self.noiseless = not (self._has_gate_errors() or has_readout)
        self._noise_lock = threading.Lock()
        self._noise: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def __repr__(self) -> str:
        return f"<LocalBackend({self.name!r}, noiseless={self.noiseless})>"

    # --------------------------------------------------------- what validation reads

    def configuration(self) -> dict[str, Any]:
        """Configuration fields validation reads (``max_shots``, ``simulator``)."""
        config = getattr(self.backend, "configuration", None)
        max_shots = None
        if callable(config):
            try:
                max_shots = getattr(config(), "max_shots", None)
            except Exception:
                max_shots = None
        return {"backend_name": self.name, "simulator": self.simulator, "max_shots": max_shots}

    def properties(self) -> dict[str, Any]:
        """The backend's properties as JSON (``{}`` when it has none)."""
        return self._properties

    # --------------------------------------------------------- what the engine reads

    def _has_gate_errors(self) -> bool:
        for name in self.target.operation_names:
            for props in (self.target[name] or {}).values():
                if props is not None and (props.error or 0) > 0:
                    return True
        return False

    def _readout_pairs(self) -> list[tuple[float, float]]:
        from ..emulator.devices.noise import readout_probabilities

        pairs = readout_probabilities(self._properties) if self._properties else []
        if len(pairs) >= self.num_qubits:
            return pairs[: self.num_qubits]
        measure = self.target["measure"] if "measure" in self.target else {}
        out = []
        for qubit in range(self.num_qubits):
            props = measure.get((qubit,)) if measure else None
            error = float(props.error or 0.0) if props is not None else 0.0
            out.append((error, error))
        return out

    def readout_errors(self) -> list[tuple[float, float]]:
        """``(P(1|0), P(0|1))`` per qubit."""
        return list(self._readout)

    def noise_model(
        self, qubits: Sequence[int] | None = None, readout: bool = True, twirled: bool = False
    ) -> Any:
        """The Aer noise model of ``qubits`` renumbered ``0..k-1``; ``None`` when noiseless."""
        if self.noiseless:
            return None
        qubits = tuple(range(self.num_qubits) if qubits is None else qubits)
        key = (*qubits, readout, twirled)
        with self._noise_lock:
            if key not in self._noise:
                from ..emulator.devices.noise import build_noise_model

                self._noise[key] = build_noise_model(
                    self.target, self._readout, qubits, with_readout=readout, twirled=twirled
                )
                while len(self._noise) > 16:
                    self._noise.popitem(last=False)
            self._noise.move_to_end(key)
            return self._noise[key]

    def check_isa(self, circuit: Any, index: int) -> None:
        """The engine's ISA check against the backend's target."""
        from ..emulator.engine.isa import check_isa

        check_isa(self.target, circuit, index, self.name)
