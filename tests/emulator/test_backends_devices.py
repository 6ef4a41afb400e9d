"""Backend catalogue: JSON payloads, Target, ISA checks, noise."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.results import bitarray_from_hex
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import JobInputError, run_job, validate_job


@pytest.fixture(scope="module")
def backends():
    return default_backends()


def _ghz(n: int = 3) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    qc.measure_all()
    return qc


def test_catalogue_names_and_widths(backends):
    assert list(backends) == ["ibmq_qasm_simulator", "ibm_brisbane", "ibm_torino"]
    sim = backends["ibmq_qasm_simulator"]
    assert (sim.num_qubits, sim.simulator, sim.properties()) == (32, True, None)
    assert sim.configuration()["coupling_map"] is None
    assert sim.target.num_qubits == 32
    assert backends["ibm_brisbane"].num_qubits == 127
    assert backends["ibm_torino"].num_qubits == 133


@pytest.mark.parametrize(
    ("name", "gate", "edges", "directed"),
    [("ibm_brisbane", "ecr", 144, 144), ("ibm_torino", "cz", 150, 300)],
)
def test_device_configuration_and_properties(backends, name, gate, edges, directed):
    backend = backends[name]
    config, props = backend.configuration(), backend.properties()
    assert config["basis_gates"] == sorted([gate, "id", "rz", "sx", "x"])
    assert config["simulator"] is False and config["n_qubits"] == backend.num_qubits
    assert len(config["coupling_map"]) == directed
    assert len({tuple(sorted(e)) for e in config["coupling_map"]}) == edges
    for key in (
        "backend_version",
        "dt",
        "timing_constraints",
        "supported_instructions",
        "processor_type",
        "max_shots",
        "online_date",
        "gates",
    ):
        assert key in config
    assert {"measure", "reset", "delay", "if_else"} <= set(config["supported_instructions"])
    assert len(props["qubits"]) == backend.num_qubits
    names = {item["name"] for item in props["qubits"][0]}
    assert {
        "T1",
        "T2",
        "frequency",
        "readout_error",
        "prob_meas0_prep1",
        "prob_meas1_prep0",
        "readout_length",
    } <= names
    errors = [g["parameters"][0]["value"] for g in props["gates"] if g["gate"] == gate]
    assert 1e-3 < float(np.median(errors)) < 2e-2
    assert "last_update_date" in props
    json.dumps(config), json.dumps(props)  # plain JSON
    again = default_backends()[name]
    assert again.configuration() == config and again.properties() == props  # seeded


def test_target_from_the_json(backends):
    target = backends["ibm_brisbane"].target
    assert target.num_qubits == 127
    assert target.dt == pytest.approx(2 / 9 * 1e-9)
    edge = tuple(backends["ibm_brisbane"].configuration()["coupling_map"][0])
    assert target.instruction_supported("ecr", edge)
    assert not target.instruction_supported("ecr", edge[::-1])  # ECR is directed
    assert target["ecr"][edge].duration == pytest.approx(660e-9)
    assert target["measure"][(0,)].error > 0
    assert target.qubit_properties[0].t1 > 1e-5
    isa = generate_preset_pass_manager(1, target=target, seed_transpiler=1).run(_ghz())
    assert set(isa.count_ops()) <= {"ecr", "rz", "sx", "x", "measure", "barrier"}


def test_device_summary(backends):
    summary = backends["ibm_torino"].device_summary()
    assert summary["name"] == "ibm_torino" and summary["status"] == {"name": "online"}
    assert summary["is_simulator"] is False and summary["qubits"] == 133
    assert summary["processor_type"] == {"family": "Heron", "revision": "1"}
    assert summary["clops"]["value"] > 0 and summary["queue_length"] == 0
    assert set(summary["performance_metrics"]) == {
        "two_q_error_best",
        "two_q_error_layered",
        "two_q_error_median",
        "readout_error_median",
    }
    assert backends["ibmq_qasm_simulator"].device_summary()["is_simulator"] is True


def test_non_isa_circuits_are_rejected(backends):
    brisbane = backends["ibm_brisbane"]
    with pytest.raises(JobInputError) as info:
        validate_job("sampler", {"pubs": [export_circuit(_ghz()).qasm]}, brisbane)
    assert info.value.code == 1005
    assert "The instruction h on qubits (0,) is not supported by the target" in info.value.message
    a, b = brisbane.configuration()["coupling_map"][0]
    wrong = QuantumCircuit(127)
    wrong.ecr(b, a)  # reversed direction
    with pytest.raises(JobInputError) as info:
        validate_job("sampler", {"pubs": [export_circuit(wrong).qasm]}, brisbane)
    assert info.value.code == 1003 and f"({b}, {a})" in info.value.message
    far = QuantumCircuit(133)
    far.cz(0, 60)
    with pytest.raises(JobInputError, match="cz on qubits"):
        validate_job(
            "estimator", {"pubs": [[export_circuit(far).qasm, "Z" * 133]]}, backends["ibm_torino"]
        )


def test_isa_circuits_run_with_noise_and_without(backends):
    torino = backends["ibm_torino"]
    isa = generate_preset_pass_manager(1, target=torino.target, seed_transpiler=3).run(_ghz())
    params = {"pubs": [[export_circuit(isa).qasm, None, 2000]]}
    validate_job("sampler", params, torino)
    noisy = run_job("sampler", params, torino, seed=5)
    clean = run_job("sampler", params, torino, seed=5, noiseless=True)
    assert set(clean["results"][0]["data"]["meas"]["samples"]) == {"0x0", "0x7"}
    counts = Counter(noisy["results"][0]["data"]["meas"]["samples"])
    wrong = sum(v for k, v in counts.items() if k not in ("0x0", "0x7"))
    assert 0 < wrong < 400  # a few percent of errors, not garbage
    assert noisy == run_job("sampler", params, torino, seed=5)
    assert default_backends(noiseless=True)["ibm_torino"].noise_model() is None


def test_hex_decoding_of_zero_samples_is_stable():
    # numpy 2.4's zfill garbles empty strings ("0x0" after stripping) at random
    samples = ["0x0", "0x7"] * 2048
    expected = np.array([[0], [7]] * 2048, dtype=np.uint8)
    for _ in range(30):
        np.testing.assert_array_equal(bitarray_from_hex(samples, 3).array, expected)


def test_pauli_twirled_noise_is_the_pauli_channel_with_the_same_diagonal():
    from qiskit.quantum_info import Chi
    from qiskit_aer.noise import amplitude_damping_error

    from qiskit_rest_provider.emulator.devices.noise import pauli_twirled

    error = amplitude_damping_error(0.1).tensor(amplitude_damping_error(0.3))
    twirled = pauli_twirled(error)
    before = np.real(np.diag(Chi(error.to_quantumchannel()).data))
    after = Chi(twirled.to_quantumchannel()).data
    np.testing.assert_allclose(np.real(np.diag(after)), before, atol=1e-12)
    np.testing.assert_allclose(after - np.diag(np.diag(after)), 0, atol=1e-12)  # Pauli channel
