"""run()'s PUBs coerced with Qiskit: no PUB dropped, every refusal named by its index."""

from __future__ import annotations

from functools import partial

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qiskit_rest_provider.codec import circuits
from qiskit_rest_provider.codec.pubs import encode_sampler_pub
from qiskit_rest_provider.exceptions import InvalidPubError, InvalidPubTypeError
from qiskit_rest_provider.primitives._submit import (
    _readable,
    check_parameter_names,
    coerce_pubs,
    encode_pubs,
)

SAMPLER = partial(SamplerPub.coerce, shots=10)
ESTIMATOR = partial(EstimatorPub.coerce, precision=0.1)
SAMPLER_WRAP = (
    "An invalid Sampler pub-like was given (<class 'qiskit.circuit.quantumcircuit."
    "QuantumCircuit'>). If you want to run a single circuit, you need to wrap it with `[]` like "
    "`sampler.run([circuit])` instead of `sampler.run(circuit)`."
)
ESTIMATOR_WRAP = (
    "An invalid Estimator pub-like was given (<class 'qiskit.circuit.quantumcircuit."
    "QuantumCircuit'>). If you want to run a single pub, you need to wrap it with `[]` like "
    "`estimator.run([(circuit, observables, param_values)])` instead of "
    "`estimator.run((circuit, observables, param_values))`."
)
SAMPLER_FORMS = "Each item of the list is one PUB: a circuit or (circuit, parameter_values, shots)."
ESTIMATOR_FORMS = (
    "Each item of the list is one PUB: (circuit, observables, parameter_values, precision), "
    "the last two optional."
)


def _measured() -> QuantumCircuit:
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    return qc


def _refusal(pubs, coerce, kind, error=InvalidPubTypeError) -> str:
    with pytest.raises(error) as caught:
        coerce_pubs(pubs, coerce, kind)
    assert type(caught.value) is error
    return str(caught.value)


def test_every_pub_is_coerced_in_order():
    a, b = _measured(), _measured()
    pubs = coerce_pubs([a, (b, None, 7), (a,)], SAMPLER, "Sampler")
    assert [type(p) for p in pubs] == [SamplerPub] * 3
    assert [p.circuit for p in pubs] == [a, b, a]
    assert [p.shots for p in pubs] == [10, 7, 10]


def test_a_tuple_of_circuits_is_a_list_of_sampler_pubs():
    a, b = _measured(), _measured()
    pubs = coerce_pubs((a, b), SAMPLER, "Sampler")
    assert [p.circuit for p in pubs] == [a, b]
    assert coerce_pubs(iter([a]), SAMPLER, "Sampler")[0].circuit is a
    assert coerce_pubs([], SAMPLER, "Sampler") == []


@pytest.mark.parametrize("kind", ["Sampler", ""])
def test_a_bare_circuit_is_refused_with_qiskits_words_and_the_forms(kind):
    message = _refusal(_measured(), SAMPLER, kind)
    assert message == f"{SAMPLER_WRAP} {SAMPLER_FORMS}"


def test_a_bare_sampler_pub_tuple_is_refused():
    assert _refusal((_measured(), None, 5), SAMPLER, "Sampler") == f"{SAMPLER_WRAP} {SAMPLER_FORMS}"


@pytest.mark.parametrize("pubs", [QuantumCircuit(1), (QuantumCircuit(1), "Z")])
def test_a_bare_estimator_pub_is_refused(pubs):
    assert _refusal(pubs, ESTIMATOR, "Estimator") == f"{ESTIMATOR_WRAP} {ESTIMATOR_FORMS}"


def test_a_tuple_of_circuits_is_one_bare_estimator_pub():
    pubs = (QuantumCircuit(1), QuantumCircuit(1))
    assert _refusal(pubs, ESTIMATOR, "Estimator") == f"{ESTIMATOR_WRAP} {ESTIMATOR_FORMS}"


@pytest.mark.parametrize(
    ("pubs", "name"), [(5, "int"), (SamplerPub.coerce(_measured(), 5), "SamplerPub")]
)
def test_not_a_list_of_pubs(pubs, name):
    assert _refusal(pubs, SAMPLER, "Sampler") == (
        f"{name!r} object is not a list of PUBs. run() takes a list of PUBs; wrap a single PUB "
        "in [ ]."
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (5, "PUB 1: object of type 'int' has no len()"),
        ({"a": 1}, "PUB 1: a dict is not a PUB (KeyError: 0)."),
        ("x", "PUB 1: circuit must be QuantumCircuit."),
    ],
)
def test_a_pub_of_the_wrong_type_is_refused_by_index(bad, message):
    assert _refusal([_measured(), bad], SAMPLER, "Sampler") == message


def test_a_bad_pub_is_never_dropped():
    message = _refusal([_measured(), (_measured(), None, -1)], SAMPLER, "Sampler", InvalidPubError)
    assert message == "PUB 1: shots must be positive"


