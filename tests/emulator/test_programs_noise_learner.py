"""The noise-learner program's pieces: layers, the twirled gate channel, generators, checks."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine.errors import JobInputError
from qiskit_rest_provider.emulator.engine.programs import noise_learner as nl

from .helpers import Api, assert_ibm_error


@pytest.fixture(scope="module")
def torino():
    return default_backends()["ibm_torino"]


def test_layers_are_the_parallel_two_qubit_gates():
    qc = QuantumCircuit(4)
    qc.h(0)
    qc.cz(0, 1)
    qc.cz(2, 3)
    qc.sx(1)
    qc.cz(1, 2)
    qc.measure_all()
    assert nl.layers(qc) == [(("cz", (0, 1)), ("cz", (2, 3))), (("cz", (1, 2)),)]


def test_gate_rates_reproduce_the_channel(torino):
    rates = nl.gate_rates(torino, "cz", (0, 1))
    assert len(rates) == 15 and all(r >= 0 for r in rates.values())
    infidelity = 1 - np.prod([(1 + np.exp(-2 * r)) / 2 for r in rates.values()])
    error = torino.target["cz"][(0, 1)].error
    assert infidelity == pytest.approx(1.25 * error, rel=0.1)
    assert nl.gate_rates(default_backends(noiseless=True)["ibm_torino"], "cz", (0, 1)) == {}


def test_layer_generators_cover_qubits_and_edges(torino):
    labels, rates = nl._layer_error(torino, (("cz", (0, 1)),), [0, 1, 2], noisy=True)
    # 3 one-body per qubit, 9 two-body per coupled pair among the learned qubits
    graph = torino.target.build_coupling_map().graph
    edges = [e for e in ((0, 1), (1, 2), (0, 2)) if graph.has_edge(*e) or graph.has_edge(*e[::-1])]
    assert len(labels) == 9 + 9 * len(edges)
    assert all(len(label) == 3 for label in labels)
    gate = nl.gate_rates(torino, "cz", (0, 1))
    by_label = dict(zip(labels, rates))
    assert by_label["IZX"] == pytest.approx(gate["ZX"])  # qubit 1: Z, qubit 0: X
    assert by_label["XII"] == 0.0  # qubit 2 is learned but idle
    _, silent = nl._layer_error(torino, (("cz", (0, 1)),), [0, 1], noisy=False)
    assert not silent.any()


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"schema_version": "v0.3", "circuits": []}, "NoiseLearnerV3"),
        ({"circuits": ["OPENQASM 3.0;"]}, "send circuits as QPY"),
        ({"circuits": [], "options": {"bogus": 1}}, "Invalid noise-learner input"),
    ],
)
def test_bad_inputs(torino, params, fragment):
    with pytest.raises(JobInputError, match=fragment):
        nl.parse(params, torino)


def test_refused_over_http(emulator):
    r = Api(emulator.url).post(
        "/jobs",
        json={"program_id": "noise-learner", "backend": "ibm_torino", "params": {"circuits": 3}},
    )
    assert_ibm_error(r, 400, 1002)


def test_v3_pieces(torino):
    from qiskit_rest_provider.emulator.engine.programs import noise_learner_v3 as v3

    assert v3._sparse("XIZ") == [("ZX", [0, 2])]
    with pytest.raises(JobInputError, match="schema_version 'v9.9' is not supported"):
        v3.parse({"schema_version": "v9.9"}, torino)
    with pytest.raises(JobInputError, match="Invalid noise-learner input"):
        v3.parse({"schema_version": "v0.3", "instructions": 1}, torino)

    from ibm_quantum_schemas.common import QpyModelV13ToV17

    plain = QuantumCircuit(2)
    plain.cz(0, 1)
    params = {
        "schema_version": "v0.3",
        "version": 3,
        "instructions": QpyModelV13ToV17.from_quantum_circuit(plain, qpy_version=17).model_dump(
            mode="json"
        ),
        "options": {},
    }
    with pytest.raises(JobInputError, match="Instruction 0 is not a box"):
        v3.parse(params, torino)
