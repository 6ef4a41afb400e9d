"""Result JSON <-> Qiskit ``PrimitiveResult``, for both formats the service returns.

* **Tagged** (``support_qiskit: true``): ``{"__type__": "PrimitiveResult", "__value__": ...}``
  with ``DataBin``/``BitArray``/``ndarray`` values (research runtime-rest-api.md §4.2).
* **Plain** (``support_qiskit`` false or absent): ``{"results": [{"data", "metadata"}],
  "metadata"}``, estimator arrays as nested lists, sampler registers as
  ``{"samples": ["0x3", ...], "num_bits": n}`` (§4.1).

Decoding restores the user's register names and order and the local circuit metadata from the
PUBs' :class:`~qiskit_rest_provider.codec.pubs.PubSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from qiskit.primitives import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult

from ..exceptions import DecodeError
from .bits import bitarray_from_hex, bitarray_to_hex, iq_array
from .hexbody import loads_plain
from .pubs import PubSpec
from .result_checks import read_pub_items, result_budget
from .result_encode import BITARRAY_FIELD_TYPE, encode_result
from .spans import decode_metadata

__all__ = [
    "decode_result",
    "result_budget",
    "encode_result",
    "bitarray_from_hex",
    "bitarray_to_hex",
    "BITARRAY_FIELD_TYPE",
]

_ESTIMATOR_FLOAT_FIELDS = ("evs", "stds", "ensemble_standard_error")


# --------------------------------------------------------------------------- decoding


def decode_result(
    body: bytes | str | Mapping[str, Any], program: str, specs: Sequence[PubSpec]
) -> PrimitiveResult:
    """Decode a results body into a ``PrimitiveResult``.

    Declared sizes (``num_bits``, the number of shots, array sizes) are checked against the
    PUBs before anything of that size is allocated.

    Args:
        body: The HTTP body, or the already-parsed JSON.
        program: ``"sampler"`` or ``"estimator"``.
        specs: One decode spec per PUB, in PUB order.

    Raises:
        DecodeError: The body is not a result of either format or does not match the PUBs.
    """
    try:
        return _decode(body, program, specs)
    except DecodeError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise DecodeError(
            f"The result is malformed ({type(exc).__name__}: {str(exc)[:200]})."
        ) from exc
    except RecursionError:
        raise DecodeError("The result is nested too deeply.") from None


def _decode(
    body: bytes | str | Mapping[str, Any], program: str, specs: Sequence[PubSpec]
) -> PrimitiveResult:
    try:
        data, spans = loads_plain(body) if isinstance(body, (bytes, str)) else (body, [])
    except ValueError as exc:
        raise DecodeError(f"The result is not JSON: {exc}") from exc
    if not isinstance(data, Mapping):
        raise DecodeError("The result is not a JSON object.")
    items, metadata = read_pub_items(data, program, specs, spans)
    pub_specs: list[PubSpec | None] = list(specs) or [None] * len(items)
    build = _sampler_pub_result if program == "sampler" else _estimator_pub_result
    pub_results = [
        build(index, fields, meta, spec, shape)
        for index, ((fields, meta, shape), spec) in enumerate(zip(items, pub_specs, strict=False))
    ]
    metadata = decode_metadata(dict(metadata))  # execution spans -> ExecutionSpans
    return PrimitiveResult(
        pub_results, metadata={**metadata, "version": metadata.get("version", 2)}
    )


def _wire_field(index: int, fields: Mapping[str, Any], wire: str, name: str) -> Any:
    for key in (wire, "esc_" + wire, "esc__" + wire, name):
        if key in fields:
            return fields[key]
    raise DecodeError(
        f"PUB {index}: the result has no register '{wire}' (for '{name}'); it has {sorted(fields)}."
    )


def _gather_bits(index: int, fields: Mapping[str, Any], creg: Any) -> BitArray:
    """A register that shares clbits with another, rebuilt from its bits' places on the wire."""
    runs: list[tuple[str, list[int]]] = []
    for wire, bit in creg.sources:
        if runs and runs[-1][0] == wire:
            runs[-1][1].append(bit)
        else:
            runs.append((wire, [bit]))
    parts = []
    for wire, bits in runs:
        field = _wire_field(index, fields, wire, creg.name)
        if not isinstance(field, BitArray) or max(bits) >= field.num_bits:
            raise DecodeError(f"PUB {index}: register '{wire}' is too narrow for '{creg.name}'.")
        parts.append(field.slice_bits(bits))
    try:
        return BitArray.concatenate_bits(parts)
    except ValueError as exc:  # registers with different shots or shapes
        raise DecodeError(f"PUB {index}: register '{creg.name}': {exc}") from exc


