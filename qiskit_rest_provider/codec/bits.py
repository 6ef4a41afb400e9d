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

__all__ = ["bitarray_from_hex", "bitarray_from_json_strings", "bitarray_to_hex", "iq_array"]


_CHUNK = 1 << 18  # shots per vectorised step (bounds the temporaries' memory)
_INVALID = 255
_NIBBLE = np.full(256, _INVALID, dtype=np.uint8)
for _digit in b"0123456789abcdefABCDEF":
    _NIBBLE[_digit] = int(chr(_digit), 16)
_NIBBLE_TABLE = _NIBBLE.tobytes()  # for bytes.translate: a C pass, no index arrays
_ZERO, _X, _COMMA, _QUOTE, _SPACE = ord("0"), ord("x"), ord(","), ord('"'), ord(" ")
_BACKSLASH = ord("\\")


def _nibbles(chars: np.ndarray) -> np.ndarray:
    """ASCII hex digits -> their values; raises on any other character."""
    values: np.ndarray = _NIBBLE[chars]
    if values.size and values.max() == _INVALID:
        raise DecodeError("Invalid hex sample: a sample has a non-hex character.")
    return values


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
        # `width` '0' characters first, so every shot's last `width` characters exist; every
        # shot then ends at a comma (one join, no further copy of the text).
        joined = ",".join(itertools.chain(("0" * width,), flat, ("",))).encode("ascii")
    except (TypeError, UnicodeEncodeError) as exc:
        raise DecodeError(f"Every sampler sample must be a hex string: {exc}") from exc
    padded = np.frombuffer(joined, dtype=np.uint8)
    ends = np.flatnonzero(padded == _COMMA)[1:]
    if ends.size != count:  # a comma inside a sample
        raise DecodeError("Invalid hex sample: a sample has a non-hex character.")
    starts = np.empty_like(ends)
    starts[:1] = width + 1
    starts[1:] = ends[:-1] + 1
    return _decode(joined, padded, starts, ends, shape, num_bits)


def bitarray_from_json_strings(span: bytes, num_bits: int) -> BitArray | None:
    """The inside of a flat JSON array of hex strings (bytes of the body) -> ``BitArray``.

    Reads the shots straight from the HTTP body, without a Python string per shot. Returns
    ``None`` when the span is not in the simple form this reads (escapes, nesting, unusual
    whitespace); the caller then parses it as JSON.
    """
    width = 2 * max((num_bits + 7) // 8, 1)
    text = b"0" * width + span
    padded = np.frombuffer(text, dtype=np.uint8)
    quotes = np.flatnonzero(padded == _QUOTE)
    if quotes.size % 2 or np.any(padded == _BACKSLASH):
        return None
    opens, closes = quotes[0::2], quotes[1::2]
    gaps = opens[1:] - closes[:-1]  # 2: "," between strings; 3: ", "
    if not opens.size:
        return None  # no shots: JSON reads that as fast
    if span[: opens[0] - width].strip() or span[closes[-1] - width + 1 :].strip():
        return None
    if gaps.size and (
        gaps.min() < 2
        or gaps.max() > 3
        or np.any(padded[closes[:-1] + 1] != _COMMA)
        or np.any(padded[(closes[:-1] + 2)[gaps == 3]] != _SPACE)
    ):
        return None
    return _decode(text, padded, opens + 1, closes, (opens.size,), num_bits)


def _decode(
    text: bytes,
    padded: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    shape: tuple[int, ...],
    num_bits: int,
) -> BitArray:
    """Shots ``text[starts[k]:ends[k]]`` ('0x' + digits), right-aligned into a ``BitArray``.

    ``padded`` is ``text`` as an array; ``text`` begins with at least ``2 * nbytes``
    characters before the first shot.
    """
    nbytes = max((num_bits + 7) // 8, 1)
    width = 2 * nbytes
    count = ends.size
    digits = ends - starts - 2
    if count and (
        digits.min() < 0 or np.any(padded[starts] != _ZERO) or np.any(padded[starts + 1] != _X)
    ):
        raise DecodeError("Every sampler sample must be a '0x'-prefixed hex string.")
    if count and digits.min() == 0:
        raise DecodeError("A sampler sample has no hex digits after '0x'.")
    wider = f"A sample is wider than its register's {num_bits} bits."
    # Every character's digit value (255 for what is not a digit), then each shot's last
    # `width` values as rows of a sliding window.
    values = np.frombuffer(text.translate(_NIBBLE_TABLE), dtype=np.uint8)
    windows = np.lib.stride_tricks.sliding_window_view(values, width)
    out = np.empty((count, nbytes), dtype=np.uint8)
    columns = np.arange(width)
    for low in range(0, count, _CHUNK):
        high = min(low + _CHUNK, count)
        rows = windows[ends[low:high] - width]
        short = width - digits[low:high]
        if np.any(short > 0):
            np.putmask(rows, columns < short[:, None], 0)  # what precedes a short shot
        if rows.size and rows.max() == _INVALID:
            raise DecodeError("Invalid hex sample: a sample has a non-hex character.")
        out[low:high] = (rows[:, 0::2] << 4) | rows[:, 1::2]
    for shot in np.flatnonzero(digits > width):  # leading zeros past the width (rare)
        extra = padded[starts[shot] + 2 : ends[shot] - width]
        if np.any(extra != _ZERO):
            _nibbles(extra)
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
