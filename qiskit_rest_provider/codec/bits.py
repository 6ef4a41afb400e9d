"""Hex shot strings <-> ``BitArray``, vectorised (the plain result format's samples).

Clbit 0 is the least-significant bit, as in Qiskit; ``BitArray`` bytes are big-endian within a
shot.
"""

from __future__ import annotations

import binascii
from typing import Any

import numpy as np
from qiskit.primitives import BitArray

from ..exceptions import DecodeError

__all__ = ["bitarray_from_hex", "bitarray_to_hex", "iq_array"]


_CHUNK = 1 << 16  # samples per vectorised step (bounds the index arrays' memory)
_INVALID = 255
_NIBBLE = np.full(256, _INVALID, dtype=np.uint8)
for _digit in b"0123456789abcdefABCDEF":
    _NIBBLE[_digit] = int(chr(_digit), 16)
_ZERO, _X = ord("0"), ord("x")


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

    The strings are joined into one ASCII buffer and decoded right-aligned with numpy, a chunk
    of shots at a time (no per-shot Python integers, no numpy string arrays). Clbit 0 is the
    least-significant bit, as in Qiskit. Raises ``DecodeError`` on a missing ``0x``, non-hex
    characters or values wider than ``num_bits``.
    """
    shape, flat = _flatten(samples)
    nbytes = max((num_bits + 7) // 8, 1)
    width = 2 * nbytes
    count = len(flat)
    try:
        lengths = np.fromiter(map(len, flat), dtype=np.int64, count=count)
        buffer = np.frombuffer("".join(flat).encode("ascii"), dtype=np.uint8)
    except (TypeError, UnicodeEncodeError) as exc:
        raise DecodeError(f"Every sampler sample must be a hex string: {exc}") from exc
    ends = np.cumsum(lengths)
    starts = ends - lengths
    if count and (
        lengths.min() < 2 or np.any(buffer[starts] != _ZERO) or np.any(buffer[starts + 1] != _X)
    ):
        raise DecodeError("Every sampler sample must be a '0x'-prefixed hex string.")
    if count and lengths.min() == 2:
        raise DecodeError("A sampler sample has no hex digits after '0x'.")
    wider = f"A sample is wider than its register's {num_bits} bits."
    out = np.empty((count, nbytes), dtype=np.uint8)
    offsets = np.arange(-width, 0)
    for low in range(0, count, _CHUNK):
        end = ends[low : low + _CHUNK]
        index = end[:, None] + offsets  # the last `width` characters of each shot
        inside = index >= (starts[low : low + _CHUNK] + 2)[:, None]
        chars = np.where(inside, buffer[np.maximum(index, 0)], _ZERO)
        nibbles = _NIBBLE[chars]
        if np.any(nibbles == _INVALID):
            raise DecodeError("Invalid hex sample: a sample has a non-hex character.")
        out[low : low + _CHUNK] = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    for shot in np.flatnonzero(lengths - 2 > width):  # leading zeros past the width (rare)
        extra = buffer[starts[shot] + 2 : ends[shot] - width]
        if np.any(extra != _ZERO):
            if np.any(_NIBBLE[extra] == _INVALID):
                raise DecodeError("Invalid hex sample: a sample has a non-hex character.")
            raise DecodeError(wider)
    if num_bits % 8 and count and np.any(out[:, 0] >> (num_bits % 8)):
        raise DecodeError(wider)
    if num_bits == 0 and np.any(out):
        raise DecodeError(wider)
    array = out.reshape(shape + (nbytes,))
    if num_bits == 0:
        array = array[..., :0]
    return BitArray(array, num_bits)


def bitarray_to_hex(bits: BitArray) -> list[Any]:
    """``BitArray`` -> nested lists of hex strings without leading zeros (``"0x0"``, ``"0x3"``)."""
    array = bits.array
    nbytes = array.shape[-1]
    if nbytes == 0:
        return np.full(array.shape[:-1], "0x0").tolist()
    digits = np.frombuffer(binascii.hexlify(array.tobytes()), dtype=f"S{2 * nbytes}")
    stripped = np.strings.lstrip(digits, b"0")
    stripped = np.where(np.strings.str_len(stripped) == 0, b"0", stripped)
    text = np.strings.add(b"0x", stripped).astype("U")
    return text.reshape(array.shape[:-1]).tolist()


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
