"""measure_all() on a transpiled device circuit: idle qubits are read, not simulated."""

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import run_job, validate_job
from qiskit_rest_provider.emulator.engine.circuits import active_qubits, idle_measurements


def _isa_measure_all(backend):
    ghz = QuantumCircuit(3)
    ghz.h(0)
    ghz.cx(0, 1)
    ghz.cx(1, 2)
    pm = generate_preset_pass_manager(1, target=backend.target, seed_transpiler=4)
    isa = pm.run(ghz)
    isa.measure_all()  # measures all 127 device qubits
    return isa


def _counts(backend, isa, shots=400, noiseless=True):
    export = export_circuit(isa)
    params = {"pubs": [[export.qasm, None, shots]], "support_qiskit": True}
    body = run_job(
        "sampler", validate_job("sampler", params, backend), backend, seed=3, noiseless=noiseless
    )
    spec = PubSpec(shape=(), cregs=export.cregs)
    return decode_result(json.dumps(body), "sampler", [spec])[0].data.meas


def test_idle_measured_qubits_are_not_simulated():
    backend = default_backends(noiseless=True)["ibm_brisbane"]
    isa = _isa_measure_all(backend)
    assert len(active_qubits(isa)) < 10
    assert len(idle_measurements(isa)) > 100
    bits = _counts(backend, isa)
    assert bits.num_bits == 127
    physical = [isa.layout.final_index_layout()[i] for i in range(3)]
    for outcome in bits.get_counts():
        ones = {127 - 1 - i for i, c in enumerate(outcome) if c == "1"}
        assert ones in (set(), set(physical))  # GHZ on its qubits, zeros everywhere else


def test_idle_measured_qubits_keep_readout_error_on_noisy_devices():
    backend = default_backends()["ibm_brisbane"]
    isa = _isa_measure_all(backend)
    bits = _counts(backend, isa, shots=2000, noiseless=False)
    idle = [clbit for _, clbit in idle_measurements(isa)]
    flips = np.unpackbits(bits.array, axis=-1, bitorder="big")[:, ::-1][:, idle].mean()
    expected = np.mean([backend.readout_errors()[q][0] for q, _ in idle_measurements(isa)])
    assert flips == pytest.approx(expected, rel=0.15)


def test_a_clbit_written_twice_keeps_program_order():
    qc = QuantumCircuit(2, 1)
    qc.x(0)
    qc.measure(1, 0)  # idle qubit first ...
    qc.measure(0, 0)  # ... then the active one overwrites the same bit
    assert idle_measurements(qc) == []
    backend = default_backends()["ibmq_qasm_simulator"]
    params = {"pubs": [[qasm3.dumps(qc), None, 50]], "support_qiskit": True}
    body = run_job("sampler", validate_job("sampler", params, backend), backend, seed=1)
    data = decode_result(json.dumps(body), "sampler", [PubSpec(shape=())])[0].data
    assert data.c.get_counts() == {"1": 50}
