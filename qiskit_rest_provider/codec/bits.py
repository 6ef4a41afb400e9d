"""Hex shot strings <-> ``BitArray``, vectorised (the plain result format's samples).

Clbit 0 is the least-significant bit, as in Qiskit; ``BitArray`` bytes are big-endian within a
shot.
"""

from __future__ import annotations

import binascii
import itertools
from typing import Any

import numpy as np
from qiskit.primitives import BitArray

from ..exceptions import DecodeError
from .hexscan import NON_HEX, HexRows, read_json_strings

__all__ = ["bitarray_from_hex", "bitarray_from_json_strings", "bitarray_to_hex", "iq_array"]


_COMMA = ord(",")


def _flatten(samples: Any) -> tuple[tuple[int, ...], list[Any]]:
    """``(shape, flat list)`` of rectangular nested lists whose leaves are the shots."""
    if isinstance(samples, np.ndarray):
        if samples.ndim == 0:
            raise DecodeError("Sampler 'samples' must be a list of hex strings.")
        return samples.shape, samples.reshape(-1).tolist()
    if not isinstance(samples, (list, tuple)):
        raise DecodeError("Sampler 'samples' must be a list of hex strings.")
    shape = [len(samples)]
    level: list[Any] = list(samples)
    while level and isinstance(level[0], (list, tuple)):
        width = len(level[0])
        if any(not isinstance(item, (list, tuple)) or len(item) != width for item in level):
            raise DecodeError("Sampler 'samples' must be a rectangular nesting of lists.")
        shape.append(width)
        level = [shot for item in level for shot in item]
    return tuple(shape), level


def bitarray_from_hex(samples: Any, num_bits: int) -> BitArray:
    """Hex shot strings (any nesting; last axis = shots) -> ``BitArray``, in linear time.

    The strings are joined into one ASCII buffer and decoded right-aligned by
    :class:`.hexscan.HexRows`: no per-shot Python integers, no numpy string arrays. Clbit 0 is
    the least-significant bit, as in Qiskit. Raises ``DecodeError`` on a missing ``0x``, non-hex
    characters or values wider than ``num_bits``.
    """
    shape, flat = _flatten(samples)
    try:
        # Every shot ends at a comma (one join, no further copy of the text).
        joined = ",".join(itertools.chain(flat, ("",))).encode("ascii")
    except (TypeError, UnicodeEncodeError) as exc:
        raise DecodeError(f"Every sampler sample must be a hex string: {exc}") from exc
    text = np.frombuffer(joined, dtype=np.uint8)
    ends = np.flatnonzero(text == _COMMA)
    if ends.size != len(flat):  # a comma inside a sample
        raise DecodeError(NON_HEX)
    starts = np.empty_like(ends)
    starts[1:] = ends[:-1] + 1
    starts[:1] = 0
    rows = HexRows(text, num_bits)
    rows.add(starts, ends)
    return rows.finish(shape)


def bitarray_from_json_strings(span: bytes | memoryview, num_bits: int) -> BitArray | None:
    """The inside of a flat JSON array of hex strings (bytes of the body) -> ``BitArray``.

    Reads the shots straight from the HTTP body, without a Python string per shot. Returns
    ``None`` when the span is not in the simple form this reads (escapes, nesting, unusual
    whitespace); the caller then parses it as JSON.
    """
    return read_json_strings(span, num_bits)


def bitarray_to_hex(bits: BitArray) -> list[Any]:
    """``BitArray`` -> nested lists of hex strings without leading zeros (``"0x0"``, ``"0x3"``)."""
    array = bits.array
    nbytes = array.shape[-1]
    if nbytes == 0:
        empty: list[Any] = np.full(array.shape[:-1], "0x0").tolist()
        return empty
    digits = np.frombuffer(binascii.hexlify(array.tobytes()), dtype=f"S{2 * nbytes}")
    stripped = np.strings.lstrip(digits, b"0")
    stripped = np.where(np.strings.str_len(stripped) == 0, b"0", stripped)
    text = np.strings.add(b"0x", stripped).astype("U")
    out: list[Any] = text.reshape(array.shape[:-1]).tolist()
    return out


def iq_array(value: Any) -> Any:
    """IQ data (meas_type kerneled/avg_kerneled) as a complex array; a ``BitArray`` unchanged.

    Complex arrays come through as they are (qiskit-ibm-runtime's form); real ``[re, im]``
    pairs on the last axis become complex numbers.
    """
    if isinstance(value, BitArray):
        return value
    array = np.asarray(value)
    if array.dtype.kind in "iuf" and array.ndim and array.shape[-1] == 2:
        return array[..., 0] + 1j * array[..., 1]
    return array
