"""Qiskit-tagged bodies parsed without a Python string per big array payload.

A tagged sampler result carries each register as ``{"__type__": "ndarray", "__value__":
"<base64 of zlib of .npy>"}``: megabytes of base64 per PUB. ``json.loads`` scans those
characters one by one and copies them into new strings, only for them to be encoded back to
bytes for ``base64``: ~40 % of decoding such a result. :func:`loads_tagged` cuts every long
payload out of the body bytes before parsing, leaves a marker string in its place, and puts
a view of the body (no copy) where the marker lands; :func:`.tagged.decode_ndarray` decodes
a view as it decodes the string. Anything unusual (an escape inside a payload, a marker that
does not end up as exactly one ``ndarray``'s payload) falls back to parsing the whole body.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MIN_BYTES", "MIN_PAYLOAD", "is_tagged", "loads_tagged"]

MIN_BYTES = 1 << 20  # smaller bodies parse fast enough whole (plain ones too: hexbody)
MIN_PAYLOAD = 1 << 16  # shorter payloads stay in the text
_TAGGED = re.compile(rb'\s*\{\s*"__type__"\s*:')
_VALUE = re.compile(rb'"__value__"\s*:\s*"')
_MARKER = "\x00qrp-payload:"


def is_tagged(body: bytes) -> bool:
    """Whether ``body`` opens as a Qiskit-tagged object (``{"__type__": ...``)."""
    return _TAGGED.match(body) is not None


def loads_tagged(body: bytes) -> Any | None:
    """``json.loads(body)`` with long ``ndarray`` payloads as views; ``None``: not applicable.

    ``None`` means: parse the body as a whole (small, not tagged, nothing to cut, or a cut
    that did not land exactly on ``ndarray`` payloads).
    """
    if len(body) < MIN_BYTES or not is_tagged(body):
        return None
    pieces: list[bytes] = []
    views: list[memoryview] = []
    whole = memoryview(body)
    position = search = 0
    while (found := body.find(b'"__value__"', search)) >= 0:
        match = _VALUE.match(body, found)
        if match is None:
            search = found + 1
            continue
        start = match.end()
        end = body.find(b'"', start)
        if end < 0:
            return None
        search = end + 1
        if end - start < MIN_PAYLOAD:
            continue
        if body.find(b"\\", start, end) >= 0:
            return None  # an escape: only the JSON parser reads it right
        pieces += [body[position : start - 1], json.dumps(f"{_MARKER}{len(views)}").encode()]
        views.append(whole[start:end])
        position = end + 1
    if not views:
        return None
    pieces.append(body[position:])
    try:
        data = json.loads(b"".join(pieces))
    except ValueError:
        return None
    return data if _place(data, views) else None


def _place(data: Any, views: list[memoryview]) -> bool:
    """Puts each view where its marker is; whether every marker was one ndarray's payload."""
    placed: set[int] = set()
    todo = [data]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            value = node.get("__value__")
            if isinstance(value, str) and value.startswith(_MARKER):
                index = _index(value, len(views))
                if index is None or index in placed or not _ndarray(node):
                    return False
                placed.add(index)
                node["__value__"] = views[index]
                continue
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, str) and node.startswith(_MARKER):
            return False  # a marker anywhere else
    return len(placed) == len(views)


def _index(marker: str, count: int) -> int | None:
    digits = marker[len(_MARKER) :]
    if not digits.isdigit() or not digits.isascii():
        return None
    index = int(digits)
    return index if index < count else None


def _ndarray(node: dict[str, Any]) -> bool:
    return len(node) == 2 and node.get("__type__") == "ndarray"
