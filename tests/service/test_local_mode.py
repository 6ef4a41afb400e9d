"""Local mode: primitives on any Qiskit BackendV2 run in-process through the emulator's engine."""

from __future__ import annotations

import sys
import warnings
from datetime import datetime

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.primitives import PrimitiveResult, StatevectorEstimator
from qiskit.providers import BackendV2, JobStatus, Options
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qiskit_rest_provider import (
    Batch,
    EstimatorV2,
    PubValidationError,
    RuntimeInvalidStateError,
    SamplerV2,
    Session,
    SessionClosedError,
)
from qiskit_rest_provider.service.local_backend import LocalBackend, local_backend
from qiskit_rest_provider.service.local_job import LocalRuntimeJob


def _bell(measure: bool = True) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


@pytest.fixture(scope="module")
def manila():
    return FakeManilaV2()


def test_sampler_on_aer_simulator_is_noiseless_and_seeded():
    sampler = SamplerV2(mode=AerSimulator(), options={"simulator": {"seed_simulator": 11}})
    job = sampler.run([_bell()], shots=300)
    assert isinstance(job, LocalRuntimeJob)
    result = job.result()
    assert isinstance(result, PrimitiveResult)
    counts = result[0].data.meas.get_counts()
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 300
    again = sampler.run([_bell()], shots=300).result()[0].data.meas.get_counts()
    assert again == counts  # same seed, same numbers
    assert job.status() is JobStatus.DONE and job.done() and not job.errored()


def test_estimator_on_aer_simulator_is_exact_at_precision_zero():
    circuit = _bell(measure=False)
    observables = [SparsePauliOp("ZZ"), SparsePauliOp.from_list([("XX", 0.5), ("ZI", 2.0)])]
    ours = EstimatorV2(mode=AerSimulator()).run([(circuit, observables)], precision=0).result()
    ref = StatevectorEstimator().run([(circuit, observables)]).result()
    np.testing.assert_allclose(ours[0].data.evs, ref[0].data.evs, atol=1e-12)
    assert ours[0].data.evs.shape == ref[0].data.evs.shape


def test_fake_backend_noise_is_honoured(manila):
    isa = transpile(_bell(), manila, seed_transpiler=1)
    options = {"simulator": {"seed_simulator": 3}}
    counts = SamplerV2(mode=manila, options=options).run([isa], shots=2000).result()
    counts = counts[0].data.meas.get_counts()
    assert sum(counts.values()) == 2000
    assert counts.get("01", 0) + counts.get("10", 0) > 0  # readout and gate errors show
    assert local_backend(manila).noiseless is False
    assert local_backend(AerSimulator()).noiseless is True


def test_fake_backend_refuses_non_isa_circuits_like_the_service(manila):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.measure_all()  # h is not in manila's basis
    with pytest.raises(PubValidationError, match="PUB 0"):
        SamplerV2(mode=manila).run([circuit])


def test_session_and_batch_with_a_local_backend(manila):
    isa = transpile(_bell(), manila, seed_transpiler=1)
    for cls in (Session, Batch):
        with cls(backend=manila) as session:
            assert session.session_id is None and session.service is None
            assert session.details() is None and session.status() is None
            job = SamplerV2().run([isa], shots=50)  # no mode inside the block
            assert job.result()[0].data.meas.num_shots == 50
            assert session.backend() == manila.name
        with pytest.raises(SessionClosedError):
            SamplerV2(mode=session).run([isa])


