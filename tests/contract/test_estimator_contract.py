"""EstimatorV2 contract: same assertions over StatevectorEstimator and ours on the emulator."""

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.primitives import BindingsArray, PrimitiveResult, PubResult
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.quantum_info import Pauli, SparseObservable, SparsePauliOp

from . import circuits as C
from .oracle import exact_evs

OBSERVABLE_FORMS = {
    "str": "ZZ",
    "str_x": "XX",
    "pauli": Pauli("YY"),
    "pauli_phase": Pauli("-YY"),
    "pauli_x": Pauli("XI"),
    "sparse_pauli_op": SparsePauliOp(["ZI", "IZ", "XX"], [0.5, 0.25, -1.5]),
    "dict": {"ZZ": 1.0, "XX": 0.5},
    "dict_pauli_keys": {Pauli("ZZ"): 2.0, Pauli("YI"): 1.0},
    "sparse_observable": SparseObservable.from_label("ZX"),
    "sparse_observable_terms": SparseObservable.from_sparse_list([("ZX", [1, 0], 0.5)], 2),
    "observables_array": ObservablesArray.coerce(["ZZ", "XX", "YY"]),
    "list": ["ZZ", "XX"],
    "nested_list": [["ZZ", "IZ"], ["XX", {"YY": 2.0}]],
    "nested_column": [["ZZ"], ["XX"], ["ZI"]],
    "numpy_strings": np.array(["ZZ", "XI"]),
}

PARAM_FORMS = {
    "array_0d": np.array([0.3, -1.2]),
    "array_1d": np.linspace(0, 2, 6).reshape(3, 2),
    "array_2d": np.linspace(-1, 1, 12).reshape(2, 3, 2),
    "list": [[0.1, 0.2], [0.3, 0.4]],
    "dict_params": {C.A: [0.1, 0.5], C.B: [0.7, -0.3]},
    "dict_names": {"a": 0.4, "b": 1.1},
    "dict_tuple": {("a", "b"): np.array([[0.1, 0.2], [1.5, 2.5], [3.0, -1.0]])},
    "dict_broadcast_rows": {"a": [[0.1, 0.2, 0.3]], "b": [[0.5, 0.6, 0.7]]},
    "bindings_array": BindingsArray({("a", "b"): np.arange(8.0).reshape(4, 2) / 3}),
}

BROADCASTS = {
    "obs2x1_params3": ([["ZZ"], ["XX"]], np.ones((3, 2)) * [[0.1], [0.5], [1.0]]),
    "obs3_params3": (["ZZ", "XX", "YY"], np.arange(6.0).reshape(3, 2)),
    "obs1_params4": (["ZI"], np.arange(8.0).reshape(4, 2)),
    "obs2x1_params1x3": ([["ZZ"], ["IZ"]], np.arange(6.0).reshape(1, 3, 2)),
    "obs_scalar_params2x2": ("XX", np.arange(8.0).reshape(2, 2, 2)),
}


def assert_matches_exact(result, pubs, atol=1e-9):
    assert isinstance(result, PrimitiveResult)
    assert len(result) == len(pubs)
    for pub_result, pub in zip(result, pubs):
        assert isinstance(pub_result, PubResult)
        expected = exact_evs(pub)
        assert list(pub_result.data.keys()) == ["evs", "stds"]
        assert pub_result.data.evs.dtype == np.float64
        assert pub_result.data.stds.dtype == np.float64
        assert pub_result.data.shape == expected.shape
        assert pub_result.data.evs.shape == expected.shape
        np.testing.assert_allclose(pub_result.data.evs, expected, atol=atol, rtol=0)
        assert pub_result.metadata["target_precision"] == 0.0
        assert pub_result.metadata["circuit_metadata"] == pub[0].metadata
    assert result.metadata["version"] == 2


@pytest.mark.parametrize("form", list(OBSERVABLE_FORMS))
def test_observable_forms(estimator, form):
    pubs = [(C.bell(), OBSERVABLE_FORMS[form])]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


@pytest.mark.parametrize("form", list(PARAM_FORMS))
def test_parameter_forms(estimator, form):
    pubs = [(C.two_params(), ["ZZ", "XI"] if form == "array_0d" else "ZZ", PARAM_FORMS[form])]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


@pytest.mark.parametrize("case", list(BROADCASTS))
def test_broadcasting(estimator, case):
    observables, values = BROADCASTS[case]
    pubs = [(C.two_params(), observables, values)]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


@pytest.mark.parametrize("seed", [42, 1, 2, 3, 7])
def test_random_circuits(estimator, seed):
    qc = C.rand(5, depth=3, seed=seed)
    pubs = [(qc, {"IIZII": 1, "XIZZZ": 2.3}), (qc, ["ZZZZZ", "XXYYZ", "IIIIX"])]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


def test_parameter_vector_and_unicode_names_bind_in_order(estimator):
    qc = C.vector_params()
    values = np.linspace(0.1, 2.9, qc.num_parameters)
    pubs = [(qc, ["ZII", "IZI", "IIZ", "XXX"], values)]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


def test_parameter_vector_sweep(estimator):
    qc = C.vector_params()
    values = np.random.default_rng(3).uniform(-3, 3, size=(4, qc.num_parameters))
    pubs = [(qc, [["ZZZ"], ["XIX"]], values)]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


