"""PUBs <-> wire lists, and what each PUB's result needs to be decoded.

Wire forms (research runtime-rest-api.md §3.2)::

    sampler   [qasm, parameter_values, shots]
    estimator [qasm, observables, parameter_values, precision]

``parameter_values`` is a tagged ndarray of shape ``(*pub_shape, num_parameters)`` whose last
axis follows ``circuit.parameters`` (= declaration order, see ``codec.circuits``). Servers also
accept the REST guides' short forms: a bare QASM string, ``None``/lists/dicts for the values,
string observables; :func:`normalize_parameter_values` and :func:`normalize_observables` turn
those into the canonical form for the emulator and for decoding jobs fetched by id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import DecodeError, EncodeError
from .circuits import (
    CircuitExport,
    CregSpec,
    creg_specs,
    declared_inputs,
    declared_registers,
    read_header,
)
from .tagged import decode_ndarray, encode_ndarray

__all__ = [
    "PubSpec",
    "encode_sampler_pub",
    "encode_estimator_pub",
    "observables_to_wire",
    "normalize_parameter_values",
    "normalize_observables",
    "split_wire_pub",
    "spec_from_wire",
]

_PAULI = frozenset("IXYZ")


@dataclass(frozen=True)
class PubSpec:
    """What decoding one PUB's result needs, whichever process decodes it."""

    shape: tuple[int, ...]
    cregs: tuple[CregSpec, ...] = ()
    circuit_metadata: dict[str, Any] = field(default_factory=dict)
    shots: int | None = None
    precision: float | None = None


# Tagged encodings of small value arrays (np.save + zlib + base64 is ~9 us even for no values),
# keyed by the array's shape and bytes: a key is the content, so it can never be stale.
_SMALL_VALUES_BYTES = 1024
_SMALL_VALUES_ENTRIES = 512
_small_values: dict[tuple[tuple[int, ...], bytes], str] = {}


def _values(pub: Any) -> dict[str, str]:
    bindings = pub.parameter_values
    if not bindings.data and not pub.circuit.num_parameters:
        # What as_array gives without values: an empty float array of the bindings' shape.
        array = np.empty((*bindings.shape, 0))
    else:
        array = bindings.as_array(pub.circuit.parameters).astype(float)
    if array.nbytes > _SMALL_VALUES_BYTES:
        return encode_ndarray(array)
    key = (array.shape, array.tobytes())
    payload = _small_values.get(key)
    if payload is None:
        payload = encode_ndarray(array)["__value__"]
        if len(_small_values) >= _SMALL_VALUES_ENTRIES:
            _small_values.clear()
        _small_values[key] = payload
    return {"__type__": "ndarray", "__value__": payload}


def encode_sampler_pub(pub: Any, export: CircuitExport) -> tuple[list[Any], PubSpec]:
    """Turn a coerced ``SamplerPub`` into its wire list and decode spec."""
    wire = [export.qasm, _values(pub), int(pub.shots)]
    spec = PubSpec(
        shape=tuple(pub.shape),
        cregs=export.cregs,
        circuit_metadata=dict(pub.circuit.metadata or {}),
        shots=int(pub.shots),
    )
    return wire, spec


def encode_estimator_pub(pub: Any, export: CircuitExport) -> tuple[list[Any], PubSpec]:
    """Turn a coerced ``EstimatorPub`` into its wire list and decode spec."""
    precision = None if pub.precision is None else float(pub.precision)
    wire = [export.qasm, observables_to_wire(pub.observables), _values(pub), precision]
    spec = PubSpec(
        shape=tuple(pub.shape),
        circuit_metadata=dict(pub.circuit.metadata or {}),
        precision=precision,
    )
    return wire, spec


def _pauli_terms(observable: Mapping[str, float]) -> dict[str, float]:
    """Expand projector letters (``0 1 + - r l``) into Pauli terms; the wire knows only IXYZ."""
    if all(_PAULI.issuperset(label) for label in observable):
        return {label: float(np.real(coeff)) for label, coeff in observable.items()}
    from qiskit.quantum_info import SparseObservable, SparsePauliOp

    sparse = SparseObservable.from_list(list(observable.items()))
    paulis = SparsePauliOp.from_sparse_observable(sparse.as_paulis()).simplify(atol=0)
    return {label: float(np.real(coeff)) for label, coeff in paulis.to_list()}


def observables_to_wire(observables: Any) -> Any:
    """``ObservablesArray`` -> nested lists of ``{pauli_label: coeff}`` dicts (``tolist`` shape)."""
    shape = observables.shape

    # Indexing one observable gives the dict that ``tolist`` puts there, without the copy of
    # the array that ``tolist`` makes first (most of the time of a single observable).
    def convert(index: tuple[int, ...]) -> Any:
        if len(index) == len(shape):
            return _pauli_terms(observables[index])
        return [convert((*index, i)) for i in range(shape[len(index)])]

    return convert(())


