"""The import swap is the only change: qiskit-ibm-runtime 0.51 usage, run with either package.

Every scenario below is written the way qiskit-ibm-runtime's documentation writes it (local
testing mode, backends, jobs, retrieval, sessions and batches, tags, exceptions, instances)
against ``rt``, the package under test: ``qiskit_ibm_runtime`` itself, or
``qiskit_rest_provider``. Even the service construction is the same line (the official client's
way to reach a local server, ``url_resolver`` and ``IAM_URL``, research/official-client-interop.md,
which ours honours), so passing with both packages means code written for the official client
runs unchanged on ours.
Fake backends come from ``qiskit_ibm_runtime.fake_provider`` in both cases (they are data).
"""

from __future__ import annotations

import copy
import importlib
import pickle
from datetime import datetime

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.providers.exceptions import QiskitBackendNotFoundError
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import generate_preset_pass_manager

pytest.importorskip("qiskit_ibm_runtime")
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_ibm_runtime.fake_provider import FakeManilaV2  # noqa: E402

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore:The (Sampler|Estimator)V2 class is deprecated"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Options .* have no effect"),
]

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/interop:import-swap::"
API_KEY = "import-swap-key"
PACKAGES = ["qiskit_ibm_runtime", "qiskit_rest_provider"]


@pytest.fixture(params=PACKAGES)
def rt(request):
    return importlib.import_module(request.param)


@pytest.fixture(scope="module")
def server():
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=7, noiseless=True) as emu:
        yield emu


@pytest.fixture
def service(rt, server, monkeypatch):
    """The same construction for both packages (how the official client reaches a local server:
    ``url_resolver`` and ``IAM_URL``; ours honours both too)."""
    monkeypatch.setenv("IAM_URL", server.url)
    monkeypatch.setenv("QISKIT_FUNCTIONS_EXPERIMENTAL", "1")  # theirs: trust the CRN as given
    return rt.QiskitRuntimeService(
        channel="ibm_quantum_platform",
        token=API_KEY,
        instance=CRN,
        url=server.url,
        url_resolver=lambda url, *_: url + "/api/v1",
    )


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


# --------------------------------------------------------------------------- local testing mode


def test_local_testing_mode_with_a_fake_backend(rt):
    fake_manila = FakeManilaV2()
    pm = generate_preset_pass_manager(backend=fake_manila, optimization_level=1)
    isa_qc = pm.run(_bell())
    sampler = rt.SamplerV2(mode=fake_manila)
    sampler.options.default_shots = 200
    sampler.options.simulator.seed_simulator = 42
    result = sampler.run([isa_qc]).result()
    counts = result[0].data.meas.get_counts()
    assert sum(counts.values()) == 200
    assert counts.get("00", 0) + counts.get("11", 0) > 150
    job = sampler.run([isa_qc], shots=10)
    assert job.result()[0].data.meas.num_shots == 10
    assert job.primitive_id == "sampler" and job.usage() == 0
    assert isinstance(job.creation_date, datetime)


def test_local_testing_mode_sessions_batches_and_aer(rt):
    fake_manila = FakeManilaV2()
    pm = generate_preset_pass_manager(backend=fake_manila, optimization_level=1)
    isa_qc = pm.run(_bell())
    with rt.Session(backend=fake_manila) as session:
        sampler = rt.SamplerV2(mode=session)
        assert sampler.run([isa_qc], shots=20).result()[0].data.meas.num_shots == 20
    with rt.Batch(backend=fake_manila) as batch:
        sampler = rt.SamplerV2(mode=batch)
        assert sampler.run([isa_qc], shots=20).result()[0].data.meas.num_shots == 20
    aer = AerSimulator()
    circuit = _bell().remove_final_measurements(inplace=False)
    estimator = rt.EstimatorV2(mode=aer)
    evs = estimator.run([(circuit, SparsePauliOp("ZZ"))], precision=0.01).result()[0].data.evs
    assert abs(float(evs) - 1.0) < 0.05
    noisy = AerSimulator.from_backend(fake_manila)
    isa = generate_preset_pass_manager(backend=noisy, optimization_level=1).run(circuit)
    observable = SparsePauliOp("ZZ").apply_layout(isa.layout)
    estimator = rt.EstimatorV2(mode=noisy, options={"resilience_level": 0, "seed_estimator": 3})
    evs = estimator.run([(isa, observable)]).result()[0].data.evs
    assert 0.5 < float(evs) < 0.99  # the backend's noise is simulated (no mitigation)


# --------------------------------------------------------------------------- backends


def test_backends(rt, service):
    names = [backend.name for backend in service.backends()]
    assert "ibm_brisbane" in names and "ibmq_qasm_simulator" in names
    backend = service.backend("ibm_brisbane")
    assert backend.num_qubits == 127
    config = backend.configuration()
    assert config.n_qubits == 127 and config.simulator is False
    assert "ecr" in config.basis_gates and config.to_dict()["backend_name"] == "ibm_brisbane"
    properties = backend.properties()
    assert 0 < properties.t1(0) < 1 and 0 < properties.readout_error(0) < 1
    assert 0 < properties.gate_error("sx", 0) < 1
    status = backend.status()
    assert status.operational is True and status.pending_jobs >= 0
    assert copy.deepcopy(backend).name == "ibm_brisbane"
    assert backend.target.num_qubits == 127
    assert service.backend("ibmq_qasm_simulator").configuration().simulator is True
    least = service.least_busy(operational=True, simulator=False)
    assert least.name in names and least.configuration().simulator is False


def test_pickled_backend(rt, service):
    if rt.__name__ == "qiskit_ibm_runtime":
        pytest.skip("the official backend pickles its service, whose url_resolver here is a lambda")
    backend = service.backend("ibm_brisbane")
    assert pickle.loads(pickle.dumps(backend)).configuration().n_qubits == 127


