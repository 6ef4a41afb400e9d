"""Circuits as users build them (issue 10): library blocks appended as instructions, nested
sub-circuits, overlapping registers, loose bits, delays, resets, global phase, custom gates.

Each runs through Qiskit's reference primitives and through ours on the emulator: exact
expectation values equal at precision 0, counts within 6 sigma of the exact probabilities.
Control flow with mid-circuit measurement, which the reference primitives cannot run, is checked
against probabilities worked out by hand.
"""

import math

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Clbit, Parameter, ParameterVector, Qubit
from qiskit.circuit.classical import expr
from qiskit.circuit.library import (
    GlobalPhaseGate,
    QFTGate,
    RZZGate,
    XXPlusYYGate,
    efficient_su2,
    real_amplitudes,
    zz_feature_map,
)
from qiskit.synthesis import synth_qft_full

from .oracle import assert_counts_match, exact_evs, sampler_probabilities

OBSERVABLES = ["ZII", "IXI", "IIY", "ZZZ", {"XXY": 0.5, "YZI": -1.0}]


def _nested():
    t, u, v = Parameter("t"), Parameter("u"), Parameter("v")
    inner = QuantumCircuit(2, name="inner")
    inner.ry(t, 0)
    inner.cx(0, 1)
    inner.rz(2 * t + u, 1)
    middle = QuantumCircuit(3, name="middle")
    middle.h(2)
    middle.append(inner.to_instruction(), [2, 0])
    middle.rx(v, 1)
    outer = QuantumCircuit(3)
    outer.append(middle.to_instruction(), [1, 2, 0])
    outer.append(inner.to_instruction(), [0, 1])  # the same sub-circuit twice
    return outer


def _qft(as_gate):
    x = ParameterVector("x", 3)
    qc = QuantumCircuit(3)
    for i, p in enumerate(x):
        qc.ry(p, i)
    if as_gate:
        qc.append(QFTGate(3), [0, 1, 2])
    else:
        qc.append(synth_qft_full(3), [2, 0, 1])  # a circuit, appended as an instruction
    return qc


def _appended(block):
    qc = QuantumCircuit(3)
    qc.h(1)
    qc.append(block, [2, 0, 1])
    return qc


BLOCKS = {
    "real_amplitudes": lambda: _appended(real_amplitudes(3, reps=1)),
    "efficient_su2": lambda: _appended(efficient_su2(3, reps=1)),
    "zz_feature_map": lambda: _appended(zz_feature_map(3, reps=1)),
    "qft_circuit": lambda: _qft(as_gate=False),
    "qft_gate": lambda: _qft(as_gate=True),
    "nested_sub_circuits": _nested,
}


def _values(circuit, rows=2):
    return np.linspace(-1.3, 2.9, rows * circuit.num_parameters).reshape(rows, -1)


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_blocks_estimator_exact(estimator, name):
    qc = BLOCKS[name]()
    assert qc.num_parameters > 0
    pubs = [(qc, [[o] for o in OBSERVABLES], _values(qc))]
    result = estimator.run(pubs, precision=0).result()
    expected = exact_evs(pubs[0])
    assert result[0].data.evs.shape == expected.shape == (len(OBSERVABLES), 2)
    np.testing.assert_allclose(result[0].data.evs, expected, atol=1e-9, rtol=0)


def _check_samples(result, pub, shots):
    circuit = pub[0] if isinstance(pub, tuple) else pub
    probabilities = sampler_probabilities(pub)
    assert list(result.data.keys()) == [creg.name for creg in circuit.cregs]
    for creg in circuit.cregs:
        bits = result.data[creg.name]
        assert bits.num_bits == creg.size
        assert bits.shape == probabilities.shape
        for index in np.ndindex(probabilities.shape):
            counts = bits[index].get_counts() if probabilities.shape else bits.get_counts()
            assert_counts_match(counts, probabilities[index][creg.name], shots)


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_blocks_sampler_counts(sampler, name):
    qc = BLOCKS[name]()
    qc.measure_all()
    pub = (qc, _values(qc))
    _check_samples(sampler.run([pub], shots=1500).result()[0], pub, 1500)


