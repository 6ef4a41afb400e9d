"""Validation before the queue: ISA, faulty qubits, width, measurements, numbers, payload."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.classical import expr
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider import EstimatorV2, SamplerV2
from qiskit_rest_provider.codec.target import target_from_json
from qiskit_rest_provider.exceptions import BadRequestError, InvalidInputError
from qiskit_rest_provider.primitives import validation
from qiskit_rest_provider.primitives._submit import InvalidPubError
from qiskit_rest_provider.primitives.validation import (
    PubValidationError,
    PubValidator,
    check_payload_size,
)
from qiskit_rest_provider.service.backend import RestBackend


@pytest.fixture(scope="module")
def brisbane(rest_service):
    return rest_service.backend("ibm_brisbane")


@pytest.fixture(scope="module")
def torino(rest_service):
    return rest_service.backend("ibm_torino")


def _jobs(service):
    return service.jobs_api.list(limit=1)["count"]


def _isa(backend, circuit):
    return generate_preset_pass_manager(
        backend=backend, optimization_level=1, seed_transpiler=1
    ).run(circuit)


def _bell(width=2):
    qc = QuantumCircuit(width)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _error(excinfo) -> str:
    return str(excinfo.value)


def test_isa_circuits_pass_on_both_devices(brisbane, torino):
    for backend in (brisbane, torino):
        isa = _isa(backend, _bell(5))
        validation.validate_sampler_pubs([_coerce_sampler(isa)], backend)
        observable = "ZZIII"[::-1]
        pub = _coerce_estimator(isa, observable, layout=isa.layout)
        validation.validate_estimator_pubs([pub], backend)


def _coerce_sampler(circuit, shots=100):
    return SamplerPub.coerce(circuit, shots)


def _coerce_estimator(circuit, observable, layout=None, precision=None, values=None):
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.quantum_info import SparsePauliOp

    obs = SparsePauliOp(observable)
    if layout is not None:
        obs = obs.apply_layout(layout)
    items = (circuit, obs) if values is None else (circuit, obs, values)
    return EstimatorPub.coerce(items, precision)


def test_non_native_gate_is_named_with_its_pub_qubits_and_fix(rest_service, brisbane):
    before = _jobs(rest_service)
    qc = QuantumCircuit(127)
    qc.h(3)
    qc.measure_all()
    with pytest.raises(PubValidationError) as excinfo:
        SamplerV2(mode=brisbane).run([_isa(brisbane, _bell()), qc])
    message = _error(excinfo)
    assert message.startswith("PUB 1: h on qubits (3,)")
    assert "generate_preset_pass_manager(backend=backend" in message
    assert "validate=False" in message
    assert excinfo.value.pub_index == 1 and excinfo.value.qubits == (3,)
    assert isinstance(excinfo.value, ValueError) and isinstance(excinfo.value, InvalidPubError)
    assert _jobs(rest_service) == before  # nothing reached the queue


def test_wrong_direction_and_uncoupled_qubits(brisbane, torino):
    target = brisbane.target
    good = (0, 14) if target.instruction_supported("ecr", (0, 14)) else (14, 0)
    qc = QuantumCircuit(127, 1)
    qc.ecr(good[1], good[0])
    qc.measure(0, 0)
    with pytest.raises(PubValidationError, match="direction") as excinfo:
        validation.validate_sampler_pubs([_coerce_sampler(qc)], brisbane)
    assert excinfo.value.instruction == "ecr" and excinfo.value.qubits == good[::-1]
    qc = QuantumCircuit(133, 1)
    qc.cz(0, 100)
    qc.measure(0, 0)
    with pytest.raises(PubValidationError, match=r"cz on qubits \(0, 100\).*not coupled"):
        validation.validate_sampler_pubs([_coerce_sampler(qc)], torino)


def test_control_flow_blocks_use_the_outer_qubits(torino):
    edge = next(iter(q for q in torino.target["cz"] if q))
    body = QuantumCircuit(2)
    body.cz(0, 1)
    qc = QuantumCircuit(133, 1)
    qc.measure(edge[0], 0)
    qc.if_test((qc.clbits[0], 1), body, list(edge), [])
    with qc.for_loop(range(2)):
        qc.x(edge[1])
    qc.barrier()
    qc.delay(100, 0)
    qc.reset(0)
    validation.validate_sampler_pubs([_coerce_sampler(qc)], torino)
    bad = QuantumCircuit(133, 1)
    bad.measure(0, 0)
    bad.if_test((bad.clbits[0], 1), body, [0, 100], [])
    with pytest.raises(PubValidationError, match=r"cz on qubits \(0, 100\) inside if_else"):
        validation.validate_sampler_pubs([_coerce_sampler(bad)], torino)


def test_store_and_barriers_are_allowed(torino):
    qc = QuantumCircuit(133, 1)
    flag = qc.add_var("flag", expr.lift(True))
    qc.store(flag, expr.lift(False))
    qc.barrier()
    qc.measure(0, 0)
    validation.validate_sampler_pubs([_coerce_sampler(qc)], torino)


def test_width_is_checked_everywhere(rest_backend, brisbane):
    wide = QuantumCircuit(33)
    wide.measure_all()
    with pytest.raises(PubValidationError, match="33 qubits but ibmq_qasm_simulator has 32"):
        SamplerV2(mode=rest_backend).run([wide])
    with pytest.raises(PubValidationError, match="128 qubits but ibm_brisbane has 127"):
        validation.validate_sampler_pubs([_coerce_sampler(_bell(128))], brisbane)


def test_simulators_skip_gate_checks(rest_backend):
    qc = QuantumCircuit(3)
    qc.ccx(0, 1, 2)
    qc.measure_all()
    validation.validate_sampler_pubs([_coerce_sampler(qc)], rest_backend)


def test_sampler_without_measurements_warns_and_samples_zeros(rest_backend):
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    with pytest.warns(UserWarning, match="PUB 0: .*no measurements.*every sample will be 0"):
        result = SamplerV2(mode=rest_backend).run([qc], shots=7).result()
    assert result[0].data.c.get_counts() == {"00": 7}  # as StatevectorSampler returns
    inside = QuantumCircuit(2, 2)
    with inside.if_test((inside.clbits[0], 0)):
        inside.measure(0, 1)
    sub = QuantumCircuit(1, 1)
    sub.measure(0, 0)
    appended = QuantumCircuit(1, 1)
    appended.append(sub.to_instruction(), [0], [0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validation.validate_sampler_pubs([_coerce_sampler(inside)], rest_backend)
        validation.validate_sampler_pubs([_coerce_sampler(appended)], rest_backend)


def test_shots_and_precision_bounds(rest_backend, brisbane):
    limit = brisbane.configuration()["max_shots"]
    isa = _isa(brisbane, _bell())
    with pytest.raises(PubValidationError, match=f"{limit + 1} shots exceed the {limit}"):
        validation.validate_sampler_pubs([_coerce_sampler(isa, shots=limit + 1)], brisbane)
    isa = _isa(brisbane, QuantumCircuit(2))
    pub = _coerce_estimator(isa, "ZZ", layout=isa.layout, precision=0.0)
    with pytest.raises(PubValidationError, match="precision must be > 0 on the device"):
        validation.validate_estimator_pubs([pub], brisbane)
    validation.validate_estimator_pubs(
        [_coerce_estimator(QuantumCircuit(2), "ZZ", precision=0)], rest_backend
    )


def test_observable_numbers_and_projector_expansion(rest_backend):
    estimator = EstimatorV2(mode=rest_backend)
    with pytest.raises(PubValidationError, match="NaN or infinite coefficient"):
        estimator.run([(QuantumCircuit(2), {"ZZ": float("nan")})])
    with pytest.raises(PubValidationError, match=r"expand to 1.05e\+06 Pauli terms"):
        estimator.run([(QuantumCircuit(20), "0" * 20)])
    theta = Parameter("θ")
    qc = QuantumCircuit(1)
    qc.rx(theta, 0)
    with pytest.raises(PubValidationError, match="NaN or infinity"):
        estimator.run([(qc, "Z", [[0.1], [np.inf]])])
    # A few projectors are fine, and give the right number.
    assert estimator.run([(QuantumCircuit(2), "00")]).result(timeout=30)[0].data.evs == (
        pytest.approx(1.0)
    )


def test_payload_size_is_measured_and_bounded():
    wire = [["OPENQASM 3.0;" + "x q[0];\n" * 1000, None, 10]]
    size = check_payload_size(wire)
    assert 9000 < size < 11_000
    with pytest.raises(InvalidPubError, match="encoded PUBs take"):
        check_payload_size(wire, limit=1000)
    with pytest.raises(InvalidPubError, match="JSON cannot carry"):
        check_payload_size([["q", {"Z": float("nan")}, None, None]])


def test_validate_false_sends_the_pub_as_it_is(rest_service, brisbane):
    qc = QuantumCircuit(127)
    qc.h(3)
    qc.measure_all()
    before = _jobs(rest_service)
    try:
        job = SamplerV2(mode=brisbane, validate=False).run([qc], shots=10)
    except PubValidationError:  # pragma: no cover - the switch did not work
        pytest.fail("validate=False still validated")
    except (InvalidInputError, BadRequestError):
        return  # the server refused it at POST: also not our local check
    assert _jobs(rest_service) == before + 1
    with pytest.raises(Exception, match="(?i)not supported|basis|isa"):
        job.result(timeout=60)


def test_errors_pickle_with_their_attributes(brisbane):
    qc = QuantumCircuit(127, 1)
    qc.h(5)
    qc.measure(5, 0)
    with pytest.raises(PubValidationError) as excinfo:
        validation.validate_sampler_pubs([_coerce_sampler(qc)], brisbane)
    again = pickle.loads(pickle.dumps(excinfo.value))
    assert (again.pub_index, again.instruction, again.qubits) == (0, "h", (5,))
    assert str(again) == str(excinfo.value)


def _with_faults(backend, qubit=None, gate=None):
    """A copy of ``backend`` whose calibration marks a qubit or a gate as faulty."""
    props = copy.deepcopy(backend.properties())
    if qubit is not None:
        props["qubits"][qubit].append({"name": "operational", "value": 0, "unit": ""})
    if gate is not None:
        for entry in props["gates"]:
            if entry["gate"] == gate[0] and tuple(entry["qubits"]) == gate[1]:
                entry["parameters"].append({"name": "operational", "value": 0, "unit": ""})
    faulty = RestBackend(backend.service, backend.configuration())
    faulty._properties = props  # noqa: SLF001 - inject a calibration, as a refresh would
    return faulty


def test_faulty_qubits_and_edges_are_named(torino):
    edge = next(iter(q for q in torino.target["cz"] if q))
    qc = QuantumCircuit(133, 1)
    qc.x(edge[0])
    qc.measure(edge[0], 0)
    validation.validate_sampler_pubs([_coerce_sampler(qc)], torino)
    with pytest.raises(PubValidationError, match=f"uses qubit {edge[0]}.*faulty"):
        validation.validate_sampler_pubs([_coerce_sampler(qc)], _with_faults(torino, edge[0]))
    pair = QuantumCircuit(133, 1)
    pair.cz(*edge)
    pair.measure(edge[0], 0)
    with pytest.raises(PubValidationError, match="edge .* faulty"):
        validation.validate_sampler_pubs(
            [_coerce_sampler(pair)], _with_faults(torino, gate=("cz", edge))
        )


class _FakeBackend:
    """Just what the validator reads, around any ``Target``."""

    def __init__(self, target, simulator=False, max_shots=None):
        self.name = "fake_device"
        self.target = target
        self.simulator = simulator
        self.num_qubits_hint = target.num_qubits
        self._config = {"max_shots": max_shots}

    def configuration(self):
        return self._config

    def properties(self):
        return {}


def test_angle_bounds_of_fractional_gates():
    config = {
        "backend_name": "fake_device",
        "n_qubits": 2,
        "basis_gates": ["rz", "sx", "x", "cz", "rzz", "rx"],
        "coupling_map": [[0, 1], [1, 0]],
        "simulator": False,
    }
    backend = _FakeBackend(target_from_json(config, {}, include_fractional_gates=True))
    ok = QuantumCircuit(2, 2)
    ok.rzz(0.5, 0, 1)
    ok.measure([0, 1], [0, 1])
    validation.validate_sampler_pubs([_coerce_sampler(ok)], backend)
    bad = QuantumCircuit(2, 2)
    bad.rzz(2.0, 0, 1)
    bad.measure([0, 1], [0, 1])
    with pytest.raises(PubValidationError, match="outside the angles"):
        validation.validate_sampler_pubs([_coerce_sampler(bad)], backend)
    theta = Parameter("t")
    free = QuantumCircuit(2, 2)
    free.rzz(theta, 0, 1)
    free.measure([0, 1], [0, 1])
    validation.validate_sampler_pubs([SamplerPub.coerce((free, [[0.1], [1.5]]), 10)], backend)
    with pytest.raises(
        PubValidationError,
        match=r"rzz\(3.0,\) on qubits \(0, 1\) with parameter values \{'t': 3.0\}",
    ):
        validation.validate_sampler_pubs([SamplerPub.coerce((free, [[0.1], [3.0]]), 10)], backend)


def test_shared_circuits_are_checked_once_and_the_python_walker_agrees(monkeypatch, torino):
    calls = []
    facts = PubValidator(torino).facts
    real = type(facts).rust_says_isa
    monkeypatch.setattr(type(facts), "rust_says_isa", lambda s, c: calls.append(c) or real(s, c))
    isa = _isa(torino, _bell(3))
    validation.validate_sampler_pubs([_coerce_sampler(isa)] * 5, torino)
    assert len(calls) == 1
    # Without the Rust fast path the walker gives the same verdicts.
    monkeypatch.setattr(type(facts), "rust_says_isa", lambda s, c: None)
    validation.validate_sampler_pubs([_coerce_sampler(isa)], torino)
    bad = QuantumCircuit(133, 1)
    bad.h(0)
    bad.measure(0, 0)
    with pytest.raises(PubValidationError, match=r"h on qubits \(0,\)"):
        validation.validate_sampler_pubs([_coerce_sampler(bad)], torino)
