"""Engine: estimator jobs against Qiskit's reference primitives."""

from __future__ import annotations

import time

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.pubs import encode_estimator_pub
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import run_job, validate_job


@pytest.fixture(scope="module")
def sim():
    return default_backends()["ibmq_qasm_simulator"]


def _run(sim, pubs, seed=7, **params):
    body = {"pubs": pubs, **params}
    validate_job("estimator", body, sim)
    return run_job("estimator", body, sim, seed=seed)


def _reference(circuit, observables, values=None):
    pub = (circuit, observables) if values is None else (circuit, observables, values)
    return StatevectorEstimator().run([pub]).result()[0].data.evs


def test_exact_matches_statevector_estimator_plain(sim):
    qc = real_amplitudes(3, reps=2)
    values = np.random.default_rng(3).uniform(-np.pi, np.pi, (4, qc.num_parameters))
    obs = [SparsePauliOp("ZZI"), SparsePauliOp.from_list([("XXY", 0.5), ("IZI", -2.0)])]
    qasm = export_circuit(qc).qasm
    wire_obs = [[{"ZZI": 1.0}], [{"XXY": 0.5, "IZI": -2.0}]]
    result = _run(sim, [[qasm, wire_obs, values.tolist(), 0]])
    evs = np.asarray(result["results"][0]["data"]["evs"])
    expected = _reference(qc, [[obs[0]], [obs[1]]], values)
    assert evs.shape == (2, 4)
    np.testing.assert_allclose(evs, expected, atol=1e-12)
    assert result["results"][0]["data"]["stds"] == np.zeros((2, 4)).tolist()
    assert result["results"][0]["metadata"]["target_precision"] == 0.0
    assert result["metadata"]["version"] == 2
    assert set(result["metadata"]) == {"dynamical_decoupling", "twirling", "resilience", "version"}


def test_exact_tagged_dialect_decodes_like_client(sim):
    from qiskit.primitives.containers.estimator_pub import EstimatorPub

    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.metadata = {"tag": "bell"}
    pub = EstimatorPub.coerce((qc, [SparsePauliOp("ZZ"), SparsePauliOp("XX")], None, 0.0))
    wire, spec = encode_estimator_pub(pub, export_circuit(qc))
    wire[3] = 0  # precision 0: exact
    result = _run(sim, [wire], support_qiskit=True)
    decoded = decode_result(result, "estimator", [spec])[0]
    np.testing.assert_allclose(decoded.data.evs, [1.0, 1.0], atol=1e-12)
    assert decoded.data.evs.dtype == np.float64
    assert decoded.metadata["circuit_metadata"] == {"tag": "bell"}


def test_parameter_order_follows_declarations_not_sorting(sim):
    x = ParameterVector("x", 12)
    theta = Parameter("θ")
    qc = QuantumCircuit(3)
    for i in range(12):
        qc.rx(x[i], i % 3)
        qc.cx(i % 3, (i + 1) % 3)
    qc.ry(theta, 0)
    values = np.linspace(0.1, 2.9, 13)  # distinct, so any permutation changes the result
    text = qasm3.dumps(qc)  # names _x_0_.._x_11_, θ: loads() sorts _x_10_ before _x_2_
    obs = {"ZZI": 1.0, "IXZ": 0.7, "YIY": 0.3}
    result = _run(sim, [[text, obs, values.tolist(), 0]])
    expected = _reference(qc, SparsePauliOp.from_list(list(obs.items())), values)
    assert result["results"][0]["data"]["evs"] == pytest.approx(float(expected), abs=1e-12)
    wrong = _reference(
        qc.assign_parameters(dict(zip(sorted(qc.parameters, key=lambda p: str(p)), values))),
        SparsePauliOp.from_list(list(obs.items())),
    )
    assert abs(float(wrong) - float(expected)) > 1e-3  # the test can tell the orders apart


def test_values_as_dict_by_name(sim):
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(1)
    qc.ry(a, 0)
    qc.rz(b, 0)
    text = qasm3.dumps(qc)
    result = _run(sim, [[text, "X", {"a": [0.3, 1.2], "b": 0.5}, 0]])
    expected = _reference(qc, SparsePauliOp("X"), [[0.3, 0.5], [1.2, 0.5]])
    np.testing.assert_allclose(result["results"][0]["data"]["evs"], expected, atol=1e-12)


