"""Target from configuration + properties: errors, durations, faulty qubits, ISA transpiling."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider.codec.target import faulty_qubits, si_value, target_from_json
from qiskit_rest_provider.exceptions import InvalidInputError
from qiskit_rest_provider.service.backend import RestBackend

N = 5
EDGES = [[0, 1], [1, 2], [2, 3], [3, 4]]


def _nduv(name, value, unit=""):
    return {"date": "2026-01-01T00:00:00Z", "name": name, "unit": unit, "value": value}


def _config(**extra):
    return {
        "backend_name": "ibm_line",
        "backend_version": "1.0",
        "n_qubits": N,
        "basis_gates": ["ecr", "id", "rz", "sx", "x", "rzz"],
        "coupling_map": EDGES,
        "supported_instructions": [
            "ecr",
            "id",
            "rz",
            "sx",
            "x",
            "measure",
            "reset",
            "delay",
            "if_else",
            "for_loop",
        ],
        "dt": 0.22222,  # nanoseconds, as the service sends it
        "timing_constraints": {
            "granularity": 16,
            "min_length": 64,
            "pulse_alignment": 16,
            "acquire_alignment": 16,
        },
        "simulator": False,
        **extra,
    }


def _properties(faulty=(), faulty_edge=None):
    qubits = []
    for q in range(N):
        row = [
            _nduv("T1", 100 + q, "us"),
            _nduv("T2", 80 + q, "us"),
            _nduv("frequency", 5.0, "GHz"),
            _nduv("readout_error", 0.01 * (q + 1)),
            _nduv("readout_length", 1200, "ns"),
        ]
        if q in faulty:
            row.append(_nduv("operational", 0))
        qubits.append(row)
    gates = []
    for q in range(N):
        for name in ("sx", "x", "id", "rz"):
            error = 0.0 if name == "rz" else 2e-4 * (q + 1)
            length = 0 if name == "rz" else 60
            gates.append(
                {
                    "gate": name,
                    "qubits": [q],
                    "parameters": [_nduv("gate_error", error), _nduv("gate_length", length, "ns")],
                }
            )
    for a, b in EDGES:
        params = [_nduv("gate_error", 0.007 + 0.001 * a), _nduv("gate_length", 660, "ns")]
        if faulty_edge == (a, b):
            params.append(_nduv("operational", 0))
        gates.append({"gate": "ecr", "qubits": [a, b], "parameters": params})
    return {
        "backend_name": "ibm_line",
        "backend_version": "1.0",
        "last_update_date": "2026-01-01T00:00:00Z",
        "qubits": qubits,
        "gates": gates,
        "general": [],
    }


def test_si_units():
    assert si_value(_nduv("gate_length", 660, "ns")) == pytest.approx(6.6e-7)
    assert si_value(_nduv("T1", 100, "us")) == pytest.approx(1e-4)
    assert si_value(_nduv("frequency", 5, "GHz")) == pytest.approx(5e9)
    assert si_value(_nduv("gate_error", 0.1)) == 0.1


def test_errors_durations_and_qubit_properties():
    target = target_from_json(_config(), _properties())
    assert target.num_qubits == N
    assert target.dt == pytest.approx(2.2222e-10)
    assert target.granularity == 16 and target.min_length == 64
    assert target["ecr"][(1, 2)].error == pytest.approx(0.008)
    assert target["ecr"][(1, 2)].duration == pytest.approx(6.6e-7)
    assert (2, 1) not in target["ecr"]  # direction as calibrated
    assert target["sx"][(3,)].error == pytest.approx(8e-4)
    assert target["measure"][(2,)].error == pytest.approx(0.03)
    assert target["measure"][(2,)].duration == pytest.approx(1.2e-6)
    assert target.qubit_properties[4].t1 == pytest.approx(104e-6)
    assert target.qubit_properties[0].frequency == pytest.approx(5e9)
    assert {"reset", "delay", "if_else", "for_loop"} <= set(target.operation_names)
    assert "rzz" not in target.operation_names  # fractional gates are opt-in on devices
    assert "rzz" in target_from_json(_config(), _properties(), include_fractional_gates=True)


def test_without_properties_uses_the_coupling_map():
    target = target_from_json(_config(), {})
    assert set(target["ecr"]) == {tuple(e) for e in EDGES}
    assert target["ecr"][(0, 1)] is None
    assert set(target["sx"]) == {(q,) for q in range(N)}


def test_simulator_gates_are_global():
    config = {
        "backend_name": "sim",
        "n_qubits": 3,
        "basis_gates": ["h", "cx", "rzz", "measure"],
        "coupling_map": None,
        "simulator": True,
    }
    target = target_from_json(config)
    assert target.instruction_supported("cx", (2, 0))
    assert target.instruction_supported("rzz", (0, 2))


def test_faulty_qubits_and_edges_are_left_out():
    props = _properties(faulty=(4,), faulty_edge=(1, 2))
    assert faulty_qubits(props) == {4}
    target = target_from_json(_config(), props)
    assert (4,) not in target["sx"]
    assert (4,) not in target["measure"]
    assert (3, 4) not in target["ecr"]
    assert (1, 2) not in target["ecr"]
    assert (0, 1) in target["ecr"]


class _FakeBackendsApi:
    def __init__(self, properties):
        self._properties = properties
        self.calls = 0

    def properties(self, name):
        self.calls += 1
        return self._properties

    def configuration(self, name):
        return _config()


class _FakeService:
    def __init__(self, properties):
        self.backends_api = _FakeBackendsApi(properties)


def _backend(properties):
    return RestBackend(_FakeService(properties), _config())


def test_backend_target_is_cached_and_refreshed():
    backend = _backend(_properties())
    assert backend.target is backend.target
    assert backend.service.backends_api.calls == 1
    old = backend.target
    backend.properties(refresh=True)
    assert backend.target is not old
    assert backend.num_qubits == N


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_preset_pass_manager_gives_isa_circuits_that_avoid_faulty_qubits(level):
    # Level 0 keeps the trivial layout (Qiskit's choice), so its faulty qubit is one it won't use.
    bad = 4 if level == 0 else 0
    backend = _backend(_properties(faulty=(bad,)))
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    pm = generate_preset_pass_manager(optimization_level=level, backend=backend, seed_transpiler=1)
    isa = pm.run(circuit)
    assert set(isa.count_ops()) <= {"ecr", "rz", "sx", "x", "measure", "barrier"}
    for instruction in isa.data:
        qargs = tuple(isa.find_bit(q).index for q in instruction.qubits)
        if instruction.operation.name != "barrier":
            assert backend.target.instruction_supported(instruction.operation.name, qargs)
            assert bad not in qargs
    backend.check_faulty(isa)


def test_check_faulty_names_the_qubit():
    backend = _backend(_properties(faulty=(0,)))
    circuit = QuantumCircuit(N)
    circuit.x(0)
    with pytest.raises(InvalidInputError, match="faulty qubit 0"):
        backend.check_faulty(circuit)
    assert backend.faulty_qubits() == [0]


def test_run_points_to_the_primitives():
    with pytest.raises(NotImplementedError, match="SamplerV2"):
        _backend({}).run(QuantumCircuit(1))
