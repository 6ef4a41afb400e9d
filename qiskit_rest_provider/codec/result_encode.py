"""``PrimitiveResult`` parts -> result JSON, as the service writes it (the emulator's side).

:func:`encode_result` writes both formats :mod:`.results` reads. A small job's result is a
few tiny arrays and a little metadata, and each job's answer waits for its encoding, so the
fixed costs are cut: an array's ``.npy`` header is ``np.save``'s own, kept per dtype and shape
(``np.save`` itself costs more than the rest of a tiny array's encoding); the payload of an
array of at most :data:`_MEMO_BYTES` bytes is remembered by its bytes (the same ``0.0`` stds
come back job after job); metadata made of plain JSON types is copied without the type checks
that datetimes, arrays and numpy scalars need. The bytes written are those of
:func:`.tagged.encode_ndarray`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from qiskit.primitives import BitArray, PubResult

from .bits import bitarray_to_hex
from .tagged import _zlib, encode_ndarray, tag

__all__ = ["encode_result", "encode_array", "BITARRAY_FIELD_TYPE"]

BITARRAY_FIELD_TYPE = "<class 'qiskit.primitives.containers.bit_array.BitArray'>"

#: ``.npy`` headers by (dtype, shape); cleared when full (sweeps of many shapes are rare).
_HEADERS: dict[tuple[str, tuple[int, ...]], bytes] = {}
_HEADERS_MAX = 256
#: Payloads of tiny arrays by their ``.npy`` bytes; cleared when full.
_PAYLOADS: dict[bytes, str] = {}
_PAYLOADS_MAX = 1024
_MEMO_BYTES = 256
_PLAIN = (str, int, float, bool, type(None))


def _npy_header(array: np.ndarray) -> bytes:
    """The bytes ``np.save`` writes before ``array``'s data (C order, numeric dtype)."""
    key = (array.dtype.str, array.shape)
    header = _HEADERS.get(key)
    if header is None:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        saved = buffer.getvalue()
        header = saved[: len(saved) - array.nbytes]
        if len(_HEADERS) >= _HEADERS_MAX:
            _HEADERS.clear()
        _HEADERS[key] = header
    return header


def encode_array(value: Any) -> dict[str, str]:
    """:func:`.tagged.encode_ndarray` of ``value``, byte for byte, with less fixed cost."""
    array = np.asarray(value, order="C")
    dtype = array.dtype
    if dtype.kind not in "biufc" or dtype.names is not None or dtype.subdtype is not None:
        return encode_ndarray(array)
    raw = _npy_header(array) + array.tobytes()
    payload = _PAYLOADS.get(raw) if len(raw) <= _MEMO_BYTES else None
    if payload is None:
        payload = base64.b64encode(_zlib(raw)).decode("ascii")
        if len(raw) <= _MEMO_BYTES:
            if len(_PAYLOADS) >= _PAYLOADS_MAX:
                _PAYLOADS.clear()
            _PAYLOADS[raw] = payload
    return {"__type__": "ndarray", "__value__": payload}


def _tag_json(obj: Any) -> Any:
    """Make metadata JSON-safe in the tagged dialect (datetimes, arrays, numpy scalars)."""
    kind = type(obj)
    if kind in _PLAIN:
        return obj
    # Exact types first (the branches the checks below would pick for them), then subclasses.
    if kind is dict:
        return {str(k): _tag_json(v) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return [_tag_json(v) for v in obj]
    if kind is datetime:
        return tag("datetime", obj.isoformat())
    if isinstance(obj, Mapping):
        return {str(k): _tag_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_tag_json(v) for v in obj]
    if isinstance(obj, datetime):
        return tag("datetime", obj.isoformat())
    if isinstance(obj, np.ndarray):
        return encode_array(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _plain_json(obj: Any) -> Any:
    kind = type(obj)
    if kind in _PLAIN:
        return obj
    if isinstance(obj, Mapping):
        if set(obj) == {"__type__", "__value__"}:
            return _plain_json(obj["__value__"])
        return {str(k): _plain_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain_json(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _plain_array(array: np.ndarray) -> Any:
    """Nested lists; complex values (IQ data) as ``[real, imag]`` pairs (JSON has no complex)."""
    if np.iscomplexobj(array):
        return np.stack([array.real, array.imag], axis=-1).tolist()
    return array.tolist()


def encode_result(
    program: str,
    pub_results: Sequence[PubResult],
    metadata: Mapping[str, Any],
    *,
    tagged: bool,
) -> dict[str, Any]:
    """Encode results as the service does: schema-form tagged JSON or plain JSON."""
    if not tagged:
        results = []
        for pub_result in pub_results:
            data = {}
            for name, value in pub_result.data.items():
                if isinstance(value, BitArray):
                    data[name] = {"samples": bitarray_to_hex(value), "num_bits": value.num_bits}
                else:
                    data[name] = _plain_array(np.asarray(value))
            results.append({"data": data, "metadata": _plain_json(pub_result.metadata)})
        return {"results": results, "metadata": _plain_json(metadata)}
    pub_type = "SamplerPubResult" if program == "sampler" else "PubResult"
    encoded = []
    for pub_result in pub_results:
        names, types, fields = [], [], {}
        for name, value in pub_result.data.items():
            names.append(name)
            if isinstance(value, BitArray):
                types.append(BITARRAY_FIELD_TYPE)
                fields[name] = tag(
                    "BitArray", {"array": encode_array(value.array), "num_bits": value.num_bits}
                )
            else:
                types.append("ndarray")
                fields[name] = encode_array(value)
        data_bin = tag(
            "DataBin",
            {
                "field_names": names,
                "field_types": types,
                "shape": list(pub_result.data.shape),
                "fields": fields,
            },
        )
        encoded.append(
            tag(pub_type, {"data": data_bin, "metadata": _tag_json(pub_result.metadata)})
        )
    return tag("PrimitiveResult", {"pub_results": encoded, "metadata": _tag_json(metadata)})
