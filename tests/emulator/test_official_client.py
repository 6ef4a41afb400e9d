"""qiskit-ibm-runtime 0.51, unmodified, against the emulator (research official-client-interop).

Skipped when qiskit-ibm-runtime is not installed (it is a test-only dependency).
"""

from __future__ import annotations

import warnings

import pytest

runtime = pytest.importorskip("qiskit_ibm_runtime")

import numpy as np  # noqa: E402
from qiskit import QuantumCircuit  # noqa: E402
from qiskit.quantum_info import SparsePauliOp  # noqa: E402
from qiskit.transpiler import generate_preset_pass_manager  # noqa: E402

from .helpers import new_crn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::RuntimeWarning")


@pytest.fixture
def service(emulator, monkeypatch):
    monkeypatch.setenv("IAM_URL", emulator.url)  # the IBM Cloud SDK posts to {url}/identity/token
    monkeypatch.setenv("QISKIT_FUNCTIONS_EXPERIMENTAL", "1")  # skip IBM Cloud Global Search
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runtime.QiskitRuntimeService(
            channel="ibm_quantum_platform",
            token="official-client-key",
            instance=new_crn(),
            url=emulator.url,
            url_resolver=lambda url, *args, **kwargs: url + "/api/v1",
        )


def _bell(measure: bool) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


def test_sampler_estimator_and_job_retrieval(service):
    assert {"ibmq_qasm_simulator", "ibm_brisbane", "ibm_torino"} <= {
        b.name for b in service.backends()
    }
    backend = service.backend("ibmq_qasm_simulator")
    job = runtime.SamplerV2(mode=backend).run([_bell(True)], shots=200)
    counts = job.result()[0].data.meas.get_counts()
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 200
    assert job.status() == "DONE"
    evs = runtime.EstimatorV2(mode=backend).run([(_bell(False), "ZZ")]).result()[0].data.evs
    assert abs(float(np.ravel(evs)[0]) - 1.0) < 1e-9
    again = service.job(job.job_id())
    assert again.primitive_id == "sampler" and again.status() == "DONE"
    assert again.result()[0].data.meas.num_shots == 200
    assert job.job_id() in [j.job_id() for j in service.jobs(limit=10)]
    assert service.usage()["instance_id"]


def test_batch_on_a_device(service):
    device = service.backend("ibm_brisbane")
    pm = generate_preset_pass_manager(optimization_level=1, backend=device)
    isa, isa_e = pm.run(_bell(True)), pm.run(_bell(False))
    with runtime.Batch(backend=device) as batch:
        sampler_job = runtime.SamplerV2(mode=batch).run([isa], shots=100)
        observable = SparsePauliOp("ZZ").apply_layout(isa_e.layout)
        estimator_job = runtime.EstimatorV2(mode=batch).run([(isa_e, observable)])
        assert sum(sampler_job.result()[0].data.meas.get_counts().values()) == 100
        assert float(np.ravel(estimator_job.result()[0].data.evs)[0]) > 0.5
        assert batch.details()["mode"] == "batch"
        assert sampler_job.session_id == batch.session_id
    details = batch.details()
    assert details["accepting_jobs"] is False and details["state"] == "closed"


def test_unknown_job_maps_to_the_clients_not_found(service):
    with pytest.raises(runtime.exceptions.RuntimeJobNotFound):
        service.job("d0000000000000000000")


def test_parameter_free_estimator_pub_is_zero_dimensional(service):
    backend = service.backend("ibmq_qasm_simulator")
    result = runtime.EstimatorV2(mode=backend).run([(_bell(False), "ZZ")]).result()
    assert result[0].data.evs.shape == ()