def _aliased():
    c = ClassicalRegister(3, "c")
    d = ClassicalRegister(bits=[c[2], c[0]], name="d")
    e = ClassicalRegister(1, "e")
    f = ClassicalRegister(bits=[e[0], c[1]], name="f")
    qc = QuantumCircuit(QuantumRegister(4, "q"), c, d, e, f)
    qc.ry(1.1, 0)
    qc.cx(0, 1)
    qc.x(2)
    qc.ry(0.4, 3)
    qc.measure([0, 1, 2, 3], [c[0], c[1], c[2], e[0]])
    return qc


def _loose_bits():
    qc = QuantumCircuit([Qubit(), Qubit()], [Clbit()], QuantumRegister(1, "r"))
    qc.add_register(ClassicalRegister(2, "m"))
    qc.ry(0.7, 0)
    qc.cx(0, 2)
    qc.x(1)
    qc.measure(0, 0)  # a loose clbit: no register reports it
    qc.measure([1, 2], [1, 2])
    return qc


def _timing_reset_phase():
    qc = QuantumCircuit(2, 2)
    qc.global_phase = 0.9
    qc.append(GlobalPhaseGate(0.4), [])
    qc.x(0)
    qc.delay(160, 0)  # dt
    qc.delay(2e-7, 1, unit="s")
    qc.delay(35, 1, unit="ns")
    qc.barrier()
    qc.reset(0)  # from |1>: the reset is deterministic, so exact references apply
    qc.ry(0.8, 0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def _custom_gates():
    theta = Parameter("θ")
    body = QuantumCircuit(2, name="my_gate", global_phase=0.3)
    body.rx(theta, 0)
    body.cz(0, 1)
    gate = body.to_gate()
    phased = QuantumCircuit(1, global_phase=0.7)
    phased.x(0)
    qc = QuantumCircuit(3)
    qc.h([0, 1, 2])
    qc.append(gate, [1, 2])
    qc.append(phased.to_gate().control(1), [0, 2])  # a controlled global phase matters
    qc.append(RZZGate(theta / 2), [0, 1])
    qc.append(XXPlusYYGate(theta, 0.2), [1, 2])
    qc.ecr(0, 2)
    qc.iswap(1, 0)
    return qc


REGISTER_CASES = {
    "aliased_registers": _aliased,
    "loose_bits": _loose_bits,
    "delay_reset_global_phase": _timing_reset_phase,
}


@pytest.mark.parametrize("name", sorted(REGISTER_CASES))
def test_registers_timing_and_phase_sampler_counts(sampler, name):
    qc = REGISTER_CASES[name]()
    _check_samples(sampler.run([qc], shots=1500).result()[0], qc, 1500)


def test_custom_and_non_stdgates_exact(estimator):
    qc = _custom_gates()
    pub = (qc, [[o] for o in OBSERVABLES], [[0.3], [2.2]])
    result = estimator.run([pub], precision=0).result()
    np.testing.assert_allclose(result[0].data.evs, exact_evs(pub), atol=1e-9, rtol=0)


def test_custom_gates_and_global_phase_sampler_counts(sampler):
    qc = _custom_gates()
    qc.measure_all()
    pub = (qc, [1.4])
    _check_samples(sampler.run([pub], shots=1500).result()[0], pub, 1500)


# ---------------------------------------------------------------- control flow (ours only)


def _feed_forward():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    qc.measure(1, 1)
    return qc, {"c": {"00": 0.5, "11": 0.5}}


def _if_else_on_aliased_register():
    c = ClassicalRegister(2, "c")
    d = ClassicalRegister(bits=[c[1]], name="d")
    qc = QuantumCircuit(QuantumRegister(2), c, d)
    qc.ry(2 * math.asin(math.sqrt(0.3)), 1)  # P(1) = 0.3
    qc.measure(1, c[1])
    with qc.if_test((d, 1)) as else_:
        qc.x(0)
    with else_:
        qc.reset(0)
    qc.measure(0, c[0])
    return qc, {"c": {"11": 0.3, "00": 0.7}, "d": {"1": 0.3, "0": 0.7}}


def _repeat_until_success():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with qc.while_loop((qc.clbits[0], 1)):
        qc.reset(0)
        qc.h(0)
        qc.measure(0, 0)
    qc.x(1)
    qc.measure(1, 1)
    return qc, {"c": {"10": 1.0}}


def _for_loop():
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(range(3)) as i:
        qc.rx(i * 0.5, 0)
    qc.measure(0, 0)
    p1 = math.sin(0.75) ** 2  # rx(0 + 0.5 + 1.0)
    return qc, {"c": {"1": p1, "0": 1 - p1}}


def _mid_circuit_reset_and_expr():
    cr = ClassicalRegister(3, "c")
    qc = QuantumCircuit(QuantumRegister(2), cr)
    qc.h(0)
    qc.measure(0, 0)
    qc.reset(0)
    qc.measure(0, 1)  # always 0 after the reset
    with qc.if_test(expr.equal(cr, 1)):
        qc.x(1)
    qc.measure(1, 2)
    return qc, {"c": {"101": 0.5, "000": 0.5}}


def _switch():
    qc = QuantumCircuit(2, 2)
    qc.h([0, 1])
    qc.measure([0, 1], [0, 1])
    with qc.switch(qc.cregs[0]) as case:
        with case(0):
            qc.x(0)
        with case(1, 2):
            qc.x(1)
        with case(case.DEFAULT):
            qc.h(0)
    qc.measure([0, 1], [0, 1])
    # c=0 -> 01; c=1 -> 11; c=2 -> 00; c=3 -> 10 or 11.
    return qc, {"c": {"01": 0.25, "11": 0.375, "00": 0.25, "10": 0.125}}


def _classical_expressions():
    cr = ClassicalRegister(4, "c")
    qc = QuantumCircuit(QuantumRegister(4), cr)
    qc.h([0, 1])
    qc.measure([0, 1], [0, 1])
    with qc.if_test(expr.logic_or(expr.equal(cr, 3), expr.logic_not(cr[1]))):
        qc.x(2)
    with qc.if_test(expr.logic_and(expr.less(cr, 6), expr.equal(expr.bit_and(cr, 1), 1))):
        qc.x(3)
    qc.measure([2, 3], [2, 3])
    # Both tests read c before bits 2 and 3 are measured: c=0 -> 0100; c=1 -> 1101;
    # c=2 -> 0010; c=3 -> 1111.
    return qc, {"c": {"0100": 0.25, "1101": 0.25, "0010": 0.25, "1111": 0.25}}


DYNAMIC = {
    "switch": _switch,
    "classical_expressions": _classical_expressions,
    "feed_forward": _feed_forward,
    "if_else_on_aliased_register": _if_else_on_aliased_register,
    "repeat_until_success": _repeat_until_success,
    "for_loop": _for_loop,
    "mid_circuit_reset_and_expr": _mid_circuit_reset_and_expr,
}


@pytest.mark.parametrize("name", sorted(DYNAMIC))
def test_control_flow_with_mid_circuit_measurement(rest_sampler, name):
    qc, expected = DYNAMIC[name]()
    result = rest_sampler.run([qc], shots=2000).result()[0]
    assert list(result.data.keys()) == [creg.name for creg in qc.cregs]
    for register, probabilities in expected.items():
        assert_counts_match(result.data[register].get_counts(), probabilities, 2000)


@pytest.fixture
def rest_sampler(rest_backend):
    from qiskit_rest_provider import SamplerV2

    return SamplerV2(mode=rest_backend)
