"""Plain-format sampler bodies parsed without a Python string per shot.

A million hex shots make ``json.loads`` build a million strings, ~40 % of decoding such a
result. :func:`loads_plain` cuts each flat ``"samples": [...]`` array out of the body bytes
before parsing, leaves a marker string in its place, and hands the arrays to
:func:`..bits.bitarray_from_json_strings` as views of the body (:data:`Span`: no copy; a copy
of 32 MiB or more costs as much as decoding it, the memory being fresh from the system).
Anything unusual (a marker that does not end up in a register's ``samples``, nesting, escapes)
falls back to parsing the whole body as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .bits import bitarray_from_hex, bitarray_from_json_strings
from .hexscan import count_strings
from .tagbody import MIN_BYTES, is_tagged, loads_tagged

__all__ = ["loads_plain", "marked_span", "span_bits", "span_shots", "Span", "MIN_BYTES"]

Span = bytes | memoryview  # a cut-out array: a view of the body (or bytes)

_SAMPLES = re.compile(rb'"samples"\s*:\s*\[')
_MARKER = "\x00qrp-samples:"


def _cut(body: bytes) -> tuple[bytes, list[Span]] | None:
    pieces: list[bytes] = []
    spans: list[Span] = []
    view = memoryview(body)
    position = search = 0
    # bytes.find, then the pattern at each hit: a regex scan of the whole body (samples
    # included) costs more than the rest of the cut.
    while (found := body.find(b'"samples"', search)) >= 0:
        match = _SAMPLES.match(body, found)
        if match is None:
            search = found + 1
            continue
        open_at = match.end() - 1
        close_at = body.find(b"]", open_at)
        if close_at < 0 or body.find(b"[", open_at + 1, close_at) >= 0:
            return None  # nested lists: the general path
        pieces += [body[position:open_at], json.dumps(f"{_MARKER}{len(spans)}").encode()]
        spans.append(view[open_at + 1 : close_at])
        position = search = close_at + 1
    if not spans:
        return None
    pieces.append(body[position:])
    return b"".join(pieces), spans


def _markers_in_registers(data: Any) -> int:
    results = data.get("results") if isinstance(data, Mapping) else None
    count = 0
    for item in results if isinstance(results, list) else ():
        fields = item.get("data") if isinstance(item, Mapping) else None
        for register in fields.values() if isinstance(fields, Mapping) else ():
            samples = register.get("samples") if isinstance(register, Mapping) else None
            count += isinstance(samples, str) and samples.startswith(_MARKER)
    return count


def loads_plain(body: bytes | str) -> tuple[Any, list[Span]]:
    """``json.loads(body)``, with big flat sample arrays left in the body (module docstring).

    Returns:
        The parsed JSON and the cut-out arrays (``[]`` when nothing was cut out).

    Raises:
        ValueError: The body is not JSON.
    """
    if isinstance(body, bytes) and len(body) >= MIN_BYTES:
        if is_tagged(body):  # no plain "samples" in it: its payloads are what to cut out
            data = loads_tagged(body)
            return (json.loads(body) if data is None else data), []
        cut = _cut(body)
        if cut is not None:
            data = json.loads(cut[0])
            if _markers_in_registers(data) == len(cut[1]):
                return data, cut[1]
    return json.loads(body), []


def marked_span(samples: Any, spans: Sequence[Span]) -> Span | None:
    """The cut-out array a register's ``samples`` marker stands for, or ``None``."""
    if isinstance(samples, str) and samples.startswith(_MARKER) and spans:
        return spans[int(samples[len(_MARKER) :])]
    return None


def span_shots(span: Span) -> int:
    """How many shots a cut-out array holds (without parsing it)."""
    return count_strings(span)


def span_bits(span: Span, num_bits: int) -> Any:
    """A cut-out array -> ``BitArray`` (parsed as JSON if it is not in the simple form)."""
    bits = bitarray_from_json_strings(span, num_bits)
    if bits is None:
        bits = bitarray_from_hex(json.loads(b"[" + span + b"]"), num_bits)
    return bits
