"""SamplerV2 contract: same assertions over StatevectorSampler and ours on the emulator."""

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.primitives import BitArray, PrimitiveResult, SamplerPubResult

from . import circuits as C
from .oracle import assert_counts_match, sampler_probabilities


def assert_samples_match(result, pubs, default_shots):
    assert isinstance(result, PrimitiveResult)
    assert len(result) == len(pubs)
    for pub_result, pub in zip(result, pubs):
        circuit = pub if not isinstance(pub, tuple) else pub[0]
        shots = pub[2] if isinstance(pub, tuple) and len(pub) > 2 and pub[2] else default_shots
        assert isinstance(pub_result, SamplerPubResult)
        assert list(pub_result.data.keys()) == [creg.name for creg in circuit.cregs]
        probabilities = sampler_probabilities(pub)
        assert pub_result.data.shape == probabilities.shape
        for creg in circuit.cregs:
            bits = pub_result.data[creg.name]
            assert isinstance(bits, BitArray)
            assert bits.array.dtype == np.uint8
            assert bits.num_bits == creg.size
            assert bits.num_shots == shots
            assert bits.array.shape == probabilities.shape + (shots, (creg.size + 7) // 8)
            for index in np.ndindex(probabilities.shape):
                counts = bits[index].get_counts() if probabilities.shape else bits.get_counts()
                assert_counts_match(counts, probabilities[index][creg.name], shots)
        assert pub_result.metadata["shots"] == shots
        assert pub_result.metadata["circuit_metadata"] == circuit.metadata
        joined = pub_result.join_data()
        assert joined.num_bits == sum(creg.size for creg in circuit.cregs)
    assert result.metadata["version"] == 2


@pytest.mark.parametrize("shots", [1, 100, 1000, 4096])
def test_bell_shots(sampler, shots):
    pubs = [C.bell(measure=True)]
    assert_samples_match(sampler.run(pubs, shots=shots).result(), pubs, shots)


@pytest.mark.parametrize("seed", [42, 1, 2, 3, 4, 8])
def test_random_circuits(sampler, seed):
    pubs = [C.rand(5, depth=3, seed=seed, measure=True)]
    assert_samples_match(sampler.run(pubs, shots=2000).result(), pubs, 2000)


def test_register_names_order_and_metadata(sampler):
    pubs = [C.awkward_registers()]
    result = sampler.run(pubs, shots=500).result()
    assert_samples_match(result, pubs, 500)
    assert result[0].data["z"].get_counts() == {"1": 500}


@pytest.mark.parametrize(
    "values",
    [
        np.array([0.4, 1.3]),
        np.linspace(0, 3, 6).reshape(3, 2),
        np.linspace(-2, 2, 8).reshape(2, 2, 2),
        {"a": [0.1, 2.0], "b": [1.0, -1.0]},
        {("a", "b"): [[0.3, 0.4]]},
    ],
    ids=["0d", "1d", "2d", "dict", "tuple_key"],
)
def test_parameter_sweeps(sampler, values):
    pubs = [(C.two_params(measure=True), values)]
    assert_samples_match(sampler.run(pubs, shots=800).result(), pubs, 800)


def test_parameter_vector_and_unicode_names(sampler):
    qc = C.vector_params(measure=True)
    pubs = [(qc, np.linspace(0.2, 3.0, qc.num_parameters))]
    assert_samples_match(sampler.run(pubs, shots=2000).result(), pubs, 2000)


def test_shots_per_pub_override_run(sampler):
    pubs = [(C.bell(measure=True), None, 100), (C.bell(measure=True), None, 300), C.bell(True)]
    result = sampler.run(pubs, shots=200).result()
    assert [r.data.meas.num_shots for r in result] == [100, 300, 200]
    assert_samples_match(result, pubs, 200)


def test_transpiled_circuit_with_idle_qubits(sampler):
    pubs = [C.transpiled_with_idle_qubits(measure=True)]
    assert_samples_match(sampler.run(pubs, shots=1000).result(), pubs, 1000)


def test_wide_register_bit_order(sampler):
    qc = QuantumCircuit(QuantumRegister(10), ClassicalRegister(10, "c"))
    qc.x([0, 3, 9])
    qc.measure(range(10), range(10))
    result = sampler.run([qc], shots=10).result()
    assert result[0].data.c.get_counts() == {"1000001001": 10}
    assert result[0].data.c.array[0].tolist() == [2, 9]


def test_partial_measurement(sampler):
    qc = QuantumCircuit(QuantumRegister(3), ClassicalRegister(3, "c"), ClassicalRegister(1, "d"))
    qc.x(2)
    qc.h(0)
    qc.measure(2, 1)
    qc.measure(0, 3)
    pubs = [qc]
    assert_samples_match(sampler.run(pubs, shots=400).result(), pubs, 400)


def test_many_pubs(sampler):
    pubs = [C.bell(True), C.rand(3, 2, 11, True), (C.two_params(True), [[0.1, 0.2], [1, 2]])]
    assert_samples_match(sampler.run(pubs, shots=600).result(), pubs, 600)


INVALID = {
    "parameter_count": lambda: [(C.two_params(True), [0.1])],
    "zero_pub_shots": lambda: [(C.bell(True), None, 0)],
    "negative_pub_shots": lambda: [(C.bell(True), None, -5)],
    "missing_values": lambda: [C.two_params(True)],
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_pubs(sampler, case):
    with pytest.raises((ValueError, TypeError)) as info:
        sampler.run([C.bell(True)] + INVALID[case](), shots=10)
    if type(sampler).__module__.startswith("qiskit_rest_provider"):
        assert "PUB 1" in str(info.value)


@pytest.mark.parametrize("shots", [0, -1, 1.5, True])
def test_invalid_run_shots(sampler, shots):
    with pytest.raises((ValueError, TypeError)):
        sampler.run([C.bell(True)], shots=shots)


def test_empty_parameter_sweep(sampler):
    result = sampler.run([(C.two_params(True), np.empty((0, 2)))], shots=10).result()
    assert result[0].data.shape == (0,)
    assert result[0].data.meas.array.shape == (0, 10, 1)
