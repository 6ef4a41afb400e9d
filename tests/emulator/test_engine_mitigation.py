"""Engine: noisy estimator jobs, TREX, ZNE, twirling and the service's shot accounting."""

from __future__ import annotations

import re

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import JobInputError, run_job, validate_job
from qiskit_rest_provider.emulator.engine.resilience import Resilience, plan_shots
from qiskit_rest_provider.emulator.engine.zne import extrapolate, fold_two_qubit_gates


@pytest.fixture(scope="module")
def torino():
    return default_backends()["ibm_torino"]


@pytest.fixture(scope="module")
def ghz_job(torino):
    """A 4-qubit GHZ-like ISA circuit (5 CZ layers deep) and observables that are exactly 1."""
    qc = QuantumCircuit(4)
    qc.h(0)
    for i in range(3):
        qc.cx(i, i + 1)
    for _ in range(2):  # depth for ZNE to amplify (barriers stop the pairs cancelling)
        qc.barrier()
        for i in range(3):
            qc.cx(i, i + 1)
        qc.barrier()
        for i in range(3):
            qc.cx(i, i + 1)
    isa = generate_preset_pass_manager(1, target=torino.target, seed_transpiler=7).run(qc)
    layout = isa.layout.final_index_layout()

    def label(paulis):
        chars = ["I"] * torino.num_qubits
        for q, p in paulis.items():
            chars[torino.num_qubits - 1 - layout[q]] = p
        return "".join(chars)

    observables = [label({0: "Z", 1: "Z"}), label({0: "X", 1: "X", 2: "X", 3: "X"})]
    return export_circuit(isa).qasm, observables


def _evs(torino, ghz_job, seed=3, **params):
    text, observables = ghz_job
    body = {"pubs": [[text, observables, None, 0.01]], **params}
    validate_job("estimator", body, torino)
    return run_job("estimator", body, torino, seed=seed)


def test_shot_accounting_matches_the_service():
    level1 = Resilience()

    def plan(shots, resilience):
        p = plan_shots(shots, resilience)
        return p.shots, p.num_randomizations, p.shots_per_randomization

    assert plan(10_000, level1) == (10016, 32, 313)  # precision 0.01
    assert plan(4096, level1) == (4096, 32, 128)  # default precision 0.015625
    untwirled = Resilience(measure_mitigation=False, twirl_measure=False)
    assert plan(10_000, untwirled) == (10_000, None, None)
    fixed = Resilience(num_randomizations=10, shots_per_randomization="auto")
    assert plan(1000, fixed) == (1000, 10, 100)


def test_levels_reduce_the_bias(torino, ghz_job):
    raw = _evs(torino, ghz_job, resilience_level=0)
    trex = _evs(torino, ghz_job, resilience_level=1)
    zne = _evs(torino, ghz_job, resilience_level=2)
    bias = [1 - np.mean(r["results"][0]["data"]["evs"]) for r in (raw, trex, zne)]
    assert bias[0] > 0.04  # readout + gate noise is visible
    assert bias[1] < bias[0] - 0.02  # TREX removes the readout part
    assert abs(bias[2]) < bias[1] + 0.02  # ZNE removes (most of) the rest
    meta = trex["results"][0]["metadata"]
    assert (meta["shots"], meta["num_randomizations"], meta["resilience"]) == (10016, 32, {})
    assert raw["results"][0]["metadata"]["shots"] == 10_000
    job = trex["metadata"]
    assert job["twirling"]["enable_measure"] is True and job["twirling"]["enable_gates"] is False
    assert job["resilience"] == {
        "measure_mitigation": True,
        "zne_mitigation": False,
        "pec_mitigation": False,
    }
    assert job["dynamical_decoupling"]["enable"] is False
    assert _evs(torino, ghz_job, resilience_level=1) == trex  # seeded


def test_zne_fields_and_tagged_decoding(torino, ghz_job):
    options = {
        "resilience": {
            "zne_mitigation": True,
            "measure_mitigation": False,
            "zne": {"noise_factors": [1, 3, 5], "extrapolator": ["linear", "polynomial_degree_2"]},
        },
        "twirling": {"enable_measure": False},
    }
    result = _evs(torino, ghz_job, resilience_level=0, options=options, support_qiskit=True)
    pub = decode_result(result, "estimator", [])[0]
    assert pub.data.evs.shape == (2,)
    assert pub.data.evs_noise_factors.shape == (2, 3)
    assert pub.data.evs_extrapolated.shape == (2, 2, 4)  # 2 extrapolators x [0, 1, 3, 5]
    assert "ensemble_standard_error" not in pub.data
    noisy = pub.data.evs_noise_factors
    assert np.all(noisy[:, 0] > noisy[:, 2] + 0.02)  # folding amplifies the noise
    np.testing.assert_allclose(pub.data.evs, pub.data.evs_extrapolated[:, 0, 0])
    assert pub.metadata["resilience"]["zne"]["extrapolator"] == ["linear", "linear"]
    assert pub.metadata["shots"] == 10_000