@pytest.mark.parametrize("delta", [1e-10, -3e-11])
def test_angles_near_pi_fractions_survive(estimator, delta):
    pubs = [(C.tiny_angle(delta), "X")]
    evs = estimator.run(pubs, precision=0).result()[0].data.evs
    # Snapping pi/4 + delta to pi/4 would give 0.
    assert abs(evs - exact_evs(pubs[0])) < 1e-15
    assert evs == pytest.approx(math.sin(delta), rel=1e-3)


@pytest.mark.parametrize("angle", [1e-12, 3e-14])
def test_tiny_angles_survive(estimator, angle):
    qc = QuantumCircuit(1)
    qc.ry(angle, 0)
    evs = estimator.run([(qc, "X")], precision=0).result()[0].data.evs
    assert evs == pytest.approx(math.sin(angle), rel=1e-12)  # rz(1e-12) -> rz(0) otherwise


def test_full_width_of_transpiled_circuits(estimator):
    isa = C.transpiled_with_idle_qubits()
    observables = [
        SparsePauliOp("ZZ").apply_layout(isa.layout),
        SparsePauliOp("XX").apply_layout(isa.layout),
        "IIIIIZ",  # an idle qubit stays in |0>
        "ZIIIII",
    ]
    pubs = [(isa, observables)]
    result = estimator.run(pubs, precision=0).result()
    assert_matches_exact(result, pubs)
    np.testing.assert_allclose(result[0].data.evs, [1, 1, 1, 1], atol=1e-9)


def test_several_pubs_and_circuit_metadata(estimator):
    first = C.bell()
    first.metadata = {"tag": "first", "n": 1}
    pubs = [(first, "ZZ"), (C.rand(3, 2, 5), ["ZZZ", "XXX"]), (C.two_params(), "XX", [0.1, 0.2])]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


def test_precision_per_pub_overrides_run(estimator):
    pubs = [(C.bell(), "ZZ", None, 0.0), (C.bell(), "XX")]
    result = estimator.run(pubs, precision=0.0).result()
    assert_matches_exact(result, pubs)


@pytest.mark.parametrize("precision", [0.05, 0.02])
def test_shot_based_precision(estimator, precision):
    qc = C.rand(4, depth=3, seed=9)
    pubs = [(qc, ["ZZZZ", "XIXI", "IIYZ"])]
    result = estimator.run(pubs, precision=precision).result()
    data = result[0].data
    expected = exact_evs(pubs[0])
    assert data.evs.shape == expected.shape == data.stds.shape
    assert np.all(np.abs(data.evs - expected) <= 6 * precision)
    assert np.all(data.stds <= 1.5 * precision)
    assert result[0].metadata["target_precision"] == precision


def test_zero_and_one_dimensional_shapes(estimator):
    pubs = [(C.bell(), "ZZ"), (C.bell(), ["ZZ"]), (C.bell(), [["ZZ"]])]
    result = estimator.run(pubs, precision=0).result()
    assert [r.data.evs.shape for r in result] == [(), (1,), (1, 1)]


def test_reusable_after_error(estimator):
    with pytest.raises(ValueError):
        estimator.run([(C.bell(), "ZZZ")], precision=0)
    pubs = [(C.bell(), "ZZ")]
    assert_matches_exact(estimator.run(pubs, precision=0).result(), pubs)


INVALID = {
    "observable_width": lambda: [(C.bell(), "ZZZ")],
    "parameter_count": lambda: [(C.two_params(), "ZZ", [0.1, 0.2, 0.3])],
    "missing_values": lambda: [(C.two_params(), "ZZ")],
    "not_broadcastable": lambda: [(C.two_params(), ["ZZ", "XX"], np.zeros((3, 2)))],
    "negative_pub_precision": lambda: [(C.bell(), "ZZ", None, -0.1)],
    "non_hermitian": lambda: [(C.bell(), SparsePauliOp(["ZZ"], [1j]))],
    "bare_circuit": lambda: [C.bell()],
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_pubs_raise_value_error(estimator, case):
    with pytest.raises((ValueError, TypeError)) as info:
        estimator.run([(C.bell(), "ZZ")] + INVALID[case](), precision=0)
    if type(estimator).__module__.startswith("qiskit_rest_provider"):
        assert "PUB 1" in str(info.value)


def test_negative_run_precision(estimator):
    with pytest.raises(ValueError):
        estimator.run([(C.bell(), "ZZ")], precision=-1)


def test_projector_observables_are_expanded(rest_backend):
    """Beyond Qiskit's reference (which rejects projectors): expanded into Pauli terms."""
    from qiskit_rest_provider import EstimatorV2

    pubs = [(C.bell(), [SparseObservable.from_label("0+"), SparseObservable.from_label("11")])]
    result = EstimatorV2(mode=rest_backend).run(pubs, precision=0).result()
    np.testing.assert_allclose(result[0].data.evs, exact_evs(pubs[0]), atol=1e-9)


def test_unknown_parameter_name_is_caught_at_run(rest_backend):
    """Qiskit only counts parameters; we also check their names before anything is sent."""
    from qiskit_rest_provider import EstimatorV2
    from qiskit_rest_provider.exceptions import InvalidInputError

    pubs = [(C.bell(), "ZZ"), (C.two_params(), "ZZ", {"a": 0.1, "c": 0.2})]
    with pytest.raises(InvalidInputError, match=r"PUB 1: .*'c'"):
        EstimatorV2(mode=rest_backend).run(pubs, precision=0)


def test_empty_parameter_sweep(estimator):
    result = estimator.run([(C.two_params(), "ZZ", np.empty((0, 2)))], precision=0).result()
    assert result[0].data.shape == (0,)
    assert result[0].data.evs.shape == (0,) and result[0].data.evs.dtype == np.float64
