"""The length of compact JSON without writing it (the body is then serialised only once).

:func:`compact_json_size` equals ``len(json.dumps(obj, separators=(",", ":"),
allow_nan=False))``: the payload-size check needs that number before the transport serialises
the body, and a megabyte-long base64 or QASM string costs a few C-speed scans here instead of a
second copy of the whole body.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii
from typing import Any

__all__ = ["compact_json_size"]

_SCAN_FROM = 256  # shorter strings are simply escaped
# ASCII characters JSON writes as they are (DEL is escaped); deleting them leaves the rest.
_VERBATIM = bytes(c for c in range(0x20, 0x7F) if c not in b'"\\')
# Those it writes as two-character escapes; the other control characters take six.
_SHORT_ESCAPES = b'"\\\n\r\t\b\f'


def _str_size(text: str) -> int:
    if len(text) < _SCAN_FROM or not text.isascii():
        return len(encode_basestring_ascii(text))
    escaped = text.encode("ascii").translate(None, _VERBATIM)  # a C-speed pass
    long = len(escaped.translate(None, _SHORT_ESCAPES))
    return len(text) + 2 + len(escaped) + 4 * long


def compact_json_size(obj: Any) -> int:
    """``len(json.dumps(obj, separators=(",", ":"), allow_nan=False))``, without the string.

    Raises:
        ValueError: ``obj`` holds NaN or an infinity (as ``json.dumps(allow_nan=False)``).
        TypeError: ``obj`` holds something JSON cannot carry.
    """
    # The exact built-in types first, with loops instead of generators: a small job's PUBs
    # are a few nested lists and dicts, and per-node overhead is all their size check costs.
    kind = type(obj)
    if kind is str:
        return _str_size(obj)
    if kind is list:
        size = len(obj) + 1 if obj else 2
        for item in obj:
            size += compact_json_size(item)
        return size
    if kind is dict:
        for key in obj:
            if not isinstance(key, str):
                return len(json.dumps(obj, separators=(",", ":"), allow_nan=False))
        size = len(obj) + 1 if obj else 2
        for key, value in obj.items():
            size += _str_size(key) + 1 + compact_json_size(value)
        return size
    if isinstance(obj, str):
        return _str_size(obj)
    if obj is None or obj is True:
        return 4
    if obj is False:
        return 5
    if isinstance(obj, int):
        return len(int.__repr__(obj))
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"Out of range float values are not JSON compliant: {obj!r}")
        return len(float.__repr__(obj))
    if isinstance(obj, (list, tuple)):
        return 2 + max(len(obj) - 1, 0) + sum(compact_json_size(item) for item in obj)
    if isinstance(obj, dict) and all(isinstance(key, str) for key in obj):
        return (
            2
            + max(len(obj) - 1, 0)
            + sum(_str_size(key) + 1 + compact_json_size(value) for key, value in obj.items())
        )
    # Anything rarer (non-string keys, subclasses json handles its own way): ask json itself.
    return len(json.dumps(obj, separators=(",", ":"), allow_nan=False))
