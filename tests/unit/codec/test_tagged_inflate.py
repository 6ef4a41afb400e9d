"""Bounded zlib inflation of tagged ndarray payloads: exact bytes, the budget to the byte."""

from __future__ import annotations

import os
import tracemalloc
import zlib

import pytest

from qiskit_rest_provider.codec.tagged import ArrayBudget
from qiskit_rest_provider.exceptions import DecodeError

WINDOW = 1 << 16
SIZES = [0, 1, 100, WINDOW - 1, WINDOW, WINDOW + 1, 3 * WINDOW + 7]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["random", "zeros"])
def test_inflate_gives_the_exact_bytes_and_spends_them(size, kind):
    raw = os.urandom(size) if kind == "random" else bytes(size)
    budget = ArrayBudget(10 * WINDOW)
    assert budget.inflate(zlib.compress(raw)) == raw
    assert budget.remaining == 10 * WINDOW - size


@pytest.mark.parametrize("size", [1, WINDOW, WINDOW + 1, 3 * WINDOW + 7])
def test_a_budget_of_exactly_the_size_is_enough_and_one_byte_less_is_not(size):
    raw = os.urandom(size // 2) + bytes(size - size // 2)
    packed = zlib.compress(raw)
    exact = ArrayBudget(size)
    assert exact.inflate(packed) == raw and exact.remaining == 0
    short = ArrayBudget(size - 1)
    with pytest.raises(DecodeError, match="expands beyond"):
        short.inflate(packed)
    assert short.remaining == size - 1  # nothing spent on a refusal


def test_a_bomb_stops_at_the_budget():
    packed = zlib.compress(bytes(64 << 20), 9)  # 64 MiB of zeros in ~64 KiB
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="expands beyond"):
            ArrayBudget(3 * WINDOW).inflate(packed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20  # never inflated beyond the budget (plus a window)


@pytest.mark.parametrize("size", [100, 5 * WINDOW])
def test_a_truncated_stream_is_refused(size):
    packed = zlib.compress(os.urandom(size))
    with pytest.raises(DecodeError, match="truncated"):
        ArrayBudget().inflate(packed[: len(packed) // 2])


def test_garbage_is_refused():
    with pytest.raises(DecodeError, match="Invalid ndarray payload"):
        ArrayBudget().inflate(b"not zlib at all")
