"""Checks on a result's declared sizes, made before anything of that size is allocated.

A server could declare ``num_bits: 1e9`` or send more samples than the job asked for, or a
tagged array that inflates to gigabytes; these bound every size by what the PUBs asked for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from qiskit.primitives import BitArray

from ..exceptions import DecodeError
from .bits import bitarray_from_hex
from .hexbody import Span, marked_span, span_bits, span_shots
from .pubs import PubSpec
from .tagged import DEFAULT_MAX_ARRAY_BYTES, ArrayBudget, untag

__all__ = [
    "MAX_NUM_BITS",
    "result_budget",
    "mapping",
    "sequence",
    "num_bits_of",
    "leading_lengths",
    "plain_fields",
    "tagged_fields",
    "read_pub_items",
]

# Without a PUB to compare with, a register wider than this is not believed (IBM's largest
# devices have ~1000 qubits; mid-circuit measurements add clbits, not by orders of magnitude).
MAX_NUM_BITS = 2**14
# Room for metadata beside the arrays, per answer and per PUB.
_BASE_ALLOWANCE = 8 * 2**20
_PUB_ALLOWANCE = 2**20
# Generous bytes per sampler shot and clbit (kerneled complex128 arrays, base64, hex text) and
# per estimator element (evs/stds/ese plus ZNE's per-noise-factor arrays, as JSON text).
_BYTES_PER_SHOT_BIT = 32
_BYTES_PER_ESTIMATE = 4096


def result_budget(program: str, specs: Sequence[PubSpec]) -> int | None:
    """Bytes the result of a job with these PUBs may take, generously; ``None`` if unknown.

    Bounds both the download and the arrays decoded from it, so a server cannot make the
    client allocate more than the job asked for.
    """
    total = _BASE_ALLOWANCE
    for spec in specs:
        elements = math.prod(spec.shape)
        if program == "sampler":
            if spec.shots is None:
                return None
            bits = sum(creg.size for creg in spec.cregs) + len(spec.cregs) + 1
            total += elements * spec.shots * bits * _BYTES_PER_SHOT_BIT
        else:
            total += elements * _BYTES_PER_ESTIMATE
        total += _PUB_ALLOWANCE
    return total


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object; ``DecodeError`` naming ``what`` otherwise."""
    if not isinstance(value, Mapping):
        raise DecodeError(f"{what} is not an object.")
    return value


def sequence(value: Any, what: str) -> list[Any]:
    """``value`` if it is a JSON list; ``DecodeError`` naming ``what`` otherwise."""
    if not isinstance(value, list):
        raise DecodeError(f"{what} is not a list.")
    return value


