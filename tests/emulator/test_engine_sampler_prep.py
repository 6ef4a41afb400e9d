"""Engine: the sampler's per-circuit preparation, its compiled statevector and its bit packing.

Each of them must give exactly what it replaces: ``Statevector(...).probabilities`` to the
last bit, ``BitArray.from_bool_array`` byte for byte, and a preparation equal to the one
built afresh.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import GlobalPhaseGate, UnitaryGate
from qiskit.circuit.random import random_circuit
from qiskit.primitives import BitArray
from qiskit.quantum_info import Statevector, random_unitary

from qiskit_rest_provider.emulator.engine import sampler_prep
from qiskit_rest_provider.emulator.engine.qasm import parse
from qiskit_rest_provider.emulator.engine.sampler import _exact_shots, register_bits
from qiskit_rest_provider.emulator.engine.smallstate import compile_unitary


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 5),
    depth=st.integers(0, 5),
    seed=st.integers(0, 10_000),
    phase=st.sampled_from([0.0, 0.3, -2.0]),
    data=st.data(),
)
def test_probabilities_are_statevectors_bit_for_bit(n, depth, seed, phase, data):
    circuit = random_circuit(n, depth, max_operands=min(n, 3), seed=seed)
    circuit.global_phase = phase
    qubits = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1)))
    program = compile_unitary(circuit)
    assert program is not None
    got = program.probabilities(qubits)
    expected = Statevector(circuit).probabilities(qargs=qubits)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()
    if depth:  # the same program again: nothing is left over from the first run
        assert program.probabilities(qubits).tobytes() == expected.tobytes()


def test_barriers_unitaries_and_global_phase_gates_follow_statevector():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.barrier()
    qc.append(UnitaryGate(random_unitary(4, seed=3)), [2, 0])
    qc.append(GlobalPhaseGate(0.7), [])
    qc.cry(0.4, 0, 1)
    program = compile_unitary(qc)
    assert program is not None and len(program.steps) == 4
    for qubits in ([0, 1, 2], [1], [0, 2]):
        expected = Statevector(qc).probabilities(qargs=qubits)
        assert program.probabilities(qubits).tobytes() == expected.tobytes()


def test_what_statevector_would_not_evolve_by_matrix_is_left_to_it():
    theta = Parameter("theta")
    unbound = QuantumCircuit(1)
    unbound.rx(theta, 0)
    assert compile_unitary(unbound) is None
    phased = QuantumCircuit(1, global_phase=theta)
    phased.x(0)
    assert compile_unitary(phased) is None
    measured = QuantumCircuit(1, 1)
    measured.measure(0, 0)
    assert compile_unitary(measured) is None
    reset = QuantumCircuit(1)
    reset.reset(0)
    assert compile_unitary(reset) is None
    empty = compile_unitary(QuantumCircuit(2))
    assert empty is not None
    assert empty.probabilities([0, 1]).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_exact_shots_are_those_statevector_gave():
    qc = random_circuit(4, 4, max_operands=2, seed=11)
    pairs = ((2, 0), (0, 1), (3, 2), (0, 3))
    got = _exact_shots(qc, pairs, 4, 300, np.random.default_rng(5), "quantum_info")
    probs = np.clip(Statevector(qc).probabilities(qargs=[0, 2, 3]), 0.0, None)
    outcomes = np.random.default_rng(5).choice(8, size=300, p=probs / probs.sum())
    expected = np.stack([(outcomes >> k) & 1 for k in (1, 0, 2, 0)], axis=1).astype(bool)
    np.testing.assert_array_equal(got, expected)
    program = compile_unitary(qc)
    again = _exact_shots(qc, pairs, 4, 300, np.random.default_rng(5), "quantum_info", program)
    np.testing.assert_array_equal(again, expected)


@settings(max_examples=120, deadline=None)
@given(
    bools=hnp.arrays(np.bool_, hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=6)),
    data=st.data(),
)
def test_register_bits_equal_from_bool_array(bools, data):
    width = bools.shape[-1]
    indices = data.draw(st.lists(st.integers(0, width - 1), min_size=1, max_size=12))
    got = register_bits(bools, indices)
    expected = BitArray.from_bool_array(bools[..., indices], order="little")
    assert got.num_bits == expected.num_bits
    assert got.array.dtype == expected.array.dtype and got.array.shape == expected.array.shape
    assert got.array.tobytes() == expected.array.tobytes()


def test_register_bits_of_other_dtypes_and_wide_registers():
    counts = np.array([[[1, 0, 1], [0, 1, 1]]], dtype=np.int64)  # not bool: converted
    expected = BitArray.from_bool_array(counts[..., [2, 0]].astype(bool), order="little")
    assert register_bits(counts, [2, 0]) == expected
    wide = np.random.default_rng(2).random((5, 20)) < 0.5
    for indices in (list(range(8)), list(range(9)), list(range(20))[::-1]):
        got = register_bits(wide, indices)
        assert got == BitArray.from_bool_array(wide[..., indices], order="little")
    byte = np.ones((1, 8), dtype=bool)
    assert register_bits(byte, list(range(8))).array.tolist() == [[255]]
    assert register_bits(byte[:, :1], [0]).array.tolist() == [[1]]


_TEXT = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nbit[3] c;\nqubit[3] q;\n'
    "rx(a) q[0];\ncx q[0], q[2];\nc[0] = measure q[0];\nc[1] = measure q[2];\n"
    "c[2] = measure q[1];\n"
)


@pytest.fixture
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sampler_prep, "_CACHE", type(sampler_prep._CACHE)())


def _prep(text: str, circuit: QuantumCircuit, names: list[str]) -> sampler_prep.SamplerPrepared:
    return sampler_prep.prepared(text, circuit, names, [("c", circuit.num_clbits)], {})


def test_a_preparation_is_reused_only_for_the_same_circuit_text_and_names(empty_cache):
    circuit = parse(_TEXT)
    first = _prep(_TEXT, circuit, ["a"])
    assert first.fields == [("c", [0, 1, 2])]
    assert first.active == [0, 2] and first.idle == [(1, 2)]
    assert first.program is None  # parametric: compiled per binding
    assert first.split is not None and first.split.pairs == ((0, 0), (1, 1))
    assert _prep(_TEXT, circuit, ["a"]) is first
    assert _prep(_TEXT + "\n", circuit, ["a"]) is not first  # another text
    other = parse(_TEXT, use_cache=False)
    assert _prep(_TEXT, other, ["a"]) is not first  # another circuit object
    with pytest.raises(Exception, match="not declared"):
        _prep(_TEXT, circuit, ["b"])


def test_a_circuit_without_parameters_gets_its_program(empty_cache):
    text = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n'  # noqa: E501
    entry = _prep(text, parse(text), [])
    assert entry.program is not None
    assert entry.program.probabilities([0, 1]).tolist() == pytest.approx([0.5, 0, 0, 0.5])


def test_the_cache_is_bounded_and_skips_big_circuits(empty_cache, monkeypatch):
    monkeypatch.setattr(sampler_prep, "_CACHE_SIZE", 2)
    circuits = [parse(_TEXT + f"// {k}\n") for k in range(3)]
    for k, circuit in enumerate(circuits):
        _prep(_TEXT + f"// {k}\n", circuit, ["a"])
    assert len(sampler_prep._CACHE) == 2
    assert (id(circuits[0]), ("a",)) not in sampler_prep._CACHE
    monkeypatch.setattr(sampler_prep, "_MAX_OPS", len(circuits[0].data) - 1)
    big = parse(_TEXT + "// big\n")
    _prep(_TEXT + "// big\n", big, ["a"])
    assert (id(big), ("a",)) not in sampler_prep._CACHE
    monkeypatch.setattr(sampler_prep, "_MAX_OPS", len(circuits[0].data))
    _prep(_TEXT + "// big\n", big, ["a"])
    assert (id(big), ("a",)) in sampler_prep._CACHE
