"""IBM's official client, qiskit-ibm-runtime 0.51 (unmodified), against a real emulator.

How the client is pointed at a local server is research/official-client-interop.md and
docs/official-client.md: ``url`` + an ``url_resolver`` that appends ``/api/v1``, ``IAM_URL`` for
the token exchange, and ``QISKIT_FUNCTIONS_EXPERIMENTAL=1`` so the constructor trusts the CRN
instead of asking IBM Cloud Global Search. The client's HTTP read timeout is unbounded, so
every wait here is bounded (``wait_for_final_state(timeout=...)``, pytest-timeout per test).
"""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import generate_preset_pass_manager

runtime = pytest.importorskip("qiskit_ibm_runtime")

from qiskit_ibm_runtime import (  # noqa: E402 - after the importorskip on purpose
    Batch,
    EstimatorV2,
    QiskitRuntimeService,
    SamplerV2,
    Session,
)
from qiskit_ibm_runtime.exceptions import RuntimeJobFailureError  # noqa: E402

pytestmark = [
    pytest.mark.timeout(60),
    # 0.50 deprecated the server-side primitives in favour of client-side ones ("executor");
    # the sampler/estimator programs are what the emulator serves (research §0.7).
    pytest.mark.filterwarnings("ignore:The (Sampler|Estimator)V2 class is deprecated"),
]

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/interop:official-client::"
API_KEY = "interop-api-key"
WAIT = 60  # seconds: bound for every job


@pytest.fixture(scope="module")
def server():
    """A dedicated emulator (noiseless devices, so ISA estimates are exact-ish)."""
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=2026, noiseless=True) as emu:
        yield emu


def _service(server, monkeypatch, channel: str = "ibm_quantum_platform"):
    monkeypatch.setenv("IAM_URL", server.url)
    monkeypatch.setenv("QISKIT_FUNCTIONS_EXPERIMENTAL", "1")
    return QiskitRuntimeService(
        channel=channel,
        token=API_KEY,
        instance=CRN,
        url=server.url,
        url_resolver=lambda url, *_: url + "/api/v1",
    )


@pytest.fixture
def service(server, monkeypatch):
    return _service(server, monkeypatch)


@pytest.fixture
def simulator(service):
    return service.backend("ibmq_qasm_simulator")


@pytest.fixture
def device(service):
    names = [b.name for b in service.backends()]
    for name in ("ibm_torino", "ibm_brisbane"):
        if name in names:
            return service.backend(name)
    pytest.skip("no device backend in the emulator's catalogue")


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _finish(job):
    job.wait_for_final_state(timeout=WAIT)
    assert job.status() == "DONE", job.error_message()
    return job.result()


def test_backends_and_target(service, simulator):
    names = [b.name for b in service.backends()]
    assert "ibmq_qasm_simulator" in names
    assert simulator.configuration().simulator is True
    assert simulator.num_qubits >= 2
    assert "cx" in simulator.target.operation_names
    assert simulator.status().operational


def test_sampler_bell_counts(simulator):
    job = SamplerV2(mode=simulator).run([_bell()], shots=400)
    result = _finish(job)
    counts = result[0].data.meas.get_counts()
    assert sum(counts.values()) == 400
    assert set(counts) == {"00", "11"}  # noiseless: never 01/10, both outcomes seen
    assert 100 < counts["00"] < 300
    assert job.primitive_id == "sampler"
    assert job.backend().name == "ibmq_qasm_simulator"
    spans = result.metadata["execution"]["execution_spans"]  # decoded ExecutionSpans
    assert len(spans) == 1 and spans[0].size == 400


