"""``BackendConfiguration`` and ``BackendProperties``: the backend JSON with attribute access.

Both are the JSON the service sent (a ``dict``, so ``config["n_qubits"]`` and ``.get()`` keep
working) that also reads the way qiskit-ibm-runtime's models do: ``config.n_qubits``,
``config.basis_gates``, ``config.gates[0].name``, ``props.t1(0)``, ``props.gate_error("cx",
[0, 1])``, ``props.qubits[0][0].value``, ``to_dict()``. Values read through the methods are in
SI units (seconds, hertz), as qiskit-ibm-runtime converts them; the raw JSON keeps the
service's units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .job_attributes import parse_datetime

__all__ = ["BackendConfiguration", "BackendProperties", "AttributeDict"]

_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "Hz": 1.0, "kHz": 1e3}
_UNITS.update({"MHz": 1e6, "GHz": 1e9})


def _wrap(value: Any) -> Any:
    if isinstance(value, Mapping) and not isinstance(value, AttributeDict):
        return AttributeDict(value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


class AttributeDict(dict):  # type: ignore[type-arg]
    """A JSON object whose keys read as attributes too (nested objects likewise)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return _wrap(self[name])
        except KeyError:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """A plain ``dict`` copy of the JSON."""
        return dict(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


class BackendConfiguration(AttributeDict):
    """The ``GET /backends/{name}/configuration`` JSON (qiskit-ibm-runtime's field names)."""

    @property
    def num_qubits(self) -> int:
        """Width of the backend (``n_qubits``)."""
        return int(self.get("n_qubits") or self.get("num_qubits") or 0)

    @property
    def dt(self) -> float | None:
        """Sample time in seconds (the JSON gives nanoseconds)."""
        return None if self.get("dt") is None else float(self["dt"]) * 1e-9

    @property
    def dtm(self) -> float | None:
        """Output sample time in seconds (the JSON gives nanoseconds)."""
        return None if self.get("dtm") is None else float(self["dtm"]) * 1e-9


def _si(item: Mapping[str, Any]) -> float:
    return float(item["value"]) * _UNITS.get(str(item.get("unit", "")), 1.0)


class BackendProperties(AttributeDict):
    """The ``GET /backends/{name}/properties`` JSON (calibration data)."""

    @property
    def last_update_date(self) -> datetime | None:
        """When the calibration was taken."""
        return parse_datetime(self.get("last_update_date"))

    def qubit_property(self, qubit: int, name: str | None = None) -> Any:
        """``(value in SI units, date as sent)`` of one property, or all of them by name.

        Raises:
            KeyError: The qubit or property is unknown.
        """
        qubits = self.get("qubits") or []
        if not 0 <= qubit < len(qubits):
            raise KeyError(f"Couldn't find the qubit {qubit}.")
        found = {item["name"]: (_si(item), item.get("date")) for item in qubits[qubit]}
        if name is None:
            return found
        if name not in found:
            raise KeyError(f"Couldn't find the property {name!r} for qubit {qubit}.")
        return found[name]

    def t1(self, qubit: int) -> float:
        """T1 of ``qubit`` in seconds."""
        return float(self.qubit_property(qubit, "T1")[0])

    def t2(self, qubit: int) -> float:
        """T2 of ``qubit`` in seconds."""
        return float(self.qubit_property(qubit, "T2")[0])

    def frequency(self, qubit: int) -> float:
        """Frequency of ``qubit`` in hertz."""
        return float(self.qubit_property(qubit, "frequency")[0])

    def readout_error(self, qubit: int) -> float:
        """Readout assignment error of ``qubit``."""
        return float(self.qubit_property(qubit, "readout_error")[0])

    def readout_length(self, qubit: int) -> float:
        """Readout duration of ``qubit`` in seconds."""
        return float(self.qubit_property(qubit, "readout_length")[0])

    def is_qubit_operational(self, qubit: int) -> bool:
        """Whether the calibration marks ``qubit`` usable (``operational`` absent = usable)."""
        found = self.qubit_property(qubit)
        return bool(found["operational"][0]) if "operational" in found else True

    def gate_property(self, gate: str, qubits: int | Iterable[int], name: str) -> Any:
        """``(value in SI units, date)`` of parameter ``name`` of ``gate`` on ``qubits``.

        Raises:
            KeyError: No such gate, qubits or parameter.
        """
        wanted = [qubits] if isinstance(qubits, int) else list(qubits)
        for item in self.get("gates") or []:
            if item.get("gate") == gate and list(item.get("qubits") or []) == wanted:
                for param in item.get("parameters") or []:
                    if param.get("name") == name:
                        return _si(param), param.get("date")
        raise KeyError(f"Couldn't find {name!r} of gate {gate} on qubits {wanted}.")

    def gate_error(self, gate: str, qubits: int | Iterable[int]) -> float:
        """Error of ``gate`` on ``qubits``."""
        return float(self.gate_property(gate, qubits, "gate_error")[0])

    def gate_length(self, gate: str, qubits: int | Iterable[int]) -> float:
        """Duration of ``gate`` on ``qubits`` in seconds."""
        return float(self.gate_property(gate, qubits, "gate_length")[0])

    def faulty_qubits(self) -> list[int]:
        """Qubits the calibration marks not operational."""
        return [q for q in range(len(self.get("qubits") or [])) if not self.is_qubit_operational(q)]

    def faulty_gates(self) -> list[Any]:
        """Gates the calibration marks not operational."""
        return [
            _wrap(item)
            for item in self.get("gates") or []
            if any(
                p.get("name") == "operational" and not p.get("value")
                for p in item.get("parameters") or []
            )
        ]
