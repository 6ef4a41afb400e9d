"""IQ data: ``meas_type`` kerneled / avg_kerneled, synthesised from the device's readout error."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qiskit_rest_provider.codec.results import encode_result
from qiskit_rest_provider.codec.tagged import decode_ndarray
from qiskit_rest_provider.emulator import engine
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine.iq import centroids, measured_qubit_of_clbits

from .helpers import Api, assert_ibm_error

DEVICE = "ibm_brisbane"
# |0> on $0, |1> on $1; the register lists $1 first
CIRCUIT = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nx $1;\n'
    "c[0] = measure $1;\nc[1] = measure $0;\n"
)


def _classify(points: np.ndarray, qubit: int) -> np.ndarray:
    c0, c1 = centroids(DEVICE, qubit)
    return ((points - (c0 + c1) / 2) * np.conj(c1 - c0)).real > 0


def _fields(result: dict) -> dict:
    data = result["__value__"]["pub_results"][0]["__value__"]["data"]["__value__"]
    return {name: decode_ndarray(v["__value__"]) for name, v in data["fields"].items()}


def test_kerneled_points_classify_to_the_devices_readout_error():
    backend = default_backends()[DEVICE]
    shots = 6000
    out = engine.run_job(
        "sampler",
        {
            "pubs": [[CIRCUIT, None, shots]],
            "options": {"execution": {"meas_type": "kerneled"}},
            "support_qiskit": True,
        },
        backend,
        seed=5,
    )
    iq = _fields(out)["c"]
    assert iq.shape == (shots, 2) and iq.dtype == np.complex128
    p10 = backend.readout_errors()[0][0]  # $0 is in |0>
    p01 = backend.readout_errors()[1][1]  # $1 is in |1>
    for measured, expected in ((_classify(iq[:, 1], 0).mean(), p10),):
        assert abs(measured - expected) < 4 * np.sqrt(expected / shots), (measured, expected)
    wrong = 1 - _classify(iq[:, 0], 1).mean()  # readout error + the x gate's error
    assert abs(wrong - p01) < 4 * np.sqrt(p01 / shots) + 1e-3, (wrong, p01)
    # a perfect readout would misclassify nothing: the clouds really overlap
    assert 0 < _classify(iq[:, 1], 0).sum()


def test_avg_kerneled_is_the_mean_over_shots_and_plain_json_has_pairs():
    backend = default_backends(noiseless=True)[DEVICE]
    params = {
        "pubs": [[CIRCUIT, None, 50]],
        "options": {"execution": {"meas_type": "avg_kerneled"}},
    }
    plain = engine.run_job("sampler", params, backend, seed=1)
    values = np.array(plain["results"][0]["data"]["c"])
    assert values.shape == (2, 2)  # creg size, [real, imag]
    averaged = values[:, 0] + 1j * values[:, 1]
    c0_q0, c1_q0 = centroids(DEVICE, 0)
    c0_q1, c1_q1 = centroids(DEVICE, 1)
    # noiseless device: clouds 12 sigma apart, so 50 shots average close to the centroid
    assert abs(averaged[0] - c1_q1) < abs(c1_q1 - c0_q1) / 10
    assert abs(averaged[1] - c0_q0) < abs(c1_q0 - c0_q0) / 10
    json.dumps(plain)  # strict JSON


def test_iq_helpers():
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(3, 2)
    qc.measure(0, 1)
    qc.measure(2, 1)  # the last measurement writes clbit 1
    assert measured_qubit_of_clbits(qc) == {1: 2}
    c0, c1 = centroids(DEVICE, 3)
    assert (c0, c1) == centroids(DEVICE, 3) != centroids(DEVICE, 4)
    assert abs(c0 - c1) > 1e6
    assert encode_result("sampler", [], {}, tagged=False) == {"results": [], "metadata": {}}


def test_iq_jobs_over_http(emulator):
    api = Api(emulator.url)
    body = {
        "program_id": "sampler",
        "backend": DEVICE,
        "params": {
            "pubs": [[CIRCUIT, None, 16]],
            "options": {"execution": {"meas_type": "kerneled"}},
            "version": 2,
        },
    }
    job_id = api.submit(body)
    assert api.wait(job_id)["status"] == "Completed"
    data = api.get(f"/jobs/{job_id}/results").json()["results"][0]["data"]
    assert np.array(data["c"]).shape == (16, 2, 2)
    body["params"]["options"] = {
        "execution": {"meas_type": "avg_kerneled"},
        "twirling": {"enable_measure": True},
    }
    error = assert_ibm_error(api.post("/jobs", json=body), 400, 1002)
    assert "measurement twirling are not compatible" in error["message"]


@pytest.mark.parametrize("meas_type", ["classified", "bogus"])
def test_meas_type_values(emulator, meas_type):
    api = Api(emulator.url)
    body = {
        "program_id": "sampler",
        "backend": "ibmq_qasm_simulator",
        "params": {
            "pubs": [["OPENQASM 3.0;\nbit[1] c;\nqubit[1] q;\nc[0] = measure q[0];\n", None, 4]],
            "options": {"execution": {"meas_type": meas_type}},
        },
    }
    r = api.post("/jobs", json=body)
    assert r.status_code == (200 if meas_type == "classified" else 400)
