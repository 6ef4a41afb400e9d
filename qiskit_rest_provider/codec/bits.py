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
_ZERO, _X, _COMMA, _QUOTE, _SPACE = ord("0"), ord("x"), ord(","), ord('"'), ord(" ")


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

    The strings are joined into one ASCII buffer and decoded right-aligned (see
    :func:`_decode`): no per-shot Python integers, no numpy string arrays. Clbit 0 is the
    least-significant bit, as in Qiskit. Raises ``DecodeError`` on a missing ``0x``, non-hex
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
        raise DecodeError("Invalid hex sample: a sample has a non-hex character.")
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    return _decode(text, starts, ends, shape, num_bits)


def bitarray_from_json_strings(span: bytes, num_bits: int) -> BitArray | None:
    """The inside of a flat JSON array of hex strings (bytes of the body) -> ``BitArray``.

    Reads the shots straight from the HTTP body, without a Python string per shot. Returns
    ``None`` when the span is not in the simple form this reads (escapes, nesting, unusual
    whitespace); the caller then parses it as JSON.
    """
    if b"\\" in span:
        return None
    text = np.frombuffer(span, dtype=np.uint8)
    quotes = np.flatnonzero(text == _QUOTE)
    if quotes.size % 2 or not quotes.size:
        return None  # no shots: JSON reads that as fast
    opens, closes = quotes[0::2], quotes[1::2]
    if span[: opens[0]].strip() or span[closes[-1] + 1 :].strip():
        return None
    gaps = opens[1:] - closes[:-1]  # 2: "," between strings; 3: ", "
    if gaps.size and (
        gaps.min() < 2
        or gaps.max() > 3
        or np.any(text[closes[:-1] + 1] != _COMMA)
        or np.any(text[(closes[:-1] + 2)[gaps == 3]] != _SPACE)
    ):
        return None
    return _decode(text, opens + 1, closes, (opens.size,), num_bits)


def _windows(text: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` characters before each of ``ends`` (sorted), as rows of a new array.

    Shots that end within the first ``width`` characters are read from a copy of the text's
    head with ``width`` zeros in front (their missing characters are zeros).
    """
    lead = int(np.searchsorted(ends, width))
    rows = np.empty((0, width), dtype=np.uint8)
    if lead < ends.size:  # then the text is at least `width` long
        rows = np.lib.stride_tricks.sliding_window_view(text, width)[ends[lead:] - width]
    if lead:
        head = np.concatenate((np.full(width, _ZERO, dtype=np.uint8), text[: ends[lead - 1]]))
        first = np.lib.stride_tricks.sliding_window_view(head, width)[ends[:lead]]
        rows = np.concatenate((first, rows))
    return rows


def _decode(
    text: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    shape: tuple[int, ...],
    num_bits: int,
) -> BitArray:
    """Shots ``text[starts[k]:ends[k]]`` ('0x' + digits; ``ends`` rising) -> ``BitArray``.

    Each shot's last ``2 * nbytes`` characters are taken as one row (what precedes a shorter
    shot's digits becomes '0'), and ``binascii.unhexlify`` of a chunk of rows checks the digits
    and packs them into bytes in one C pass.
    """
    nbytes = max((num_bits + 7) // 8, 1)
    width = 2 * nbytes
    count = ends.size
    digits = ends - starts - 2
    if count and (
        digits.min() < 0 or np.any(text[starts] != _ZERO) or np.any(text[starts + 1] != _X)
    ):
        raise DecodeError("Every sampler sample must be a '0x'-prefixed hex string.")
    if count and digits.min() == 0:
        raise DecodeError("A sampler sample has no hex digits after '0x'.")
    wider = f"A sample is wider than its register's {num_bits} bits."
    out = np.empty((count, nbytes), dtype=np.uint8)
    # leading[p]: a row's first p characters (what precedes a shot of width - p digits)
    leading = np.arange(width) < np.arange(width + 1)[:, None]
    for low in range(0, count, _CHUNK):
        high = min(low + _CHUNK, count)
        rows = _windows(text, ends[low:high], width)
        short = np.flatnonzero(digits[low:high] < width)
        if short.size:  # what precedes a short shot's digits becomes '0'
            some = np.take(rows, short, axis=0)  # contiguous rows: a memcpy per row
            np.copyto(some, np.uint8(_ZERO), where=leading[width - digits[low:high][short]])
            row = np.dtype((np.void, width))  # a whole row as one item: a fast scatter
            np.put(rows.view(row), short, some.view(row))
        try:
            packed = binascii.unhexlify(rows.data)
        except binascii.Error:
            raise DecodeError("Invalid hex sample: a sample has a non-hex character.") from None
        out[low:high] = np.frombuffer(packed, dtype=np.uint8).reshape(high - low, nbytes)
    _check_leading(text, starts, ends, digits, width, wider)
    if num_bits % 8 and count and np.any(out[:, 0] >> (num_bits % 8)):
        raise DecodeError(wider)
    if num_bits == 0 and np.any(out):
        raise DecodeError(wider)
    array = out.reshape(shape + (nbytes,))
    if num_bits == 0:
        array = array[..., :0]
    return BitArray(array, num_bits)


def _check_leading(
    text: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    digits: np.ndarray,
    width: int,
    wider: str,
) -> None:
    """Digits before a shot's last ``width`` ones must be '0' (leading zeros; rare)."""
    over = np.flatnonzero(digits > width)
    if not over.size:
        return
    bounds = np.empty(2 * over.size, dtype=np.intp)
    bounds[0::2] = starts[over] + 2
    bounds[1::2] = ends[over] - width
    # Each shot's extra digits are one segment [start + 2, end - width): their min and max
    # are both '0' exactly when all of them are (the odd segments lie between shots).
    text = text[: bounds[-1] + 1]
    least = np.minimum.reduceat(text, bounds)[0::2]
    most = np.maximum.reduceat(text, bounds)[0::2]
    for shot in over[(least != _ZERO) | (most != _ZERO)][:1]:
        _nibbles(text[starts[shot] + 2 : ends[shot] - width])
        raise DecodeError(wider)


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
