"""The warnings docs/official-client.md lists are exactly the ones the official client shows."""

from __future__ import annotations

import logging
import warnings

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

runtime = pytest.importorskip("qiskit_ibm_runtime")

pytestmark = pytest.mark.timeout(120)

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/interop:warnings::"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def test_the_documented_warnings_and_no_others(emulator, monkeypatch):
    from qiskit_ibm_runtime import Batch, EstimatorV2, QiskitRuntimeService, SamplerV2, Session

    monkeypatch.setenv("IAM_URL", emulator.url)
    monkeypatch.setenv("QISKIT_FUNCTIONS_EXPERIMENTAL", "1")
    records = _Records()
    client_logger = logging.getLogger("qiskit_ibm_runtime")  # it does not propagate
    client_logger.addHandler(records)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            service = QiskitRuntimeService(
                channel="ibm_quantum_platform",
                token="k",
                instance=CRN,
                url=emulator.url,
                url_resolver=lambda url, *_: url + "/api/v1",
            )
            service.backends()
            sim = service.backend("ibmq_qasm_simulator")
            device = service.backend("ibm_brisbane")
            assert sim.target.num_qubits and device.target.num_qubits
            bell = QuantumCircuit(2)
            bell.h(0)
            bell.cx(0, 1)
            isa = generate_preset_pass_manager(1, backend=device, seed_transpiler=1).run(bell)
            observable = SparsePauliOp("ZZ").apply_layout(isa.layout)
            measured = bell.copy()
            measured.measure_all()
            with Session(backend=device) as session:
                EstimatorV2(mode=session).run([(isa, observable)]).result()
            with Batch(backend=sim) as batch:
                job = SamplerV2(mode=batch).run([measured], shots=10)
                job.result()
            service.job(job.job_id()).result()
    finally:
        client_logger.removeHandler(records)
    messages = sorted({f"{w.category.__name__}: {str(w.message)[:40]}" for w in caught})
    assert messages == [
        "DeprecationWarning: The EstimatorV2 class is deprecated as o",
        "DeprecationWarning: The SamplerV2 class is deprecated as of ",
    ]
    assert records.lines == [
        "WARNING Loading account with the given token. A saved account will not be used."
    ]
