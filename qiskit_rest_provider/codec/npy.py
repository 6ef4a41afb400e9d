"""Reading ``.npy`` bytes without ``np.load``'s header parser, for the headers ``np.save`` writes.

``np.load`` reads the header (a Python dict literal) with ``ast.literal_eval``: ~0.1 ms per
array, more than the rest of a small array's decoding, and exposed to CPython 3.11's shared
AST recursion counter (see :func:`.._compat.ast_safe`). The headers ``np.save`` writes for
numeric and boolean arrays are matched exactly here and the data is read with
``np.frombuffer``; any other header (strings, records, objects, other spellings) returns
``None`` and the caller falls back to ``np.load``.
"""

from __future__ import annotations

import math
import re

import numpy as np

_MAGIC = b"\x93NUMPY"
_HEADER = re.compile(
    r"\{'descr': '([<>|=][biufc]\d{1,2})', 'fortran_order': (True|False), "
    r"'shape': \(((?:\d+, )*\d+,|(?:\d+, )+\d+|)\), \} *\n"
)


def read_simple_npy(raw: bytes) -> np.ndarray | None:
    """The array in ``raw`` if its header is one ``np.save`` writes for numbers, else ``None``.

    The result equals ``np.load``'s (dtype, shape, order, values) and is writable. Data
    shorter than the header says returns ``None`` too (``np.load`` then raises its error).
    """
    if raw[:6] != _MAGIC or len(raw) < 10:
        return None
    major = raw[6]
    if major == 1:
        start, length = 10, int.from_bytes(raw[8:10], "little")
    elif major in (2, 3):
        start, length = 12, int.from_bytes(raw[8:12], "little")
    else:
        return None
    try:
        header = raw[start : start + length].decode("latin-1")
    except ValueError:  # pragma: no cover - latin-1 decodes every byte
        return None
    match = _HEADER.fullmatch(header)
    if match is None:
        return None
    descr, fortran, dims = match.groups()
    try:
        dtype = np.dtype(descr)
    except TypeError:  # e.g. '<i3': let np.load word the refusal
        return None
    shape = tuple(int(d) for d in dims.split(",") if d.strip())
    count = math.prod(shape)
    end = start + length + count * dtype.itemsize
    if len(raw) < end:
        return None
    array: np.ndarray = np.frombuffer(raw, dtype, count, start + length).copy()
    if fortran == "True":
        return np.transpose(array.reshape(shape[::-1]))
    return np.reshape(array, shape)
