"""Jobs through the real HTTP path: concurrency, dynamic circuits, both result formats,
retrieval by id in another process."""

import json
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import requests
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from qiskit_rest_provider import EstimatorV2, SamplerV2
from qiskit_rest_provider.codec.status import JobState
from qiskit_rest_provider.exceptions import BadRequestError, InvalidInputError, JobFailureError
from tests.conftest import CONTRACT_CRN
from tests.contract import circuits as C
from tests.contract.oracle import exact_evs
from tests.emulator.helpers import iam_token


def test_many_jobs_in_flight_from_several_threads(rest_backend):
    sampler, estimator = SamplerV2(mode=rest_backend), EstimatorV2(mode=rest_backend)

    def work(i):
        qc = QuantumCircuit(3, 3)
        for q in range(3):
            if (i >> q) & 1:
                qc.x(q)
        qc.measure(range(3), range(3))
        sampled = sampler.run([qc], shots=50)
        ev = estimator.run([(C.two_params(), "ZZ", [0.1 * i, 0.2])], precision=0)
        return i, sampled, ev

    with ThreadPoolExecutor(8) as pool:
        jobs = list(pool.map(work, range(24)))
    assert len({job.job_id() for _, job, _ in jobs}) == 24
    for i, sampled, ev in jobs:
        assert sampled.result()[0].data.c.get_counts() == {format(i % 8, "03b"): 50}
        expected = exact_evs((C.two_params(), "ZZ", [0.1 * i, 0.2]))
        np.testing.assert_allclose(ev.result()[0].data.evs, expected, atol=1e-9)
        assert sampled.status() is JobState.DONE


def test_primitive_reusable_after_errors(rest_backend):
    sampler = SamplerV2(mode=rest_backend)
    with pytest.raises(InvalidInputError):
        sampler.run([QuantumCircuit(1)])  # no classical bits
    broken = QuantumCircuit(QuantumRegister(40), ClassicalRegister(1))
    broken.h(range(40))
    broken.measure(0, 0)
    with pytest.raises((JobFailureError, InvalidInputError, BadRequestError)):
        sampler.run([broken], shots=10).result(timeout=60)  # too wide for the simulator
    assert sampler.run([C.bell(True)], shots=10).result()[0].data.meas.num_shots == 10


def test_mid_circuit_measurement_and_feed_forward(rest_backend):
    qc = QuantumCircuit(
        QuantumRegister(2), ClassicalRegister(1, "first"), ClassicalRegister(1, "second")
    )
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.cregs[0], 1)):
        qc.x(1)
    qc.reset(0)
    qc.measure(1, 1)
    data = SamplerV2(mode=rest_backend).run([qc], shots=400).result()[0].data
    first, second = data.first.get_bitstrings(), data.second.get_bitstrings()
    assert first == second  # feed-forward copied every shot's outcome
    assert 100 < first.count("1") < 300


def test_measure_then_rotate_per_shot(rest_backend):
    qc = QuantumCircuit(1, 2)
    qc.h(0)
    qc.measure(0, 0)
    qc.h(0)
    qc.measure(0, 1)
    counts = SamplerV2(mode=rest_backend).run([qc], shots=2000).result()[0].data.c.get_counts()
    assert set(counts) == {"00", "01", "10", "11"}
    for value in counts.values():
        assert abs(value / 2000 - 0.25) < 6 * np.sqrt(0.25 * 0.75 / 2000)


def test_plain_format_job_submitted_seed_style_decodes(emulator, rest_service):
    """A job posted the REST guides' way (no support_qiskit) decodes to the same containers."""
    from qiskit import qasm3

    bell = C.bell(measure=True)
    headers = {"Authorization": "Bearer " + iam_token(emulator.url), "Service-CRN": CONTRACT_CRN}
    body = {
        "program_id": "sampler",
        "backend": "ibmq_qasm_simulator",
        "params": {"pubs": [[qasm3.dumps(bell), None, 300]]},
    }
    created = requests.post(emulator.url + "/api/v1/jobs", json=body, headers=headers, timeout=30)
    assert created.status_code == 200, created.text
    job = rest_service.job(created.json()["id"])
    result = job.result(timeout=60)
    assert list(result[0].data.keys()) == ["meas"]
    counts = result[0].data.meas.get_counts()
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 300
    raw = requests.get(
        emulator.url + f"/api/v1/jobs/{job.job_id()}/results", headers=headers, timeout=30
    ).json()
    assert raw["results"][0]["data"]["meas"]["num_bits"] == 2