def test_short_forms(sim):
    qc = QuantumCircuit(2)
    qc.x(1)
    text = export_circuit(qc).qasm
    one = _run(sim, [[text, {"ZI": 1.0}], [text, "IZ", None], [text, ["ZZ", "IZ"], None, 0]])
    assert one["results"][2]["data"]["evs"] == [-1.0, 1.0]
    # default precision 0.015625 -> 4096 shots, Z on a definite state has zero variance
    assert one["results"][0]["data"]["evs"] == -1.0
    assert one["results"][0]["metadata"]["shots"] == 4096
    assert one["results"][0]["metadata"]["target_precision"] == 0.015625


def test_precision_gives_shots_and_honest_std(sim):
    qc = QuantumCircuit(1)
    qc.ry(Parameter("a"), 0)
    text = export_circuit(qc).qasm
    values = [[1.0]] * 400  # each binding is sampled on its own
    result = _run(sim, [[text, "Z", values, 0.05]], seed=11)
    data, meta = result["results"][0]["data"], result["results"][0]["metadata"]
    # ceil(1/0.05²) = 400 shots, twirled in 7 randomizations of max(64, ceil(400/32)) = 64
    assert (meta["shots"], meta["num_randomizations"]) == (448, 7)
    assert meta["target_precision"] == 0.05
    evs, stds = np.asarray(data["evs"]), np.asarray(data["stds"])
    exact = np.cos(1.0)
    assert abs(evs.mean() - exact) < 0.01
    assert evs.std() == pytest.approx(np.sqrt((1 - exact**2) / 448), rel=0.15)
    np.testing.assert_allclose(stds, np.sqrt((1 - evs**2) / 448))
    again = _run(sim, [[text, "Z", values, 0.05]], seed=11)
    assert again == result  # seeded


def test_seed_estimator_option_wins(sim):
    qc = QuantumCircuit(1)
    qc.h(0)
    text = export_circuit(qc).qasm
    body = {"pubs": [[text, "Z"]], "options": {"seed_estimator": 5}}
    first = run_job("estimator", body, sim, seed=1)
    second = run_job("estimator", body, sim, seed=2)
    assert first == second
    shots = run_job("estimator", {**body, "options": {"default_shots": 100}}, sim, seed=1)
    assert shots["results"][0]["metadata"]["shots"] == 128  # 2 randomizations x 64
    level0 = run_job(
        "estimator", {**body, "options": {"default_shots": 100}, "resilience_level": 0}, sim, seed=1
    )
    assert level0["results"][0]["metadata"]["shots"] == 100
    assert "num_randomizations" not in level0["results"][0]["metadata"]


def test_wide_circuit_touching_five_qubits_is_fast(sim):
    big = default_backends()["ibmq_qasm_simulator"]
    qc = QuantumCircuit(127)
    for q in (3, 77, 100):
        qc.h(q)
    qc.cx(3, 50)
    qc.cx(100, 126)
    qc.ry(0.4, 77)
    label = ["I"] * 127
    for q, p in ((3, "Z"), (50, "Z"), (77, "X"), (10, "Z")):
        label[126 - q] = p
    obs = {"".join(label): 1.0}
    xy_idle = list(label)
    xy_idle[126 - 11] = "X"
    obs2 = {"".join(xy_idle): 1.0}
    wide = type(big)(big.name, {**big.configuration(), "n_qubits": 127})
    start = time.perf_counter()
    result = _run(wide, [[export_circuit(qc).qasm, [obs, obs2], None, 0]])
    elapsed = time.perf_counter() - start
    np.testing.assert_allclose(result["results"][0]["data"]["evs"], [np.cos(0.4), 0.0], atol=1e-12)
    assert elapsed < 30  # generous: a 127-qubit statevector would not finish at all


def test_mid_circuit_measurement_estimator_uses_trajectories(sim):
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    result = _run(sim, [[export_circuit(qc).qasm, {"ZZ": 1.0, "IZ": 1.0}, None, 0]])
    # ZZ = +1 always (q1 copies q0); IZ = <Z0> = 0 on average
    assert result["results"][0]["data"]["evs"] == pytest.approx(1.0, abs=0.05)
