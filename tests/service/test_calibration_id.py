"""service.backend(name, calibration_id=...) against the emulator: sent on every request."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit, transpile

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.exceptions import BackendNotFoundError


def test_a_known_calibration_is_used_and_sent_with_jobs(svc):
    listed = {d["name"]: d for d in svc.backends_api.list()}
    calibration = listed["ibm_brisbane"]["calibration_id"]
    backend = svc.backend("ibm_brisbane", calibration_id=calibration)
    assert backend.calibration_id == calibration and backend is not svc.backend("ibm_brisbane")
    assert backend.properties().t1(0) > 0
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    isa = transpile(circuit, backend, seed_transpiler=1)
    job = SamplerV2(mode=backend).run([isa], shots=10)
    assert job.result()[0].data.meas.num_shots == 10
    assert job.inputs is not None and job.backend() is backend


def test_an_unknown_calibration_is_an_error(svc):
    with pytest.raises(BackendNotFoundError, match="calibration_id 'cal-nope'"):
        svc.backend("ibm_brisbane", calibration_id="cal-nope")
