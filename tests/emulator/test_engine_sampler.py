"""Engine: sampler jobs (registers, per-shot dynamic circuits, dialects, seeds)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3
from qiskit.circuit import Parameter
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.pubs import encode_sampler_pub
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.emulator.devices import EmulatedBackend, default_backends
from qiskit_rest_provider.emulator.engine import run_job, validate_job


@pytest.fixture(scope="module")
def sim():
    return default_backends()["ibmq_qasm_simulator"]


def _run(sim, pubs, seed=3, **params):
    body = {"pubs": pubs, **params}
    validate_job("sampler", body, sim)
    return run_job("sampler", body, sim, seed=seed)


def test_register_names_if_z_meas_1_in_declaration_order(sim):
    q = QuantumRegister(3, "q")
    regs = [ClassicalRegister(2, "if"), ClassicalRegister(1, "z"), ClassicalRegister(1, "meas-1")]
    qc = QuantumCircuit(q, *regs)
    qc.x(0)
    qc.measure(0, regs[2][0])  # meas-1 = 1
    qc.measure(1, regs[0][0])  # if = 00
    qc.x(2)
    qc.measure(2, regs[0][1])  # if = 10 (bit 1 set)
    qc.measure(1, regs[1][0])  # z = 0
    export = export_circuit(qc)
    result = _run(sim, [[export.qasm, None, 10]])
    data = result["results"][0]["data"]
    assert list(data) == ["if_0", "z_1", "_meas_1"]  # declared names, declared order
    assert data["if_0"] == {"samples": ["0x2"] * 10, "num_bits": 2}
    assert data["z_1"]["samples"] == ["0x0"] * 10
    assert data["_meas_1"]["samples"] == ["0x1"] * 10
    # the client maps them back to the user's names and order
    pub = SamplerPub.coerce((qc, None, 10))
    _, spec = encode_sampler_pub(pub, export)
    decoded = decode_result(result, "sampler", [spec])[0]
    assert list(decoded.data) == ["if", "z", "meas-1"]
    assert decoded.data["if"].get_counts() == {"10": 10}


def test_mid_circuit_measurement_reset_and_if_else_per_shot(sim):
    qc = QuantumCircuit(2, 3)
    qc.h(0)
    qc.measure(0, 0)  # random per shot
    with qc.if_test((qc.clbits[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.h(1)
        qc.h(1)  # identity: q1 stays |0>
    qc.measure(1, 1)  # must equal clbit 0 in every shot
    qc.reset(0)
    qc.measure(0, 2)  # always 0 after reset
    result = _run(sim, [[export_circuit(qc).qasm, None, 400]])
    samples = result["results"][0]["data"]["c"]["samples"]
    assert set(samples) == {"0x0", "0x3"}  # per shot: c1 == c0, c2 == 0
    assert 120 < samples.count("0x3") < 280


def test_statevector_path_matches_probabilities_and_is_seeded(sim):
    qc = QuantumCircuit(2)
    qc.ry(2 * np.arcsin(np.sqrt(0.2)), 0)
    qc.measure_all()
    text = export_circuit(qc).qasm
    first = _run(sim, [text], shots=5000, seed=42)
    again = _run(sim, [text], shots=5000, seed=42)
    assert first == again
    samples = first["results"][0]["data"]["meas"]["samples"]
    assert len(samples) == 5000 and set(samples) <= {"0x0", "0x1"}
    assert samples.count("0x1") / 5000 == pytest.approx(0.2, abs=0.03)
    seeded = run_job(
        "sampler", {"pubs": [text], "options": {"simulator": {"seed_simulator": 9}}}, sim, seed=1
    )
    assert seeded == run_job(
        "sampler", {"pubs": [text], "options": {"simulator": {"seed_simulator": 9}}}, sim, seed=2
    )
    assert seeded["results"][0]["metadata"]["shots"] == 4096


def test_tagged_dialect_bitarray_shape_and_execution_spans(sim):
    theta = Parameter("θ")
    qc = QuantumCircuit(9)
    qc.ry(theta, 0)
    qc.x(8)
    qc.measure_all()
    pub = SamplerPub.coerce((qc, [[0.0], [np.pi], [0.0]], 7))
    export = export_circuit(qc)
    wire, spec = encode_sampler_pub(pub, export)
    result = _run(sim, [wire], support_qiskit=True)
    value = result["__value__"]
    spans = value["metadata"]["execution"]["execution_spans"]
    assert spans["__type__"] == "ExecutionSpans"
    span = spans["__value__"]["spans"][0]
    assert span["__type__"] == "DoubleSliceSpan"
    assert span["__value__"]["data_slices"] == {"0": [[3, 7], 0, 3, 0, 7]}
    decoded = decode_result(result, "sampler", [spec])[0]
    assert decoded.data.meas.array.shape == (3, 7, 2)
    assert decoded.data.meas.get_counts(1) == {"100000001": 7}
    assert decoded.data.meas.get_counts(0) == {"100000000": 7}


def test_short_forms_and_dict_values(sim):
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.rx(a, 0)
    qc.rx(b, 1)
    qc.measure_all()
    text = qasm3.dumps(qc)
    result = _run(sim, [[text, {"a": np.pi, "b": [0.0, np.pi]}, 5], [text, [[0, np.pi]]]], shots=6)
    first, second = result["results"]
    assert first["data"]["meas"]["samples"] == [["0x1"] * 5, ["0x3"] * 5]
    assert second["data"]["meas"]["samples"] == [["0x2"] * 6]
    assert first["metadata"] == {"shots": 5, "circuit_metadata": {}}


def test_wide_circuit_touching_five_qubits_is_fast():
    sim = EmulatedBackend(
        "wide", {**default_backends()["ibmq_qasm_simulator"].configuration(), "n_qubits": 127}
    )
    qc = QuantumCircuit(127, 5)
    for k, q in enumerate((0, 31, 64, 99, 126)):
        qc.x(q)
        qc.measure(q, k)
    qc.reset(31)  # dynamic: goes through Aer on 5 qubits
    qc.measure(31, 1)
    start = time.perf_counter()
    result = _run(sim, [[export_circuit(qc).qasm, None, 100]])
    assert result["results"][0]["data"]["c"]["samples"] == ["0x1d"] * 100
    assert time.perf_counter() - start < 30  # a 127-qubit simulation would not finish