RETRIEVE = textwrap.dedent(
    """
    import json, sys
    from qiskit_rest_provider import RuntimeService
    url, crn, job_id = sys.argv[1:]
    KEYS = ("circuit_metadata", "shots", "target_precision")
    job = RuntimeService(token="contract-api-key", url=url, instance=crn).job(job_id)
    result = job.result(timeout=60)
    pubs = []
    for pub in result:
        pubs.append({
            "fields": list(pub.data.keys()),
            "data": {k: (v.get_bitstrings() if hasattr(v, "get_bitstrings") else v.tolist())
                     for k, v in pub.data.items()},
            "metadata": {k: pub.metadata[k] for k in KEYS if k in pub.metadata},
        })
    print(json.dumps({"program": job.program_id, "pubs": pubs}))
    """
)


def _summary(result, program):
    pubs = []
    for pub in result:
        data = {
            k: (v.get_bitstrings() if hasattr(v, "get_bitstrings") else v.tolist())
            for k, v in pub.data.items()
        }
        keys = ("circuit_metadata", "shots", "target_precision")
        metadata = {k: pub.metadata[k] for k in keys if k in pub.metadata}
        pubs.append({"fields": list(pub.data.keys()), "data": data, "metadata": metadata})
    return {"program": program, "pubs": pubs}


@pytest.mark.parametrize("program", ["sampler", "estimator"])
def test_job_retrieved_and_decoded_in_another_process(emulator, rest_backend, program):
    if program == "sampler":
        job = SamplerV2(mode=rest_backend).run(
            [C.awkward_registers(), (C.two_params(True), [[0.1, 0.2], [1.0, 2.0]])], shots=64
        )
    else:
        qc = C.vector_params()
        qc.metadata = {"kind": "vector", "values": [1, 2]}
        job = EstimatorV2(mode=rest_backend).run(
            [(qc, [["ZZZ"], ["XIX"]], np.linspace(0, 1, 3 * qc.num_parameters).reshape(3, -1))],
            precision=0,
        )
    local = _summary(job.result(timeout=60), program)
    out = subprocess.run(
        [sys.executable, "-c", RETRIEVE, emulator.url, CONTRACT_CRN, job.job_id()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == json.loads(json.dumps(local))


@pytest.fixture(scope="module")
def noiseless_service():
    from qiskit_rest_provider import RuntimeService
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(noiseless=True, seed=3) as server:
        yield RuntimeService(token="k", url=server.url, instance=CONTRACT_CRN)


def test_apply_layout_opt_in_and_clear_error_without_it(noiseless_service):
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.transpiler import generate_preset_pass_manager

    backend = noiseless_service.backend("ibm_brisbane")
    abstract = C.rand(4, depth=3, seed=13)
    isa = generate_preset_pass_manager(
        optimization_level=1, backend=backend, seed_transpiler=1
    ).run(abstract)
    observable = SparsePauliOp.from_list([("ZZII", 1.0), ("IXXI", -0.5)])
    with pytest.raises(ValueError, match="apply_layout"):
        EstimatorV2(mode=backend).run([(isa, observable)])
    # precision=0 (exact) on a device is only meaningful because this emulator runs noiseless;
    # client-side validation rightly refuses it for devices, so it is switched off here.
    result = (
        EstimatorV2(mode=backend, apply_layout=True, validate=False)
        .run([(isa, observable)], precision=0)
        .result(timeout=120)
    )
    np.testing.assert_allclose(result[0].data.evs, exact_evs((abstract, observable)), atol=1e-9)