def test_an_estimator_circuit_without_observables_gets_the_hint():
    message = _refusal([QuantumCircuit(1)], ESTIMATOR, "Estimator", InvalidPubError)
    assert message == (
        f"PUB 0: {ESTIMATOR_WRAP} An estimator PUB needs observables: (circuit, observables)."
    )
    # Without the kind there is no hint.
    assert (
        _refusal([QuantumCircuit(1)], ESTIMATOR, "", InvalidPubError) == f"PUB 0: {ESTIMATOR_WRAP}"
    )


def test_estimator_value_errors_are_named_by_index():
    message = _refusal([(QuantumCircuit(1), "ZZ")], ESTIMATOR, "Estimator", InvalidPubError)
    assert message == (
        "PUB 0: The number of qubits of the circuit (1) does not match the number of qubits of "
        "the observable (2)."
    )


def test_qiskits_observable_indices_read_as_words():
    assert _readable("the ()-th observable (2).") == "the observable (2)."
    assert _readable("of the (1, 0)-th observable (3) and the (2,)-th observable") == (
        "of observable (1, 0) (3) and observable (2,)"
    )
    assert _readable("no index here") == "no index here"


def test_parameter_names_are_checked():
    qc = QuantumCircuit(1)
    qc.rx(Parameter("a"), 0)
    check_parameter_names(SamplerPub.coerce((qc, {"a": [0.1]}), 5), 0)
    with pytest.raises(InvalidPubError) as caught:
        check_parameter_names(SamplerPub.coerce((qc, {"b": [0.1]}), 5), 3)
    assert str(caught.value) == (
        "PUB 3: parameter values name ['b'] that the circuit does not have and miss ['a']. "
        "Key the values by the circuit's parameters ['a']."
    )


def test_encode_pubs_exports_each_distinct_circuit_once(monkeypatch):
    calls = []
    real = circuits.export_circuit
    monkeypatch.setattr(circuits, "export_circuit", lambda qc: calls.append(qc) or real(qc))
    a, b = _measured(), _measured()
    pubs = [SamplerPub.coerce(c, 3) for c in (a, b, a)]
    wire, specs = encode_pubs(pubs, encode_sampler_pub)
    assert calls == [a, b]
    assert [item[2] for item in wire] == [3, 3, 3] and len(specs) == 3
    assert wire[0][0] == wire[2][0] == real(a).qasm


def test_encode_pubs_checks_names_with_the_pub_index():
    qc = QuantumCircuit(1, 1)
    qc.rx(Parameter("a"), 0)
    good = SamplerPub.coerce((qc, {"a": 0.1}), 3)
    bad = SamplerPub.coerce((qc, {"c": 0.1}), 3)
    with pytest.raises(InvalidPubError, match=r"^PUB 1: parameter values name \['c'\]"):
        encode_pubs([good, bad], encode_sampler_pub)


def test_without_a_kind_a_bare_circuit_gets_the_samplers_words():
    with pytest.raises(InvalidPubTypeError) as caught:
        coerce_pubs(_measured(), SAMPLER)
    assert str(caught.value) == f"{SAMPLER_WRAP} {SAMPLER_FORMS}"


def test_a_name_given_twice_leaves_another_missing():
    # Qiskit counts the values (two for two parameters); the names say 'b' has none.
    qc = QuantumCircuit(1)
    qc.rx(Parameter("a"), 0)
    qc.rz(Parameter("b"), 0)
    pub = SamplerPub.coerce((qc, {("a", "a"): [0.1, 0.2]}), 5)
    with pytest.raises(InvalidPubError) as caught:
        check_parameter_names(pub, 2)
    assert str(caught.value) == (
        "PUB 2: parameter values name [] that the circuit does not have and miss ['b']. "
        "Key the values by the circuit's parameters ['a', 'b']."
    )


def test_encode_pubs_returns_each_pubs_spec_in_order():
    one, two = _measured(), QuantumCircuit(2, 2)
    two.measure([0, 1], [0, 1])
    pubs = [SamplerPub.coerce(one, 3), SamplerPub.coerce(two, 4)]
    wire, specs = encode_pubs(pubs, encode_sampler_pub)
    expected = [encode_sampler_pub(pub, circuits.export_circuit(pub.circuit)) for pub in pubs]
    assert wire == [item for item, _ in expected]
    assert specs == [spec for _, spec in expected]
    assert [spec.shots for spec in specs] == [3, 4]


@pytest.mark.parametrize("observables", [[], [[], []], [[]]])
def test_an_empty_observables_array_is_refused_before_anything_is_sent(observables):
    from unittest import mock

    from qiskit_rest_provider import EstimatorV2
    from qiskit_rest_provider.service.backend import RestBackend

    backend = mock.Mock(spec=RestBackend)
    estimator = EstimatorV2(mode=backend, validate=False)
    with pytest.raises(InvalidPubError) as caught:
        estimator.run([(QuantumCircuit(2), "ZZ"), (QuantumCircuit(2), observables)])
    assert str(caught.value) == "PUB 1: the observables array is empty."
    assert backend.mock_calls == []
