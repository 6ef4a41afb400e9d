"""Backends against the emulator: listing, filters, least_busy, Target, ISA transpiling."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.exceptions import BackendNotFoundError

DEVICES = {"ibm_brisbane", "ibm_torino"}


def test_listing_and_filters(svc):
    names = {b.name for b in svc.backends()}
    assert DEVICES | {"ibmq_qasm_simulator"} <= names
    assert {b.name for b in svc.backends(simulator=False)} >= DEVICES
    assert "ibmq_qasm_simulator" not in {b.name for b in svc.backends(simulator=False)}
    assert {b.name for b in svc.backends(min_num_qubits=130)} == {"ibm_torino"}
    assert [b.name for b in svc.backends(name="ibm_brisbane", operational=True)] == ["ibm_brisbane"]
    assert svc.backends(name="ibm_brisbane", operational=False) == []
    assert svc.least_busy(simulator=False).name in DEVICES
    assert svc.least_busy(min_num_qubits=130).name == "ibm_torino"
    with pytest.raises(BackendNotFoundError):
        svc.backend("ibm_nowhere")


def test_status(svc):
    status = svc.backend("ibm_brisbane").status()
    assert status.operational is True
    assert status.status_msg == "active"
    assert status.pending_jobs >= 0


@pytest.mark.parametrize("name", sorted(DEVICES))
def test_target_matches_the_emulators_own(noiseless, svc, name):
    ours = svc.backend(name).target
    theirs = noiseless.state.backends[name].target
    assert ours.num_qubits == theirs.num_qubits
    for op in ("ecr", "cz", "sx", "x", "rz", "measure"):
        if op in theirs.operation_names:
            assert set(ours[op]) == set(theirs[op]), op
    two_q = "ecr" if "ecr" in ours.operation_names else "cz"
    some = next(iter(ours[two_q]))
    assert ours[two_q][some].error is not None and ours[two_q][some].duration > 0
    assert ours["measure"][(0,)].error is not None
    assert ours.qubit_properties[0].t1 > 0
    assert svc.backend(name).target is ours  # cached


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_preset_pass_manager_on_our_backend_gives_circuits_the_device_runs(svc, level):
    backend = svc.backend("ibm_brisbane")
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(0, 2)
    circuit.measure_all()
    isa = generate_preset_pass_manager(level, backend=backend, seed_transpiler=5).run(circuit)
    assert isa.num_qubits == 127
    counts = SamplerV2(mode=backend).run([isa], shots=200).result()[0].data.meas.get_counts()
    assert set(counts) <= {"000", "111"}  # noiseless device: only the GHZ outcomes
