"""Seeds, circuits without measurements and error wording: ours as Qiskit's reference primitives."""

import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator, StatevectorSampler

from qiskit_rest_provider import EstimatorV2, SamplerV2
from qiskit_rest_provider.exceptions import InvalidInputError

from . import circuits as C


def _seeded_sampler(kind, rest_backend, seed):
    if kind == "statevector":
        return StatevectorSampler(seed=seed)
    return SamplerV2(mode=rest_backend, options={"simulator": {"seed_simulator": seed}})


def _seeded_estimator(kind, rest_backend, seed):
    if kind == "statevector":
        return StatevectorEstimator(seed=seed)
    return EstimatorV2(mode=rest_backend, options={"seed_estimator": seed})


@pytest.mark.parametrize("kind", ["statevector", "rest"])
def test_identical_pubs_in_a_seeded_sampler_job_give_identical_samples(kind, rest_backend):
    qc = C.rand(3, depth=3, seed=7, measure=True)
    sampler = _seeded_sampler(kind, rest_backend, 5)
    first, second = sampler.run([qc, qc], shots=300).result()
    assert np.array_equal(first.data.meas.array, second.data.meas.array)
    again = sampler.run([qc], shots=300).result()[0]
    assert np.array_equal(first.data.meas.array, again.data.meas.array)
    assert len(first.data.meas.get_counts()) > 1  # really random, not a constant


@pytest.mark.parametrize("kind", ["statevector", "rest"])
def test_identical_pubs_in_a_seeded_estimator_job_give_identical_values(kind, rest_backend):
    qc = C.rand(3, depth=3, seed=7)
    estimator = _seeded_estimator(kind, rest_backend, 5)
    pub = (qc, ["ZII", "IXI", "IIY"])
    first, second = estimator.run([pub, pub], precision=0.05).result()
    np.testing.assert_array_equal(first.data.evs, second.data.evs)
    other = _seeded_estimator(kind, rest_backend, 6).run([pub], precision=0.05).result()[0]
    assert not np.array_equal(first.data.evs, other.data.evs)


def test_a_generator_seed_draws_a_seed_per_run(rest_backend):
    qc = C.rand(3, depth=3, seed=9, measure=True)

    def runs(generator):
        sampler = SamplerV2(mode=rest_backend, options={"simulator": {"seed_simulator": generator}})
        return [sampler.run([qc], shots=200).result()[0].data.meas.array for _ in range(2)]

    first = runs(np.random.default_rng(3))
    again = runs(np.random.default_rng(3))
    assert not np.array_equal(first[0], first[1])  # each run draws a new seed
    assert all(np.array_equal(a, b) for a, b in zip(first, again))  # the sequence repeats
    options = SamplerV2(
        mode=rest_backend, options={"simulator": {"seed_simulator": np.random.default_rng(3)}}
    ).options
    drawn = options.to_program_options()["simulator"]["seed_simulator"]
    assert drawn == int(np.random.default_rng(3).integers(0, 2**31))
    with pytest.raises(InvalidInputError):
        SamplerV2(mode=rest_backend, options={"simulator": {"seed_simulator": "7"}})
    with pytest.raises(InvalidInputError):
        EstimatorV2(mode=rest_backend, options={"seed_estimator": -1})
    assert EstimatorV2(mode=rest_backend, options={"seed_estimator": 4}).options.to_dict() == {
        "seed_estimator": 4
    }


@pytest.mark.parametrize("kind", ["statevector", "rest"])
def test_identical_pubs_without_a_seed_give_different_samples(kind, rest_backend):
    qc = C.rand(3, depth=3, seed=7, measure=True)
    sampler = StatevectorSampler() if kind == "statevector" else SamplerV2(mode=rest_backend)
    first, second = sampler.run([qc, qc], shots=300).result()
    assert not np.array_equal(first.data.meas.array, second.data.meas.array)


def test_registers_without_measurements_sample_zeros(sampler):
    qc = QuantumCircuit(2, 3)
    qc.h(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ours warns; StatevectorSampler does not
        result = sampler.run([qc], shots=9).result()[0]
    assert result.data.c.get_counts() == {"000": 9}
    assert result.data.c.num_bits == 3


def test_run_with_a_bare_circuit_raises_qiskits_error_and_our_hint(rest_backend):
    qc = C.bell(measure=True)
    with pytest.raises(ValueError) as reference:
        StatevectorSampler().run(qc)
    with pytest.raises(ValueError) as ours:
        SamplerV2(mode=rest_backend).run(qc)
    wording = "An invalid Sampler pub-like was given ("
    assert str(reference.value).startswith(wording) and str(ours.value).startswith(wording)
    tail = "`sampler.run([circuit])` instead of `sampler.run(circuit)`."
    assert tail in str(reference.value) and tail in str(ours.value)
    assert "Each item of the list is one PUB" in str(ours.value)


@pytest.mark.parametrize("pubs", ["circuit", "tuple"])
def test_estimator_run_with_a_bare_pub_raises_qiskits_error_types(rest_backend, pubs):
    qc = C.bell()
    given = qc if pubs == "circuit" else (qc, "ZZ")
    with pytest.raises((TypeError, ValueError)) as reference:
        StatevectorEstimator().run(given)
    with pytest.raises(type(reference.value)) as ours:
        EstimatorV2(mode=rest_backend).run(given)
    assert isinstance(ours.value, TypeError) and isinstance(ours.value, ValueError)
    assert str(ours.value).startswith("An invalid Estimator pub-like was given (")
    assert "estimator.run([(circuit, observables, param_values)])" in str(ours.value)


def test_estimator_circuit_without_observables_gets_a_hint(rest_backend):
    with pytest.raises(ValueError, match="PUB 0: An invalid Estimator pub-like.*needs observables"):
        EstimatorV2(mode=rest_backend).run([C.bell()])


@pytest.mark.parametrize(
    ("observables", "expected"),
    [
        ("ZZZ", "of the observable (3)"),
        (["ZZZ", "XXX"], "of observable (0,) (3)"),
        ([["ZZ"], ["ZZZ"]], "same for all observables"),
    ],
)
def test_width_errors_read_well(estimator, observables, expected):
    with pytest.raises(ValueError) as info:
        estimator.run([(C.bell(), observables)])
    message = str(info.value)
    if not isinstance(estimator, StatevectorEstimator):
        assert "()-th" not in message
        assert expected in message