def num_bits_of(value: Any, name: str) -> int:
    """A register's declared width, refused unless it is a sane whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DecodeError(f"Register '{name}': num_bits is not a number ({str(value)[:40]!r}).")
    if not (math.isfinite(value) and value == int(value) and 0 <= value <= MAX_NUM_BITS):
        raise DecodeError(
            f"Register '{name}': num_bits {value!r} is not a width between 0 and {MAX_NUM_BITS}."
        )
    return int(value)


def leading_lengths(samples: Any) -> tuple[int, ...]:
    """The shape a nested list of samples claims, read along its first elements."""
    shape = []
    while isinstance(samples, list):
        shape.append(len(samples))
        if not samples:
            break
        samples = samples[0]
    return tuple(shape)


def plain_fields(
    fields: Mapping[str, Any],
    program: str,
    spec: PubSpec | None,
    budget: ArrayBudget,
    spans: Sequence[Span] = (),
) -> dict[str, Any]:
    """A plain-format PUB's data; sampler registers checked against ``spec``, then decoded."""
    fields = mapping(fields, "A PUB result's data")
    if program != "sampler":
        return dict(fields)
    cregs = spec.cregs if spec is not None else ()
    widths = {creg.wire: creg.size for creg in cregs if not creg.sources}
    out = {}
    for name, register in fields.items():
        if not isinstance(register, Mapping) or "samples" not in register:
            raise DecodeError(f"Register '{name}' has no 'samples'.")
        num_bits = num_bits_of(register.get("num_bits"), name)
        expected = widths.get(str(name).removeprefix("esc__").removeprefix("esc_"))
        if expected is not None and num_bits != expected:
            raise DecodeError(
                f"Register '{name}' declares {num_bits} bits; the circuit's register has "
                f"{expected}."
            )
        samples = register["samples"]
        span = marked_span(samples, spans)  # a flat array left as bytes (codec.hexbody)
        shape = (span_shots(span),) if span is not None else leading_lengths(samples)
        # The number of shots may exceed the PUB's (twirling runs num_randomizations x
        # shots_per_randomization), so only the budget bounds it; the PUB's shape is exact.
        if spec is not None and shape[:-1] != tuple(spec.shape):
            raise DecodeError(
                f"Register '{name}' has samples of shape {shape}; the PUB's shape is "
                f"{tuple(spec.shape)} (plus one axis of shots)."
            )
        need = math.prod(shape) * (2 * max((num_bits + 7) // 8, 1) + 3)
        if need > budget.remaining:
            raise DecodeError(
                f"Register '{name}' would take {need} bytes, more than the job's result can."
            )
        budget.remaining -= need
        out[name] = (
            bitarray_from_hex(samples, num_bits) if span is None else span_bits(span, num_bits)
        )
    return out


def tagged_fields(item: Any) -> tuple[dict[str, Any], dict[str, Any], tuple[int, ...] | None]:
    """A tagged PUB result's fields, metadata and DataBin shape; BitArrays checked, then built.

    The shape is the PUB's own (``None`` if absent): the fields alone cannot tell it for
    averaged IQ data, which has no shots axis.
    """
    if not isinstance(item, Mapping) or "__value__" not in item:
        raise DecodeError("A pub result is not a tagged object.")
    value = mapping(item["__value__"], "A pub result's value")
    data = mapping(value.get("data") or {}, "A pub result's data")
    bin_value = mapping(data.get("__value__", data), "A pub result's DataBin")
    fields = {}
    for name, field in mapping(bin_value.get("fields") or {}, "A DataBin's fields").items():
        if isinstance(field, Mapping) and field.get("__type__") == "BitArray":
            inner = mapping(field["__value__"], f"BitArray '{name}'")
            num_bits = num_bits_of(inner.get("num_bits"), name)
            array = np.asarray(inner.get("array"))
            if array.dtype != np.uint8 and not (
                np.issubdtype(array.dtype, np.integer)
                and (array.size == 0 or (array.min() >= 0 and array.max() <= 255))
            ):
                raise DecodeError(f"BitArray '{name}' is not an array of bytes.")
            fields[name] = BitArray(array.astype(np.uint8, copy=False), num_bits)
        else:
            fields[name] = field
    return fields, value.get("metadata") or {}, _shape(bin_value.get("shape"))


def _shape(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    dims = sequence(value, "A DataBin's shape")
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
        raise DecodeError(f"A DataBin's shape is not a list of sizes: {str(dims)[:100]}.")
    return tuple(dims)


def read_pub_items(
    data: Mapping[str, Any], program: str, specs: Sequence[PubSpec], spans: Sequence[Span] = ()
) -> tuple[list[tuple[dict[str, Any], Any, tuple[int, ...] | None]], Mapping[str, Any]]:
    """Each PUB's ``(fields, metadata, shape)`` and the result's metadata, from either format.

    ``shape`` is the tagged DataBin's (``None`` in the plain format).

    Sizes are checked against ``specs`` before anything is allocated; every array decoded
    from the answer draws on one budget (:func:`result_budget`).
    """
    limit = result_budget(program, specs) if specs else None
    budget = ArrayBudget(DEFAULT_MAX_ARRAY_BYTES if limit is None else limit)
    if data.get("__type__") == "PrimitiveResult":
        value = mapping(untag(data, budget)["__value__"], "The PrimitiveResult")
        pubs = sequence(value.get("pub_results", []), "'pub_results'")
        items = [tagged_fields(item) for item in pubs]
        metadata = value.get("metadata") or {}
    elif isinstance(data.get("results"), list):
        results = [mapping(item, "A PUB result") for item in data["results"]]
        if specs and len(results) != len(specs):
            raise DecodeError(f"The result has {len(results)} PUB results for {len(specs)} PUBs.")
        pairs = [(item.get("data") or {}, item.get("metadata") or {}) for item in results]
        given: list[PubSpec | None] = [*specs] or [None] * len(pairs)
        items = [
            (plain_fields(fields, program, spec, budget, spans), meta, None)
            for (fields, meta), spec in zip(pairs, given)
        ]
        metadata = untag(data.get("metadata") or {}, budget)
    else:
        raise DecodeError("The result has neither a PrimitiveResult nor a 'results' list.")
    if specs and len(items) != len(specs):
        raise DecodeError(f"The result has {len(items)} PUB results for {len(specs)} PUBs.")
    if not isinstance(metadata, Mapping):
        raise DecodeError("The result's metadata is not an object.")
    return items, metadata