def test_ignored_options_warn_and_honoured_ones_do_not():
    sampler = SamplerV2(mode=AerSimulator(), options={"default_shots": 10})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sampler.run([_bell()]).result()[0].data.meas.num_shots == 10
    sampler.options.dynamical_decoupling.enable = True
    sampler.options.max_execution_time = 300
    with pytest.warns(UserWarning, match="dynamical_decoupling.*max_execution_time"):
        sampler.run([_bell()]).result()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_local_job_interface_matches_the_official_local_job(manila):
    from qiskit_ibm_runtime import SamplerV2 as OfficialSampler

    isa = transpile(_bell(), manila, seed_transpiler=1)
    theirs = OfficialSampler(mode=manila).run([isa], shots=20)
    ours = SamplerV2(mode=manila).run([isa], shots=20)
    theirs.result(), ours.result()
    assert ours.backend() is manila and theirs.backend().name == manila.name
    assert ours.primitive_id == theirs.primitive_id == "sampler"
    assert isinstance(ours.creation_date, datetime) and ours.creation_date.tzinfo is not None
    assert ours.usage() == theirs.usage() == 0
    assert ours.metrics()["usage"] == theirs.metrics()["usage"]
    assert set(ours.metrics()["timestamps"]) <= set(theirs.metrics()["timestamps"])
    assert type(ours.properties()) is type(theirs.properties())
    assert ours.error_message() is None and ours.logs() == ""
    assert ours.status() is theirs.status() is JobStatus.DONE
    with pytest.raises(RuntimeInvalidStateError):
        ours.cancel()


def test_missing_emulator_extra_names_it(monkeypatch):
    backend, circuit = FakeManilaV2(), _bell()
    monkeypatch.setitem(sys.modules, "qiskit_aer", None)
    with pytest.raises(ImportError, match=r"qiskit-rest-provider\[emulator\]"):
        SamplerV2(mode=backend).run([circuit])


class _CopyOf(BackendV2):
    """A plain BackendV2 with another backend's target and properties (no HTTP)."""

    def __init__(self, rest):
        super().__init__(name=rest.name)
        self._target, self._props = rest.target, rest.properties()

    @property
    def target(self):
        return self._target

    @property
    def max_circuits(self):
        return None

    @classmethod
    def _default_options(cls):
        return Options()

    def properties(self):
        return self._props

    def run(self, run_input, **options):
        raise NotImplementedError


def test_local_results_match_the_emulator_for_the_same_device_and_seed():
    from qiskit_rest_provider import RuntimeService
    from qiskit_rest_provider.emulator import start_emulator

    crn = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:match::"
    with start_emulator(host="127.0.0.1", port=0) as server:  # noisy devices, no server seed
        rest = RuntimeService(token="k", url=server.url, instance=crn).backend("ibm_brisbane")
        local = _CopyOf(rest)
        isa = transpile(_bell(), rest, seed_transpiler=3)
        seeded = {"simulator": {"seed_simulator": 42}}
        counts = [
            SamplerV2(mode=mode, options=seeded).run([isa], shots=400).result()[0].data.meas
            for mode in (rest, local)
        ]
        assert counts[0].get_counts() == counts[1].get_counts()
        assert set(counts[0].get_counts()) > {"00", "11"}  # the device's noise is there
        circuit = transpile(_bell(measure=False), rest, seed_transpiler=3)
        obs = SparsePauliOp("ZZ").apply_layout(circuit.layout)
        evs = [
            EstimatorV2(mode=mode, options={"seed_estimator": 5})
            .run([(circuit, obs)], precision=0.05)
            .result()[0]
            .data.evs
            for mode in (rest, local)
        ]
        assert evs[0] == evs[1] and 0.5 < evs[0] < 1
    assert isinstance(local_backend(local), LocalBackend)


def test_ignored_options_are_named_exactly():
    from qiskit_rest_provider.service.local_run import ignored_options

    assert ignored_options({}, {}) == []
    assert (
        ignored_options({"dynamical_decoupling": {"enable": False, "sequence_type": "XY4"}}, {})
        == []
    )
    assert ignored_options({"dynamical_decoupling": {"enable": True}}, {}) == [
        "dynamical_decoupling"
    ]
    assert ignored_options({"execution": {"init_qubits": True, "meas_type": "classified"}}, {}) == [
        "execution.init_qubits"
    ]
    assert ignored_options({"execution": {"init_qubits": False}}, {}) == []
    assert ignored_options({"simulator": {"seed_simulator": 3}}, {"cost": 60}) == [
        "max_execution_time"
    ]
    assert ignored_options({"experimental": {"x": 1}}, {"tags": ["a"]}) == ["experimental"]