def test_fold_and_extrapolate_units():
    qc = QuantumCircuit(2)
    qc.cz(0, 1)
    qc.rz(0.1, 0)
    qc.cz(0, 1)
    assert fold_two_qubit_gates(qc, 3, "gate_folding").count_ops()["cz"] == 6
    assert fold_two_qubit_gates(qc, 2, "gate_folding_front").count_ops()["cz"] == 4
    assert fold_two_qubit_gates(qc, 1, "gate_folding") is qc
    x = [1.0, 3.0, 5.0]
    y = [0.8 * np.exp(-0.1 * f) for f in x]
    values, stds, ev, sd, chosen = extrapolate(x, y, [0.01] * 3, ["exponential", "linear"], [0, 1])
    assert chosen == "exponential" and ev == pytest.approx(0.8)
    assert values.shape == (2, 2) and np.all(stds > 0)
    _, _, ev, _, chosen = extrapolate(
        x, [0.5, -0.1, 0.2], [0.01] * 3, ["exponential", "linear"], [0]
    )
    assert chosen == "linear" and np.isfinite(ev)  # exponential cannot fit a sign change


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        (
            {
                "options": {
                    "resilience": {
                        "zne_mitigation": True,
                        "zne": {"noise_factors": [1], "extrapolator": "linear"},
                    }
                }
            },
            "needs at least 2",
        ),
        ({"options": {"resilience": {"zne_mitigation": True, "pec_mitigation": True}}}, "PEC"),
        ({"options": {"resilience": {"zne": {"extrapolator": "cubic"}}}}, "extrapolator"),
        ({"options": {"twirling": {"num_randomizations": 0}}}, "num_randomizations"),
    ],
)
def test_inconsistent_mitigation_options(torino, ghz_job, params, needle):
    text, observables = ghz_job
    with pytest.raises(JobInputError, match=needle):
        validate_job("estimator", {"pubs": [[text, observables]], **params}, torino)


def test_precision_zero_needs_a_noiseless_backend(ghz_job):
    text, observables = ghz_job
    body = {"pubs": [[text, observables, None, 0]]}
    with pytest.raises(JobInputError, match="precision must be > 0"):
        validate_job("estimator", body, default_backends()["ibm_torino"])
    clean = default_backends(noiseless=True)["ibm_torino"]
    validate_job("estimator", body, clean)
    result = run_job("estimator", body, clean, seed=1)
    np.testing.assert_allclose(result["results"][0]["data"]["evs"], [1.0, 1.0], atol=1e-9)


def test_sampler_twirling_on_a_noisy_device(torino, ghz_job):
    text, _ = ghz_job
    measured = text.replace("qubit[133] q;", "bit[4] c;\nqubit[133] q;")
    layout_qubits = sorted({int(q) for q in re.findall(r"q\[(\d+)\]", text)})
    measured += "".join(f"c[{k}] = measure q[{q}];\n" for k, q in enumerate(layout_qubits))
    options = {"twirling": {"enable_gates": True, "enable_measure": True}}
    body = {"pubs": [[measured, None, 1000]], "options": options}
    validate_job("sampler", body, torino)
    result = run_job("sampler", body, torino, seed=2)
    meta = result["results"][0]["metadata"]
    assert (meta["shots"], meta["num_randomizations"]) == (1024, 16)  # 16 x max(64, 32)
    samples = result["results"][0]["data"]["c"]["samples"]
    assert len(samples) == 1024
    good = sum(s in ("0x0", "0xf") for s in samples)
    assert 700 < good < 1020  # GHZ with realistic noise
    plain = run_job("sampler", {"pubs": [[measured, None, 1000]]}, torino, seed=2)
    assert "num_randomizations" not in plain["results"][0]["metadata"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        (  # IQ data is emulated (test_iq_data.py), but not with measurement twirling
            {
                "options": {
                    "execution": {"meas_type": "kerneled"},
                    "twirling": {"enable_measure": True},
                }
            },
            "not compatible",
        ),
        ({"shots": 5_000_000, "pubs": None}, "executions"),
    ],
)
def test_sampler_limits(params, needle):
    sim = default_backends()["ibmq_qasm_simulator"]
    text = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\nbit[1] c;\nc[0] = measure q[0];\n'
    body = {"pubs": [text, text, text], **{k: v for k, v in params.items() if k != "pubs"}}
    with pytest.raises(JobInputError, match=needle):
        validate_job("sampler", body, sim)


def test_plain_results_are_strict_json_even_when_an_extrapolator_fails(torino, ghz_job):
    import json

    text, observables = ghz_job
    # XXXX on the GHZ state is ~+1, but a sign-changing observable breaks the exponential fit
    options = {
        "resilience": {"zne_mitigation": True, "zne": {"extrapolator": ["exponential", "linear"]}}
    }
    body = {
        "pubs": [[text, [observables[0], {observables[0]: 1.0, observables[1]: -1.0}], None, 0.05]],
        "options": options,
    }
    result = run_job("estimator", body, torino, seed=4)
    json.dumps(result, allow_nan=False)  # no NaN tokens
    pub = result["results"][0]
    assert all(np.isfinite(pub["data"]["evs"]))
    assert pub["data"]["evs_extrapolated"][1][0] == [None] * 4  # the failed exponential fit
    assert pub["metadata"]["resilience"]["zne"]["extrapolator"] == ["exponential", "linear"]
