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
from .npy import read_simple_npy

__all__ = ["encode_ndarray", "decode_ndarray", "tag", "untag", "ArrayBudget"]

DEFAULT_MAX_ARRAY_BYTES = 2**30
"""Decoded bytes all arrays of one answer may take when the caller knows no tighter bound."""

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


_FIRST_WINDOW = 1 << 16


class ArrayBudget:
    """Bytes that the arrays decoded from one answer may still take.

    A zlib stream expands up to ~1000 times, so a small answer could otherwise ask for
    gigabytes; decompression stops as soon as the budget is spent.
    """

    __slots__ = ("remaining",)

    def __init__(self, max_bytes: int = DEFAULT_MAX_ARRAY_BYTES) -> None:
        self.remaining = max_bytes

    def inflate(self, data: bytes) -> bytes:
        """zlib-decompress ``data`` into at most ``remaining`` bytes, and spend them."""
        decoder = zlib.decompressobj()
        limit = self.remaining + 1
        # A small first window: most arrays fit in it, and zlib prepares a window of the
        # whole limit (a gigabyte) in ~10x the time of the small one, per array.
        window = min(limit, _FIRST_WINDOW)
        pieces: list[bytes] = []
        size = 0
        pending = data
        try:
            while True:
                piece = decoder.decompress(pending, window)
                pieces.append(piece)
                size += len(piece)
                pending = decoder.unconsumed_tail
                if decoder.eof or size >= limit or not (piece or pending):
                    break
                window = limit - size
        except zlib.error as exc:
            raise DecodeError(f"Invalid ndarray payload: {exc}") from exc
        raw = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        if len(raw) > self.remaining or decoder.unconsumed_tail:
            raise DecodeError(
                "An ndarray payload expands beyond what the job's result can hold "
                f"({self.remaining} bytes left)."
            )
        if not decoder.eof:
            raise DecodeError("Invalid ndarray payload: the zlib stream is truncated.")
        self.remaining -= len(raw)
        return raw


def decode_ndarray(value: Any, budget: ArrayBudget | None = None) -> np.ndarray:
    """Decode a tagged ``ndarray`` payload (base64 zlib npy, or a plain list/number).

    Raises:
        DecodeError: The payload is invalid or expands beyond ``budget``.
    """
    if isinstance(value, (str, memoryview)):  # (a view: cut out of the body, see tagbody)
        try:
            packed = base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise DecodeError(f"Invalid ndarray payload: {exc}") from exc
        raw = (budget or ArrayBudget()).inflate(packed)
        try:
            return _load_npy(raw)
        except Exception as exc:  # npy and ast each raise their own types
            raise DecodeError(f"Invalid ndarray payload: {exc}") from exc
    try:
        return np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise DecodeError(f"Invalid ndarray value: {str(exc)[:200]}") from exc


def _load_npy(raw: bytes) -> np.ndarray:
    simple = read_simple_npy(raw)  # numbers and booleans, as np.save writes them
    if simple is not None:
        return simple

    # A fresh stream per attempt: a retry must not read on from where the failed one stopped
    # ("No data left in file" on a valid payload, seen under 16 concurrent submitters).
    def load() -> np.ndarray:
        return np.load(io.BytesIO(raw), allow_pickle=False)  # type: ignore[no-any-return]

    return ast_safe(load)


def tag(type_name: str, value: Any) -> dict[str, Any]:
    """Build a tagged value."""
    return {"__type__": type_name, "__value__": value}


def _untag_datetime(value: Any, budget: ArrayBudget | None = None) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise DecodeError(f"Invalid datetime: {str(value)[:60]!r}") from exc


def _untag_complex(value: Any, budget: ArrayBudget | None = None) -> complex:
    try:
        return complex(*value) if isinstance(value, list) else complex(value)
    except (TypeError, ValueError) as exc:
        raise DecodeError(f"Invalid complex number: {str(value)[:60]!r}") from exc


def _untag_set(value: Any, budget: ArrayBudget | None = None) -> set[Any]:
    try:
        return set(value)
    except TypeError as exc:
        raise DecodeError(f"Invalid set: {exc}") from exc


# Types whose payload is decoded here; containers (PrimitiveResult, DataBin, ...) are rebuilt by
# codec.results, which needs the PUBs' register names.
_LEAF_DECODERS: dict[str, Callable[[Any, ArrayBudget | None], Any]] = {
    "ndarray": decode_ndarray,
    "datetime": _untag_datetime,
    "complex": _untag_complex,
    "set": _untag_set,
}


def untag(obj: Any, budget: ArrayBudget | None = None) -> Any:
    """Recursively decode leaf tagged values; other tagged objects become ``{"__type__", ...}``.

    Unknown tagged types are kept as plain ``{"__type__": ..., "__value__": ...}`` dicts with
    their payload decoded, so new server types never break decoding. ``budget`` bounds the
    bytes all decoded arrays take together (default: ``DEFAULT_MAX_ARRAY_BYTES``).

    Raises:
        DecodeError: A leaf payload is invalid, or the arrays exceed the budget.
    """
    return _untag(obj, budget or ArrayBudget())


def _untag(obj: Any, budget: ArrayBudget) -> Any:
    if isinstance(obj, dict):
        type_name = obj.get("__type__")
        if type_name is not None and "__value__" in obj and len(obj) == 2:
            decoder = _LEAF_DECODERS.get(type_name) if isinstance(type_name, str) else None
            if decoder is not None:
                return decoder(obj["__value__"], budget)
            return {"__type__": type_name, "__value__": _untag(obj["__value__"], budget)}
        return {key: _untag(val, budget) for key, val in obj.items()}
    if isinstance(obj, list):
        return [_untag(item, budget) for item in obj]
    return obj
