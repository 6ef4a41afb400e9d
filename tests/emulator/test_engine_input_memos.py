"""Engine: what a job's checks remember between jobs gives what computing it afresh gives.

Per text (input names, header, registers), per small value payload (normalised values, a
fresh copy each time) and per resilience level without options: each must be equal to the
uncached result, never shared in a way a caller could change, and bounded.
"""

from __future__ import annotations

import numpy as np
import pytest

from qiskit_rest_provider.codec.pubs import normalize_parameter_values
from qiskit_rest_provider.codec.tagged import encode_ndarray
from qiskit_rest_provider.emulator.engine import inputs, resilience
from qiskit_rest_provider.emulator.engine.errors import JobInputError
from qiskit_rest_provider.emulator.engine.inputs import parse_pubs
from qiskit_rest_provider.emulator.engine.options import get
from qiskit_rest_provider.emulator.engine.resilience import resolve_resilience

_TEXT = (
    'OPENQASM 3.0;\n// qiskit_rest_provider: {"cregs":["c"],"metadata":{"k":1}}\n'
    'include "stdgates.inc";\ninput float[64] b;\ninput float[64] a;\nbit[2] c;\n'
    "qubit[2] q;\nrx(a) q[0];\nry(b) q[1];\nc = measure q;\n"
)


def _sampler(values: object) -> dict[str, object]:
    return {"pubs": [[_TEXT, values, 10]], "version": 2}


def test_text_facts_are_those_of_the_text_and_not_shared_lists():
    first = parse_pubs("sampler", _sampler([[0.1, 0.2]]), 5)[0]
    second = parse_pubs("sampler", _sampler([[0.3, 0.4]]), 5)[0]
    for task in (first, second):
        assert task.names == ["b", "a"]
        assert task.registers == [("c", 2)]
        assert task.header == {"cregs": ["c"], "metadata": {"k": 1}}
    assert first.names is not second.names and first.registers is not second.registers
    other = _TEXT.replace("input float[64] b;\n", "").replace("ry(b)", "ry(a)")
    task = parse_pubs("sampler", {"pubs": [[other, [[0.5]], 10]], "version": 2}, 5)[0]
    assert task.names == ["a"]


def test_big_texts_are_read_every_time(monkeypatch):
    calls = []
    read = inputs._read_text

    def counting(qasm: str):
        calls.append(qasm)
        return read(qasm)

    monkeypatch.setattr(inputs, "_read_text", counting)
    monkeypatch.setattr(inputs, "_TEXT_MEMO_CHARS", len(_TEXT) - 1)
    inputs._text_facts(_TEXT)
    inputs._text_facts(_TEXT)
    assert len(calls) == 2
    monkeypatch.setattr(inputs, "_TEXT_MEMO_CHARS", len(_TEXT))
    assert inputs._text_facts(_TEXT) == read(_TEXT)
    assert len(calls) == 2  # the memo's own copy of _read_text, not the counting one


@pytest.fixture
def no_values(monkeypatch):
    monkeypatch.setattr(inputs, "_VALUES", {})


def test_values_are_remembered_by_payload_and_names_and_handed_out_as_copies(no_values):
    raw = encode_ndarray(np.array([[0.1, 0.2], [0.3, 0.4]]))
    first = inputs._parameter_values(raw, ("a", "b"))
    np.testing.assert_array_equal(first, normalize_parameter_values(raw, ("a", "b")))
    assert len(inputs._VALUES) == 1
    first[0, 0] = 99.0  # a caller changing its copy changes nobody else's
    second = inputs._parameter_values(dict(raw), ("a", "b"))
    assert second.tolist() == [[0.1, 0.2], [0.3, 0.4]]
    assert second is not inputs._VALUES[(raw["__value__"], ("a", "b"))]
    with pytest.raises(Exception, match="do not fit"):
        inputs._parameter_values(raw, ("a",))  # same payload, other names: checked again
    assert len(inputs._VALUES) == 1


def test_values_outside_the_memo_are_normalised_as_before(no_values, monkeypatch):
    plain = [[0.1, 0.2]]
    assert inputs._parameter_values(plain, ("a", "b")).tolist() == plain
    by_name = {"a": 0.5, "b": [1.0, 2.0]}
    assert inputs._parameter_values(by_name, ("a", "b")).tolist() == [[0.5, 1.0], [0.5, 2.0]]
    other_type = {"__type__": "Other", "__value__": encode_ndarray(np.zeros(1))["__value__"]}
    assert inputs._parameter_values(other_type, ("a",)).tolist() == [0.0]
    assert inputs._VALUES == {}
    long = encode_ndarray(np.random.default_rng(1).random((40, 2)))
    assert len(long["__value__"]) > inputs._VALUES_MAX_CHARS
    inputs._parameter_values(long, ("a", "b"))
    assert inputs._VALUES == {}
    monkeypatch.setattr(inputs, "_VALUES_MAX_BYTES", 15)
    inputs._parameter_values(encode_ndarray(np.zeros((1, 2))), ("a", "b"))  # 16 bytes
    assert inputs._VALUES == {}
    monkeypatch.setattr(inputs, "_VALUES_MAX_BYTES", 16)
    inputs._parameter_values(encode_ndarray(np.zeros((1, 2))), ("a", "b"))
    assert len(inputs._VALUES) == 1


def test_values_memo_is_bounded(no_values, monkeypatch):
    monkeypatch.setattr(inputs, "_VALUES_MAX", 2)
    for k in range(5):
        raw = encode_ndarray(np.array([[float(k)]]))
        assert inputs._parameter_values(raw, ("a",)).tolist() == [[float(k)]]
        assert 1 <= len(inputs._VALUES) <= 2


def test_non_finite_values_are_refused_from_the_memo_too(no_values):
    raw = encode_ndarray(np.array([[np.nan, 0.5]]))
    for _ in range(2):
        with pytest.raises(JobInputError, match="finite"):
            parse_pubs("sampler", _sampler(raw), 5)
    assert len(inputs._VALUES) == 1


@pytest.mark.parametrize("level", [0, 1, 2])
def test_level_defaults_are_resolved_once_and_equal_a_fresh_resolution(level, monkeypatch):
    monkeypatch.setattr(resilience, "_LEVEL_DEFAULTS", {})
    params = {"resilience_level": level}
    first = resolve_resilience(params, {})
    assert first == resilience._resolve(level, {})
    assert resolve_resilience(params, {}) is first
    assert list(resilience._LEVEL_DEFAULTS) == [level]
    assert first.level == level
    assert first.zne is (level == 2) and first.measure_mitigation is (level >= 1)


def test_options_are_never_answered_from_the_level_defaults(monkeypatch):
    monkeypatch.setattr(resilience, "_LEVEL_DEFAULTS", {})
    params = {"resilience_level": 1}
    resolve_resilience(params, {})
    custom = resolve_resilience(params, {"resilience": {"measure_mitigation": False}})
    assert custom.measure_mitigation is False
    assert resolve_resilience(params, {}).measure_mitigation is True
    assert list(resilience._LEVEL_DEFAULTS) == [1]
    with pytest.raises(JobInputError, match="ZNE and PEC"):
        resolve_resilience({"resilience_level": 2}, {"resilience": {"pec_mitigation": True}})


def test_get_with_no_options():
    assert get({}, "default_shots", 7) == 7
    assert get({}, "simulator.seed_simulator") is None
    assert get({"default_shots": 3}, "default_shots", 7) == 3