def test_tags_metrics_and_logs(service, simulator):
    sampler = SamplerV2(mode=simulator)
    sampler.options.environment.job_tags = ["interop", "official"]
    job = sampler.run([_bell()], shots=8)
    _finish(job)
    assert sorted(job.tags) == ["interop", "official"]
    job.update_tags(["renamed"])
    assert service.job(job.job_id()).tags == ["renamed"]
    assert job.job_id() in [j.job_id() for j in service.jobs(job_tags=["renamed"], limit=5)]
    metrics = job.metrics()
    assert metrics["timestamps"]["finished"]
    assert isinstance(job.logs(), str)
    assert job.usage() >= 0


def test_sampler_parameter_sweep_and_several_registers(simulator):
    theta = Parameter("θ")
    qr = QuantumRegister(3)
    first, second = ClassicalRegister(1, "first"), ClassicalRegister(2, "second")
    qc = QuantumCircuit(qr, first, second)
    qc.rx(theta, 0)
    qc.x(2)
    qc.measure(0, first[0])
    qc.measure([1, 2], [second[0], second[1]])
    sweep = np.array([[0.0], [np.pi], [0.0]])  # pub shape (3,)
    result = _finish(SamplerV2(mode=simulator).run([(qc, sweep, 16)]))
    data = result[0].data
    assert list(data) == ["first", "second"]
    assert data.shape == (3,) and data.first.num_shots == 16
    assert [data.first[i].get_counts() for i in range(3)] == [{"0": 16}, {"1": 16}, {"0": 16}]
    assert data.second.get_counts() == {"10": 48}


def test_estimator_broadcast_matches_statevector(simulator):
    theta = Parameter("θ")
    qc = QuantumCircuit(2)
    qc.ry(theta, 0)
    qc.cx(0, 1)
    qc.rz(0.3, 1)
    observables = [
        [SparsePauliOp("ZZ")],
        [SparsePauliOp("XX")],
        [SparsePauliOp.from_list([("IZ", 0.5), ("YI", -0.25)])],
    ]  # shape (3, 1)
    values = np.linspace(0, np.pi, 4).reshape(4, 1)  # bindings shape (4,)
    precision = 0.002
    result = _finish(
        EstimatorV2(mode=simulator).run([(qc, observables, values)], precision=precision)
    )
    evs = result[0].data.evs
    assert evs.shape == (3, 4)
    expected = np.array(
        [
            [Statevector(qc.assign_parameters(v)).expectation_value(obs[0]).real for v in values]
            for obs in observables
        ]
    )
    # about 1/precision**2 shots per term: 10 sigma is still tight enough to catch a bad binding
    np.testing.assert_allclose(evs, expected, atol=10 * precision)
    assert np.all(result[0].data.stds <= 2 * precision)
    assert result[0].metadata["target_precision"] == precision


def test_estimator_isa_circuit_on_a_device(device):
    qc = QuantumCircuit(2)
    qc.ry(0.7, 0)
    qc.cx(0, 1)
    pm = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=7)
    isa = pm.run(qc)
    assert isa.num_qubits == device.num_qubits  # full device width, as IBM requires
    observables = [
        SparsePauliOp(label).apply_layout(isa.layout) for label in ("XX", "ZI", "IZ", "ZZ")
    ]
    result = _finish(EstimatorV2(mode=device).run([(isa, observables)], precision=0.005))
    expected = [
        Statevector(qc).expectation_value(SparsePauliOp(x)).real for x in ("XX", "ZI", "IZ", "ZZ")
    ]
    np.testing.assert_allclose(result[0].data.evs, expected, atol=0.05)


def test_sampler_isa_circuit_on_a_device(device):
    pm = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=7)
    result = _finish(SamplerV2(mode=device).run([pm.run(_bell())], shots=200))
    counts = result[0].data.meas.get_counts()
    assert sum(counts.values()) == 200 and set(counts) == {"00", "11"}


def test_estimator_zero_d_pub_has_zero_d_evs(simulator):
    qc = QuantumCircuit(1)
    qc.h(0)
    result = _finish(EstimatorV2(mode=simulator).run([(qc, SparsePauliOp("X"))]))
    assert result[0].data.shape == ()
    assert result[0].data.evs.shape == ()