def _sampler_pub_result(
    index: int,
    fields: dict[str, Any],
    meta: dict[str, Any],
    spec: PubSpec | None,
    wire_shape: tuple[int, ...] | None = None,
) -> SamplerPubResult:
    ordered: dict[str, BitArray] = {}
    if spec is not None and spec.cregs:
        for creg in spec.cregs:
            if creg.sources:
                ordered[creg.name] = _gather_bits(index, fields, creg)
            else:
                field = ordered[creg.name] = _wire_field(index, fields, creg.wire, creg.name)
                if isinstance(field, BitArray) and field.num_bits != creg.size:
                    fit = "too narrow" if field.num_bits < creg.size else "too wide"
                    raise DecodeError(
                        f"PUB {index}: register '{creg.name}' has {field.num_bits} bits where the "
                        f"circuit declares {creg.size} ({fit})."
                    )
    else:
        ordered = dict(fields)
    ordered = {name: iq_array(value) for name, value in ordered.items()}
    shape = _known_shape(spec, wire_shape) or _leading_shape(ordered)
    try:
        data = DataBin(shape=shape, **ordered)
    except ValueError as exc:
        raise DecodeError(
            f"PUB {index}: result does not match the PUB shape {shape}: {exc}"
        ) from exc
    metadata = dict(meta)
    # IQ data (meas_type kerneled/avg_kerneled) comes as complex arrays, not BitArrays.
    bits = [value for value in ordered.values() if isinstance(value, BitArray)]
    shots = bits[0].num_shots if bits else (spec.shots if spec else None)
    metadata.setdefault("shots", shots)
    metadata["circuit_metadata"] = (
        spec.circuit_metadata if spec else meta.get("circuit_metadata", {})
    )
    return SamplerPubResult(data, metadata=metadata)


def _estimator_pub_result(
    index: int,
    fields: dict[str, Any],
    meta: dict[str, Any],
    spec: PubSpec | None,
    wire_shape: tuple[int, ...] | None = None,
) -> PubResult:
    arrays = {}
    for name, value in fields.items():
        if value is None:
            continue  # the service sends e.g. ensemble_standard_error: null with ZNE
        array = np.asarray(value, dtype=np.float64 if name in _ESTIMATOR_FLOAT_FIELDS else None)
        arrays[name] = array
    shape = _known_shape(spec, wire_shape) or np.shape(arrays.get("evs", ()))
    for name in _ESTIMATOR_FLOAT_FIELDS:
        if name in arrays and arrays[name].shape != tuple(shape):
            if arrays[name].size != int(np.prod(shape)):
                raise DecodeError(
                    f"PUB {index}: '{name}' has shape {arrays[name].shape}, "
                    f"expected {tuple(shape)}."
                )
            arrays[name] = arrays[name].reshape(shape)
    try:
        data = DataBin(shape=tuple(shape), **arrays)
    except ValueError as exc:
        raise DecodeError(f"PUB {index}: result does not match the PUB shape: {exc}") from exc
    metadata = dict(meta)
    if "target_precision" not in metadata and spec is not None:
        metadata["target_precision"] = spec.precision
    metadata["circuit_metadata"] = (
        spec.circuit_metadata if spec else meta.get("circuit_metadata", {})
    )
    return PubResult(data, metadata=metadata)


def _known_shape(spec: PubSpec | None, wire_shape: tuple[int, ...] | None) -> Any:
    """The PUB's shape from its spec, else from the tagged DataBin; ``None`` if neither."""
    return tuple(spec.shape) if spec is not None else wire_shape


def _leading_shape(fields: Mapping[str, Any]) -> tuple[int, ...]:
    first = next(iter(fields.values()), None)
    if first is None:
        return ()
    return tuple(first.shape if isinstance(first, BitArray) else first.shape[:-2])