def normalize_parameter_values(value: Any, names: Sequence[str]) -> np.ndarray:
    """Any accepted parameter-value form -> float array ``(*shape, len(names))``.

    Accepts ``None``, a tagged ndarray, nested lists / numbers, or a dict keyed by parameter
    name (values broadcast against each other).

    Raises:
        DecodeError: The values do not fit the circuit's parameters.
    """
    count = len(names)
    if value is None:
        if count:
            raise DecodeError(f"The circuit has {count} parameters but no values were given.")
        return np.zeros((0,))
    if isinstance(value, Mapping) and "__type__" not in value:
        missing = [name for name in names if name not in value]
        extra = [key for key in value if key not in names]
        if missing or extra:
            raise DecodeError(
                f"Parameter names do not match the circuit: missing {missing}, unknown {extra}."
            )
        arrays = np.broadcast_arrays(*(np.asarray(value[name], dtype=float) for name in names))
        return np.stack(arrays, axis=-1) if arrays else np.zeros((0,))
    array = decode_ndarray(value["__value__"]) if isinstance(value, Mapping) else value
    try:
        array = np.asarray(array, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DecodeError(f"Parameter values are not numeric: {exc}") from exc
    if count == 0:
        return array.reshape(array.shape[:-1] + (0,)) if array.size == 0 else _mismatch(array, 0)
    if array.ndim == 0 and count == 1:
        # One value for a one-parameter circuit. Anything else must end in an axis of one
        # value per parameter, as the service demands: [0.1, 0.2] for one parameter is two
        # values for one parameter (refused), not two bindings.
        array = array[np.newaxis]
    if array.ndim == 0 or array.shape[-1] != count:
        _mismatch(array, count)
    return array


def _mismatch(array: np.ndarray, count: int) -> np.ndarray:
    raise DecodeError(
        f"Parameter values of shape {array.shape} do not fit a circuit with {count} parameters "
        "(the last axis must have one entry per parameter)."
    )


def normalize_observables(value: Any) -> np.ndarray:
    """Wire observables (dicts, label strings, nested lists) -> object array of dicts."""

    def convert(item: Any) -> Any:
        if isinstance(item, str):
            return {item: 1.0}
        if isinstance(item, Mapping):
            return {str(label): float(coeff) for label, coeff in item.items()}
        if isinstance(item, (list, tuple)):
            return [convert(sub) for sub in item]
        raise DecodeError(f"Invalid observable {item!r}: expected a dict or a Pauli label.")

    converted = convert(value)
    shape = _nested_shape(converted)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        item = converted
        for i in index:
            item = item[i]
        out[index] = item
    return out


def _nested_shape(item: Any) -> tuple[int, ...]:
    if isinstance(item, dict):
        return ()
    if not item:
        raise DecodeError("Observables must not be empty.")
    inner = {_nested_shape(sub) for sub in item}
    if len(inner) != 1:
        raise DecodeError("Observable arrays must be rectangular.")
    return (len(item), *inner.pop())


def split_wire_pub(program: str, pub: Any) -> tuple[str, Any, Any, Any]:
    """Split any wire PUB into ``(qasm, observables, values, shots_or_precision)``."""
    if isinstance(pub, str):
        pub = [pub]
    if not isinstance(pub, (list, tuple)) or not pub or not isinstance(pub[0], str):
        raise DecodeError("A PUB must be a list whose first item is an OpenQASM 3 string.")
    if program == "estimator":
        if not 2 <= len(pub) <= 4:
            raise DecodeError("An estimator PUB is [circuit, observables, values?, precision?].")
        padded = list(pub) + [None] * (4 - len(pub))
        return padded[0], padded[1], padded[2], padded[3]
    if len(pub) > 3:
        raise DecodeError("A sampler PUB is [circuit, values?, shots?].")
    padded = list(pub) + [None] * (3 - len(pub))
    return padded[0], None, padded[1], padded[2]


def spec_from_wire(program: str, pub: Any) -> PubSpec:
    """Rebuild a PUB's decode spec from the params the server stored (no local state)."""
    qasm, observables, values, extra = split_wire_pub(program, pub)
    header = read_header(qasm)
    declared = declared_registers(qasm)
    names = header.get("cregs") or [wire for wire, _ in declared]
    try:
        cregs = creg_specs(names, declared, header.get("map"))
    except EncodeError as exc:
        raise DecodeError(str(exc)) from exc
    array = normalize_parameter_values(values, declared_inputs(qasm))
    shape: tuple[int, ...] = array.shape[:-1]
    if program == "estimator":
        shape = np.broadcast_shapes(normalize_observables(observables).shape, shape)
    return PubSpec(
        shape=tuple(shape),
        cregs=cregs,
        circuit_metadata=header.get("metadata", {}),
        shots=None if program == "estimator" or extra is None else int(extra),
        precision=float(extra) if program == "estimator" and extra is not None else None,
    )
