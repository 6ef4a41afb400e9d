"""The executor program's checks and its lone-qubit shortcut (the official client is in
tests/interop/test_official_client_fidelity.py)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine.programs import lone

from .helpers import SIM, Api, assert_ibm_error


def _params(**program):
    from ibm_quantum_schemas.common import CompressedQpyDataModel, F64CompressedTensorModel
    from ibm_quantum_schemas.executor.version_2_0 import (
        CircuitItemModel,
        ParamsModel,
        QuantumProgramModel,
    )

    qc = QuantumCircuit(1, 1)
    qc.x(0)
    qc.measure(0, 0)
    item = CircuitItemModel(
        circuit_arguments=F64CompressedTensorModel.from_numpy(np.zeros((2, 0))), shape=[]
    )
    model = ParamsModel(
        quantum_program=QuantumProgramModel(
            shots=program.pop("shots", 8),
            circuits=CompressedQpyDataModel.from_python([qc]),
            items=[item],
            **program,
        ),
        options={},
    )
    return model.model_dump(mode="json")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"schema_version": "v1.0"}, "schema_version 'v1.0' is not supported"),
        ({"quantum_program": {"shots": 1}}, "Invalid executor input"),
        ("both", "meas_level 'both' is not emulated"),
        ("huge", "executions"),
    ],
)
def test_bad_executor_inputs_are_refused(emulator, change, fragment):
    if change == "both":
        params = _params(meas_level="both")
    elif change == "huge":
        params = _params(shots=6_000_000)
    else:
        params = {**_params(), **change}
    r = Api(emulator.url).post(
        "/jobs", json={"program_id": "executor", "backend": SIM, "params": params}
    )
    error = assert_ibm_error(r, 400, 1002)
    assert fragment in error["message"]


def test_executor_over_http_kerneled(emulator):
    api = Api(emulator.url)
    params = _params(meas_level="avg_kerneled")
    job_id = api.submit({"program_id": "executor", "backend": "ibm_brisbane", "params": params})
    assert api.wait(job_id)["status"] == "Completed"
    body = api.get(f"/jobs/{job_id}/results").json()
    assert body["schema_version"] == "v2.0"
    assert list(body["data"][0]["results"]) == ["c"]


def test_split_finds_lone_qubits():
    qc = QuantumCircuit(4, 4)
    qc.h(0)
    qc.cx(0, 1)
    qc.rx(0.3, 2)
    qc.measure(range(4), range(4))
    assert lone.split(qc) == ([0, 1], {2: 2, 3: 3})
    qc.measure(2, 0)  # measured twice: not lone, and clbit 0 is written twice
    assert lone.split(qc) == ([0, 1, 2], {3: 3})
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(3)
    assert lone.split(qc) is None
    narrow = lone.without(QuantumCircuit(3, 1), [0])
    assert narrow.num_qubits == 1 and narrow.num_clbits == 1


def test_lone_probabilities_match_the_channel():
    backend = default_backends()["ibm_torino"]
    qc = QuantumCircuit(3, 3)
    qc.rx(0.7, 0)
    qc.sx(1)
    qc.measure(range(3), range(3))
    exact = lone.LoneSampler(backend, noisy=False, with_readout=True).probabilities(
        qc, {0: 0, 1: 1, 2: 2}
    )
    assert exact == pytest.approx({0: np.sin(0.35) ** 2, 1: 0.5, 2: 0.0})
    noisy = lone.LoneSampler(backend, noisy=True, with_readout=True).probabilities(qc, {0: 0, 2: 2})
    p10, p01 = backend.readout_errors()[2]
    assert noisy[2] == pytest.approx(p10)  # never driven: only the readout error
    lam = 2 * backend.target["rx"][(0,)].error if "rx" in backend.target.operation_names else 0
    p1 = (1 - lam) * np.sin(0.35) ** 2 + lam / 2
    r10, r01 = backend.readout_errors()[0]
    assert noisy[0] == pytest.approx(p1 * (1 - r01) + (1 - p1) * r10)


def test_executor_items_must_be_isa_on_a_device(emulator):
    api = Api(emulator.url)
    params = _params()  # x + measure on qubit 0: 'x' is in every device's basis
    job_id = api.submit({"program_id": "executor", "backend": "ibm_torino", "params": params})
    assert api.wait(job_id)["status"] == "Completed"
    from ibm_quantum_schemas.common import CompressedQpyDataModel

    qc = QuantumCircuit(1, 1)
    qc.h(0)  # not in the device's basis
    qc.measure(0, 0)
    params["quantum_program"]["circuits"] = CompressedQpyDataModel.from_python([qc]).model_dump(
        mode="json"
    )
    r = api.post(
        "/jobs", json={"program_id": "executor", "backend": "ibm_torino", "params": params}
    )
    error = assert_ibm_error(r, 400, 1005)
    assert error["message"].startswith("Item 0: The instruction h")
