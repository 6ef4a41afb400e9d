"""Qiskit-tagged JSON: ``{"__type__": name, "__value__": payload}`` values and numpy arrays.

Arrays travel as ``base64(zlib(np.save(arr, allow_pickle=False)))``, the encoding
qiskit-ibm-runtime's ``RuntimeEncoder`` uses and ibm-quantum-schemas validates. Nothing is ever
unpickled.
"""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

from .._compat import ast_safe
from ..exceptions import DecodeError

__all__ = ["encode_ndarray", "decode_ndarray", "tag", "untag"]

# Level 1 costs ~10 % of level 6 on incompressible float64 data and loses ~0.1 % in size
# (research perf-baselines §2b); it is still a standard zlib stream.
_ZLIB_LEVEL = 1
# Random float64 parameter values shrink by ~3.6 % at any level, for ~75 ms per 3 MB; a stored
# (level 0) stream is still a valid zlib stream. A probe of the first bytes decides.
_PROBE_BYTES = 1 << 16
_WORTH_COMPRESSING = 0.9


def _zlib(raw: bytes) -> bytes:
    """The zlib stream of ``raw``: level 1, or stored when a probe shows it hardly compresses."""
    if len(raw) > 2 * _PROBE_BYTES:
        probe = zlib.compress(raw[:_PROBE_BYTES], _ZLIB_LEVEL)
        if len(probe) > _WORTH_COMPRESSING * _PROBE_BYTES:
            return zlib.compress(raw, 0)
    return zlib.compress(raw, _ZLIB_LEVEL)


def encode_ndarray(array: np.ndarray) -> dict[str, str]:
    """Wrap a numeric numpy array as a tagged ``ndarray`` value."""
    buffer = io.BytesIO()
    # ascontiguousarray would turn a 0-d array into shape (1,).
    np.save(buffer, np.asarray(array, order="C"), allow_pickle=False)
    payload = base64.b64encode(_zlib(buffer.getvalue())).decode("ascii")
    return {"__type__": "ndarray", "__value__": payload}


def decode_ndarray(value: Any) -> np.ndarray:
    """Decode a tagged ``ndarray`` payload (base64 zlib npy, or a plain list/number)."""
    if isinstance(value, str):
        try:
            raw = zlib.decompress(base64.b64decode(value, validate=True))
            return _load_npy(raw)
        except Exception as exc:  # base64, zlib and npy each raise their own types
            raise DecodeError(f"Invalid ndarray payload: {exc}") from exc
    return np.asarray(value)


def _load_npy(raw: bytes) -> np.ndarray:
    return ast_safe(np.load, io.BytesIO(raw), allow_pickle=False)


def tag(type_name: str, value: Any) -> dict[str, Any]:
    """Build a tagged value."""
    return {"__type__": type_name, "__value__": value}


def _untag_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


# Types whose payload is decoded here; containers (PrimitiveResult, DataBin, ...) are rebuilt by
# codec.results, which needs the PUBs' register names.
_LEAF_DECODERS: dict[str, Callable[[Any], Any]] = {
    "ndarray": decode_ndarray,
    "datetime": _untag_datetime,
    "complex": lambda v: complex(*v) if isinstance(v, list) else complex(v),
    "set": lambda v: set(v),
}


def untag(obj: Any) -> Any:
    """Recursively decode leaf tagged values; other tagged objects become ``{"__type__", ...}``.

    Unknown tagged types are kept as plain ``{"__type__": ..., "__value__": ...}`` dicts with
    their payload decoded, so new server types never break decoding.
    """
    if isinstance(obj, dict):
        type_name = obj.get("__type__")
        if type_name is not None and "__value__" in obj and len(obj) == 2:
            decoder = _LEAF_DECODERS.get(type_name)
            if decoder is not None:
                return decoder(obj["__value__"])
            return {"__type__": type_name, "__value__": untag(obj["__value__"])}
        return {key: untag(val) for key, val in obj.items()}
    if isinstance(obj, list):
        return [untag(item) for item in obj]
    return obj
