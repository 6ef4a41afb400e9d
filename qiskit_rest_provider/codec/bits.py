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

__all__ = ["bitarray_from_hex", "bitarray_to_hex"]


def bitarray_from_hex(samples: Any, num_bits: int) -> BitArray:
    """Hex shot strings (any nesting; last axis = shots) -> ``BitArray``, vectorised.

    Clbit 0 is the least-significant bit, as in Qiskit. Raises ``DecodeError`` on a missing
    ``0x``, non-hex characters or values wider than ``num_bits``.
    """
    strings = np.asarray(samples, dtype="S")
    if strings.ndim == 0:
        raise DecodeError("Sampler 'samples' must be a list of hex strings.")
    nbytes = max((num_bits + 7) // 8, 1)
    flat = strings.reshape(-1)
    if flat.size and not np.all(np.strings.startswith(flat, b"0x")):
        raise DecodeError("Every sampler sample must be a '0x'-prefixed hex string.")
    stripped = np.strings.lstrip(flat, b"0x")
    # numpy 2.4 zfill reads uninitialised memory for empty strings ("0x0" -> b"" -> b"+0"/b"-0"
    # at random), so pad empty ones by hand first.
    stripped = np.where(np.strings.str_len(stripped) == 0, b"0", stripped)
    digits = np.strings.zfill(stripped, 2 * nbytes)
    if flat.size and np.any(np.strings.str_len(digits) != 2 * nbytes):
        raise DecodeError(f"A sample is wider than its register's {num_bits} bits.")
    try:
        raw = binascii.unhexlify(digits.astype(f"S{2 * nbytes}").tobytes())
    except binascii.Error as exc:
        raise DecodeError(f"Invalid hex sample: {exc}") from exc
    array = np.frombuffer(raw, dtype=np.uint8).reshape(strings.shape + (nbytes,))
    if num_bits % 8 and array.size and np.any(array[..., 0] >> (num_bits % 8)):
        raise DecodeError(f"A sample is wider than its register's {num_bits} bits.")
    if num_bits == 0:
        array = array[..., :0]
    return BitArray(np.ascontiguousarray(array), num_bits)


def bitarray_to_hex(bits: BitArray) -> list[Any]:
    """``BitArray`` -> nested lists of hex strings without leading zeros (``"0x0"``, ``"0x3"``)."""
    array = bits.array
    nbytes = array.shape[-1]
    if nbytes == 0:
        return np.full(array.shape[:-1], "0x0", dtype=object).tolist()
    digits = np.frombuffer(binascii.hexlify(array.tobytes()), dtype=f"S{2 * nbytes}")
    stripped = np.strings.lstrip(digits, b"0")
    stripped = np.where(np.strings.str_len(stripped) == 0, b"0", stripped)
    text = np.strings.add(b"0x", stripped).astype("U")
    return text.reshape(array.shape[:-1]).tolist()
