"""The screening of small QASM texts is remembered; refusals and limits are never bypassed."""

from __future__ import annotations

import pytest

from qiskit_rest_provider.emulator.engine import qasm
from qiskit_rest_provider.emulator.engine.qasm import Limits, QasmRejected, screen

_TEXT = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nh q[0];\n'


def test_a_small_text_is_screened_once():
    qasm._screen_memo.cache_clear()
    first = screen(_TEXT)
    assert first.num_qubits == 3 and first.physical_only is False
    assert screen(_TEXT) is first
    info = qasm._screen_memo.cache_info()
    assert (info.hits, info.misses, info.currsize) == (1, 1, 1)


def test_limits_are_part_of_the_key_and_refusals_are_not_remembered():
    qasm._screen_memo.cache_clear()
    assert screen(_TEXT).num_qubits == 3
    for _ in range(2):
        with pytest.raises(QasmRejected):
            screen(_TEXT, Limits(max_qubits=2))
    forbidden = _TEXT + 'include "other.inc";\n'
    for _ in range(2):
        with pytest.raises(QasmRejected):
            screen(forbidden)
    assert qasm._screen_memo.cache_info().currsize == 1


def test_a_big_text_is_screened_every_time_and_not_kept():
    qasm._screen_memo.cache_clear()
    big = _TEXT + "h q[1];\n" * (qasm._SCREEN_MEMO_CHARS // 8)
    assert len(big) > qasm._SCREEN_MEMO_CHARS
    assert screen(big).num_qubits == 3
    assert qasm._screen_memo.cache_info().currsize == 0
    edge = _TEXT + " " * (qasm._SCREEN_MEMO_CHARS - len(_TEXT))
    assert len(edge) == qasm._SCREEN_MEMO_CHARS
    assert screen(edge).num_qubits == 3
    assert qasm._screen_memo.cache_info().currsize == 1