# --------------------------------------------------------------------------- jobs and retrieval


def test_jobs_and_retrieval(rt, service):
    backend = service.backend("ibmq_qasm_simulator")
    sampler = rt.SamplerV2(mode=backend)
    job = sampler.run([_bell()], shots=100)
    assert isinstance(job.job_id(), str)
    assert job.status() in ("INITIALIZING", "QUEUED", "VALIDATING", "RUNNING", "DONE")
    counts = job.result()[0].data.meas.get_counts()
    assert job.status() == "DONE" and job.done() and not job.errored()
    assert job.backend().name == backend.name and job.primitive_id == "sampler"
    assert isinstance(job.creation_date, datetime) and job.creation_date.tzinfo is not None
    assert isinstance(job.metrics(), dict) and job.usage() >= 0
    assert "pubs" in job.inputs and job.private is False
    retrieved = service.job(job.job_id())
    assert retrieved.result()[0].data.meas.get_counts() == counts
    assert retrieved.primitive_id == "sampler" and retrieved.backend().name == backend.name
    recent = service.jobs(limit=5, backend_name=backend.name, pending=False)
    assert job.job_id() in [j.job_id() for j in recent]


def test_estimator_values_match_statevector(rt, service):
    backend = service.backend("ibmq_qasm_simulator")
    circuit = _bell().remove_final_measurements(inplace=False)
    observables = [SparsePauliOp("ZZ"), SparsePauliOp("XX"), SparsePauliOp("ZI")]
    result = rt.EstimatorV2(mode=backend).run([(circuit, observables)]).result()
    exact = [Statevector(circuit).expectation_value(o).real for o in observables]
    np.testing.assert_allclose(result[0].data.evs, exact, atol=0.1)


# --------------------------------------------------------------------------- tags


def test_tags(rt, service):
    backend = service.backend("ibmq_qasm_simulator")
    sampler = rt.SamplerV2(mode=backend)
    my_tags = [f"swap-{rt.__name__}", "experiment-1"]
    sampler.options.environment.job_tags = my_tags
    job = sampler.run([_bell()], shots=10)
    job.result()
    assert set(job.tags) == set(my_tags)
    found = service.jobs(job_tags=[my_tags[0]], limit=10)
    assert job.job_id() in [j.job_id() for j in found]
    assert set(found[0].tags) == set(my_tags)
    job.update_tags(new_tags=["renamed"])
    assert service.job(job.job_id()).tags == ["renamed"]


# --------------------------------------------------------------------------- sessions, batches


def test_batch_and_session(rt, service):
    backend = service.backend("ibm_brisbane")
    isa = generate_preset_pass_manager(backend=backend, optimization_level=1).run(_bell())
    with rt.Batch(backend=backend) as batch:
        sampler = rt.SamplerV2(mode=batch)
        jobs = [sampler.run([isa], shots=10) for _ in range(2)]
        assert all(job.session_id == batch.session_id for job in jobs)
        assert batch.details()["id"] == batch.session_id
    assert all(job.result()[0].data.meas.num_shots == 10 for job in jobs)
    with rt.Session(backend=backend) as session:
        sampler = rt.SamplerV2()  # the open session is the mode
        job = sampler.run([isa], shots=10)
        assert job.session_id == session.session_id
        assert job.result()[0].data.meas.num_shots == 10
        assert isinstance(session.status(), str)


# --------------------------------------------------------------------------- exceptions


def test_exceptions(rt, service, server):
    with pytest.raises(rt.RuntimeJobNotFound):
        service.job("0123456789abcdef0123")
    with pytest.raises(QiskitBackendNotFoundError):
        service.backend("ibm_nowhere")
    backend = service.backend("ibmq_qasm_simulator")
    done = rt.SamplerV2(mode=backend).run([_bell()], shots=10)
    done.result()
    with pytest.raises(rt.RuntimeInvalidStateError):
        done.cancel()
    server.faults.add("job", "fail", times=1, reason_code=1517, message="injected failure")
    try:
        failed = rt.SamplerV2(mode=backend).run([_bell()], shots=10)
        failed.wait_for_final_state(timeout=60)
    finally:
        server.faults.clear()
    assert failed.status() == "ERROR" and failed.errored()
    with pytest.raises(rt.RuntimeJobFailureError, match="injected failure"):
        failed.result()
    device = service.backend("ibm_brisbane")
    with pytest.raises(rt.IBMInputValueError):
        rt.SamplerV2(mode=device).run([_bell()])  # not ISA: refused before it is sent


# --------------------------------------------------------------------------- instances


def test_instances_discovered_from_the_key(rt, server, monkeypatch):
    monkeypatch.setenv("GLOBAL_SEARCH_URL", server.url)
    monkeypatch.setenv("GLOBAL_CATALOG_URL", server.url + "/globalcatalog/api/v1")
    monkeypatch.setenv("IAM_URL", server.url)
    service = rt.QiskitRuntimeService(
        channel="ibm_quantum_platform",
        token=API_KEY,
        url=server.url,
        url_resolver=lambda url, *_: url + "/api/v1",
    )
    instances = service.instances()
    assert {"crn", "plan", "name"} <= set(instances[0])
    assert service.active_instance() in [item["crn"] for item in instances]
    job = rt.SamplerV2(mode=service.backend("ibmq_qasm_simulator")).run([_bell()], shots=5)
    assert job.result()[0].data.meas.num_shots == 5
    listed = service.jobs(limit=5, instance=service.active_instance())
    assert job.job_id() in [j.job_id() for j in listed]
