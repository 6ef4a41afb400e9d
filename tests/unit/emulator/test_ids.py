"""Job, session and task ids: the service's shape, unique, every character equally likely."""

from __future__ import annotations

import os
from collections import Counter

from qiskit_rest_provider.emulator import ids
from qiskit_rest_provider.emulator.ids import new_id


def test_the_shape_of_an_id():
    for prefix in ("d", "c", ""):
        value = new_id(prefix)
        assert len(value) == 19 + len(prefix) and value.startswith(prefix)
        assert set(value[len(prefix) :]) <= set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_ids_are_unique_and_every_position_uses_the_whole_alphabet():
    values = [new_id() for _ in range(20_000)]
    assert len(set(values)) == len(values)
    for position in (1, 10, 19):
        counts = Counter(v[position] for v in values)
        assert len(counts) == 36
        # 20,000 / 36 = 556 per character; a fold or a bias would leave some far off.
        assert 420 < min(counts.values()) and max(counts.values()) < 700


def test_the_drawn_number_is_the_id_in_base_36(monkeypatch):
    draws = iter([36**19, 36**19 + 5, 1 + 2 * 36 + 35 * 36**18])  # two redraws, then one

    class Rng:
        def getrandbits(self, bits):
            assert bits == (36**19).bit_length()
            return next(draws)

    monkeypatch.setattr(ids, "_rng", Rng())
    assert new_id() == "d" + "bc" + "a" * 16 + "9"


def test_a_forked_process_draws_other_ids():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    assert len(child) == 20 and child != new_id()