def test_readout_pairs_come_from_the_properties_else_the_target(manila):
    from qiskit.providers.fake_provider import GenericBackendV2

    adapter = local_backend(manila)
    props = manila.properties()
    assert adapter.readout_errors()[0] == (
        props.qubit_property(0, "prob_meas1_prep0")[0],
        props.qubit_property(0, "prob_meas0_prep1")[0],
    )
    generic = GenericBackendV2(2, seed=4)
    error = generic.target["measure"][(1,)].error
    assert local_backend(generic).readout_errors()[1] == (error, error)
    assert local_backend(AerSimulator()).readout_errors()[0] == (0.0, 0.0)
    assert local_backend(AerSimulator()).noise_model() is None
    assert local_backend(generic).noise_model([0]) is local_backend(generic).noise_model([0])


def test_cancel_stops_a_running_local_job(monkeypatch):
    import threading
    import types

    from qiskit_rest_provider import JobCancelledError
    from qiskit_rest_provider.emulator.engine import job as engine
    from qiskit_rest_provider.service import local_run

    started = threading.Event()

    def run_job(program, params, backend, *, seed, should_stop):
        started.set()
        while not should_stop():
            started.wait(0.001)
        raise engine.JobStopped()

    shim = types.SimpleNamespace(
        run_job=run_job,
        validate_job=engine.validate_job,
        JobInputError=engine.JobInputError,
        JobStopped=engine.JobStopped,
        JobExecutionError=engine.JobExecutionError,
    )
    monkeypatch.setattr(local_run, "require_engine", lambda: shim)
    job = SamplerV2(mode=AerSimulator()).run([_bell()], shots=5)
    assert started.wait(30) and job.status() is JobStatus.RUNNING and job.running()
    assert job.cancel() is True
    with pytest.raises(JobCancelledError):
        job.result(timeout=30)
    assert job.cancelled() and job.status() is JobStatus.CANCELLED and job.in_final_state()


def test_a_failing_local_job_reports_the_engines_reason(monkeypatch):
    import types

    from qiskit_rest_provider import RuntimeJobFailureError
    from qiskit_rest_provider.emulator.engine import job as engine
    from qiskit_rest_provider.service import local_run

    def run_job(program, params, backend, *, seed, should_stop):
        raise engine.JobExecutionError("PUB 0: simulation failed: boom", 1500)

    shim = types.SimpleNamespace(
        run_job=run_job,
        validate_job=engine.validate_job,
        JobInputError=engine.JobInputError,
        JobStopped=engine.JobStopped,
        JobExecutionError=engine.JobExecutionError,
    )
    monkeypatch.setattr(local_run, "require_engine", lambda: shim)
    job = SamplerV2(mode=AerSimulator()).run([_bell()], shots=5)
    with pytest.raises(RuntimeJobFailureError, match="boom") as info:
        job.result()
    assert info.value.reason_code == 1500 and job.errored()
    assert job.error_message() == "PUB 0: simulation failed: boom"


def test_iq_data_in_local_mode_is_complex():
    circuit = QuantumCircuit(2)
    circuit.x(0)
    circuit.measure_all()
    shapes = {"kerneled": (4, 2), "avg_kerneled": (2,)}
    for meas_type, shape in shapes.items():
        sampler = SamplerV2(mode=AerSimulator(), options={"execution": {"meas_type": meas_type}})
        pub = sampler.run([circuit], shots=4).result()[0]
        assert pub.data.meas.dtype == np.complex128 and pub.data.meas.shape == shape
        assert pub.metadata["shots"] == 4


def test_a_job_the_engine_refuses_raises_at_submit():
    from qiskit.providers.fake_provider import GenericBackendV2

    from qiskit_rest_provider import IBMInputValueError

    wide = QuantumCircuit(3)
    wide.measure_all()
    sampler = SamplerV2(mode=GenericBackendV2(2, seed=1), validate=False)  # client checks off
    with pytest.raises(IBMInputValueError, match="Local sampler job refused.*3 qubits"):
        sampler.run([wide])
