"""RestBackend as qiskit-ibm-runtime's IBMBackend: configuration/properties models, copies,
calibration ids, history, physical qubits. Compared field by field with 0.51's own models."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import datetime, timezone
from pathlib import Path

import pytest
import qiskit_ibm_runtime
from qiskit_ibm_runtime.models import BackendConfiguration as TheirConfiguration
from qiskit_ibm_runtime.models import BackendProperties as TheirProperties
from responses.matchers import query_param_matcher

from qiskit_rest_provider.exceptions import BackendNotFoundError
from qiskit_rest_provider.service.backend_models import BackendConfiguration, BackendProperties
from tests.unit.conftest import API

MANILA = Path(qiskit_ibm_runtime.__file__).parent / "fake_provider" / "backends" / "manila"
CONF = json.loads((MANILA / "conf_manila.json").read_text())
PROPS = json.loads((MANILA / "props_manila.json").read_text())
NAME = CONF["backend_name"]


@pytest.fixture
def manila(service, mocked):
    mocked.get(f"{API}/backends/{NAME}/configuration", json=CONF)
    mocked.get(f"{API}/backends/{NAME}/properties", json=PROPS)
    return service.backend(NAME)


def test_configuration_reads_like_theirs(manila):
    ours, theirs = manila.configuration(), TheirConfiguration.from_dict(CONF)
    assert isinstance(ours, BackendConfiguration)
    for field in ("n_qubits", "num_qubits", "basis_gates", "simulator", "coupling_map", "local"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.dt == pytest.approx(theirs.dt) and ours.dtm == pytest.approx(theirs.dtm)
    assert ours.online_date == theirs.online_date
    assert [g.name for g in ours.gates] == [g.name for g in theirs.gates]
    assert ours.to_dict() == CONF and ours["n_qubits"] == 5  # still the JSON
    assert manila.basis_gates == theirs.basis_gates  # backend attributes fall back to it
    assert manila.n_qubits == 5
    with pytest.raises(AttributeError):
        manila.no_such_field  # noqa: B018


def test_properties_read_like_theirs(manila):
    ours, theirs = manila.properties(), TheirProperties.from_dict(PROPS)
    assert isinstance(ours, BackendProperties) and ours.to_dict() == PROPS
    for qubit in range(5):
        for method in ("t1", "t2", "frequency", "readout_error", "readout_length"):
            assert getattr(ours, method)(qubit) == pytest.approx(getattr(theirs, method)(qubit))
        assert ours.is_qubit_operational(qubit) == theirs.is_qubit_operational(qubit)
    assert ours.gate_error("cx", [0, 1]) == pytest.approx(theirs.gate_error("cx", [0, 1]))
    assert ours.gate_length("sx", 2) == pytest.approx(theirs.gate_length("sx", 2))
    assert ours.qubit_property(0, "T1") == theirs.qubit_property(0, "T1")
    assert ours.last_update_date == theirs.last_update_date
    assert ours.faulty_qubits() == theirs.faulty_qubits() == []
    assert ours.qubits[0][0].name == theirs.qubits[0][0].name
    with pytest.raises(KeyError):
        ours.t1(99)


def test_deepcopy_and_pickle(manila):
    target = manila.target
    clone = copy.deepcopy(manila)
    assert clone is not manila and clone.service is manila.service
    assert clone.target is not target and clone.target.num_qubits == 5
    restored = pickle.loads(pickle.dumps(manila))
    assert restored.name == NAME and restored.configuration() == CONF
    assert restored.service.instance == manila.service.instance
    assert restored.target.operation_names == target.operation_names


def test_simulators_have_no_properties_as_theirs(service, mocked):
    mocked.get(
        f"{API}/backends/sim/configuration", json={**CONF, "backend_name": "sim", "simulator": True}
    )
    assert service.backend("sim").properties() is None


def test_properties_at_a_date_and_target_history(manila, mocked):
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    old = mocked.get(
        f"{API}/backends/{NAME}/properties",
        match=[query_param_matcher({"updated_before": "2026-01-02T03:04:05+00:00"})],
        json=PROPS,
    )
    assert manila.properties(datetime=moment).t1(0) == pytest.approx(
        TheirProperties.from_dict(PROPS).t1(0)
    )
    assert manila.target_history(datetime=moment).num_qubits == 5
    asked = [c.request.url for c in mocked.calls if "updated_before=2026-01-02T03" in c.request.url]
    assert len(asked) == 2 and old.call_count >= 1
    with pytest.raises(TypeError):
        manila.properties(refresh="yes")
    with pytest.raises(TypeError):
        manila.properties(datetime="2026-01-01")


def test_calibration_id_is_sent_and_an_unknown_one_is_an_error(service, mocked):
    conf = mocked.get(
        f"{API}/backends/{NAME}/configuration",
        match=[query_param_matcher({"calibration_id": "cal-1"})],
        json=CONF,
    )
    props = mocked.get(
        f"{API}/backends/{NAME}/properties",
        match=[query_param_matcher({"calibration_id": "cal-1"})],
        json=PROPS,
    )
    backend = service.backend(NAME, calibration_id="cal-1")
    assert backend.calibration_id == "cal-1" and backend.properties().t1(0) > 0
    assert conf.call_count == 1 and props.call_count == 1
    mocked.get(
        f"{API}/backends/{NAME}/configuration",
        match=[query_param_matcher({"calibration_id": "nope"})],
        status=404,
        json={"errors": [{"message": "calibration not found"}]},
    )
    with pytest.raises(BackendNotFoundError, match="calibration_id 'nope'"):
        service.backend(NAME, calibration_id="nope")


def test_physical_qubits_come_from_the_backend_list(manila, mocked):
    mocked.get(f"{API}/backends", json={"devices": [{"name": NAME, "physical_qubits": 7}]})
    assert manila.physical_qubits == 7


def test_the_calibration_id_is_sent_with_the_job(service, mocked):
    from qiskit import QuantumCircuit

    from qiskit_rest_provider import SamplerV2

    sim = {**CONF, "backend_name": "sim", "simulator": True}
    mocked.get(
        f"{API}/backends/sim/configuration",
        json=sim,
        match=[query_param_matcher({"calibration_id": "cal-7"})],
    )
    post = mocked.post(f"{API}/jobs", json={"id": "j", "backend": "sim"})
    circuit = QuantumCircuit(1)
    circuit.measure_all()
    SamplerV2(mode=service.backend("sim", calibration_id="cal-7")).run([circuit], shots=1)
    assert json.loads(post.calls[0].request.body)["calibration_id"] == "cal-7"
    mocked.get(f"{API}/backends/sim/configuration", json=sim)
    SamplerV2(mode=service.backend("sim")).run([circuit], shots=1)
    assert "calibration_id" not in json.loads(post.calls[1].request.body)