def test_service_job_retrieval_in_a_fresh_service(server, service, simulator, monkeypatch):
    qc = _bell()
    qc.metadata = {"experiment": "retrieval"}
    job = SamplerV2(mode=simulator).run([qc], shots=64)
    first = _finish(job)
    fresh = _service(server, monkeypatch)
    again = fresh.job(job.job_id())
    assert again.job_id() == job.job_id()
    assert again.primitive_id == "sampler"
    assert again.backend().name == "ibmq_qasm_simulator"
    assert again.creation_date is not None
    assert again.session_id is None
    again.wait_for_final_state(timeout=WAIT)
    assert again.status() == "DONE"
    second = again.result()
    assert second[0].data.meas.get_counts() == first[0].data.meas.get_counts()
    assert second[0].metadata["circuit_metadata"] == {"experiment": "retrieval"}
    listed = [j.job_id() for j in fresh.jobs(limit=5, backend_name="ibmq_qasm_simulator")]
    assert job.job_id() in listed


def test_batch_with_two_jobs(service, device):
    pm = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=7)
    isa = pm.run(_bell())
    with Batch(backend=device) as batch:
        sampler = SamplerV2(mode=batch)
        jobs = [sampler.run([isa], shots=50), sampler.run([isa], shots=70)]
        results = [_finish(job) for job in jobs]
        details = batch.details()
    assert batch.session_id and all(job.session_id == batch.session_id for job in jobs)
    assert details["mode"] == "batch" and details["backend_name"] == device.name
    assert [r[0].data.meas.num_shots for r in results] == [50, 70]
    assert all(set(r[0].data.meas.get_counts()) == {"00", "11"} for r in results)
    assert batch.status() == "Closed"  # the with-block sent PATCH {accepting_jobs: false}
    assert service.job(jobs[1].job_id()).session_id == batch.session_id


@pytest.mark.parametrize("channel", ["ibm_quantum_platform", "ibm_cloud"])
def test_session_on_a_device_and_client_side_isa_check(server, monkeypatch, channel):
    service = _service(server, monkeypatch, channel)
    device = service.backend(service.backends(simulator=False)[0].name)
    with pytest.raises(runtime.exceptions.IBMInputValueError, match="not supported by the target"):
        SamplerV2(mode=device).run([_bell()])  # not ISA: refused before any POST /jobs
    pm = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=7)
    with Session(backend=device) as session:
        job = SamplerV2(mode=session).run([pm.run(_bell())], shots=10)
        _finish(job)
        assert job.session_id == session.session_id
        assert session.details()["mode"] == "dedicated"
    assert session.status() == "Closed"


def test_batch_on_the_simulator_runs_without_a_session(simulator):
    # The client creates no session for a backend whose configuration says simulator: true.
    with Batch(backend=simulator) as batch:
        job = SamplerV2(mode=batch).run([_bell()], shots=10)
        result = _finish(job)
    assert batch.session_id is None and job.session_id is None
    assert result[0].data.meas.num_shots == 10


def test_failed_job_surfaces_the_reason(server, simulator):
    server.faults.add("job", "fail", times=1, reason_code=1517, message="injected failure")
    try:
        job = SamplerV2(mode=simulator).run([_bell()], shots=10)
        job.wait_for_final_state(timeout=WAIT)
    finally:
        server.faults.clear()
    assert job.status() == "ERROR"
    with pytest.raises(RuntimeJobFailureError, match="injected failure"):
        job.result()


def test_cancel_a_stuck_job(server, simulator):
    server.faults.add("job", "stuck", times=1)
    try:
        job = SamplerV2(mode=simulator).run([_bell()], shots=10)
        job.cancel()
        job.wait_for_final_state(timeout=WAIT)
    finally:
        server.faults.clear()
        server.faults.release()
    assert job.status() == "CANCELLED"
