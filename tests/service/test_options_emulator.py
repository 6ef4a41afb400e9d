"""Options reach the server exactly as built, and the server accepts them."""

from __future__ import annotations

import copy

import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider import EstimatorOptions, EstimatorV2, SamplerOptions, SamplerV2
from qiskit_rest_provider.primitives.options import Unset
from tests.unit.primitives.test_options import SEED_DD, SEED_TREX_ZNE, SEED_TWIRLING


def _isa(backend, measure):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    if measure:
        circuit.measure_all()
    return generate_preset_pass_manager(1, backend=backend, seed_transpiler=1).run(circuit)


@pytest.mark.parametrize("block", [SEED_TREX_ZNE, SEED_DD, SEED_TWIRLING])
def test_estimator_options_are_stored_as_sent(svc, block):
    backend = svc.backend("ibm_brisbane")
    options = EstimatorOptions(**copy.deepcopy(block), default_shots=256, resilience_level=1)
    options.environment.job_tags = ["opts"]
    isa = _isa(backend, measure=False)
    observable = "Z" * isa.num_qubits
    job = EstimatorV2(mode=backend, options=options).run([(isa, observable)])
    job.result(timeout=120)
    stored = svc.job(job.job_id())._job_data["params"]
    assert stored["options"] == {**block, "default_shots": 256}
    assert stored["resilience_level"] == 1
    assert "opts" in svc.job(job.job_id()).tags


@pytest.mark.parametrize("block", [SEED_DD, SEED_TWIRLING])
def test_sampler_options_are_stored_as_sent(svc, block):
    backend = svc.backend("ibm_brisbane")
    options = SamplerOptions(**copy.deepcopy(block))
    options.simulator.seed_simulator = 11
    job = SamplerV2(mode=backend, options=options).run([_isa(backend, measure=True)], shots=64)
    assert job.result(timeout=120)[0].data.meas.num_shots == 64
    stored = svc.job(job.job_id())._job_data["params"]["options"]
    assert stored == {**block, "simulator": {"seed_simulator": 11}}


def test_unset_options_are_not_sent(svc):
    backend = svc.backend("ibmq_qasm_simulator")
    options = SamplerOptions(default_shots=10)
    options.default_shots = Unset
    circuit = QuantumCircuit(1)
    circuit.measure_all()
    job = SamplerV2(mode=backend, options=options).run([circuit])
    job.result(timeout=60)
    assert svc.job(job.job_id())._job_data["params"]["options"] == {}
