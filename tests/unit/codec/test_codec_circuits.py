"""The four silent-wrong-number pitfalls of ARCHITECTURE.md §4, at the codec level."""

import math
import warnings

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3, transpile
from qiskit.circuit import Parameter, ParameterVector
from qiskit.providers.fake_provider import GenericBackendV2

from qiskit_rest_provider.codec.circuits import (
    declared_inputs,
    declared_registers,
    export_circuit,
    read_header,
)


def _parametrised():
    x = ParameterVector("x", 12)
    qc = QuantumCircuit(2)
    qc.rz(Parameter("a_b"), 0)
    for i, p in enumerate(x):
        qc.rx(p, i % 2)
    qc.ry(Parameter("θ"), 0)
    qc.rz(Parameter("φ"), 1)
    return qc


def test_parameter_declaration_order_matches_circuit_parameters():
    qc = _parametrised()
    export = export_circuit(qc)
    names = declared_inputs(export.qasm)
    assert len(names) == qc.num_parameters == 15
    # Sorted, natural-sorted and declared orders agree, so any server binds correctly.
    assert names == sorted(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = qasm3.loads(export.qasm)
    assert [p.name for p in loaded.parameters] == names


def test_parameter_binding_through_the_wire_gives_the_same_circuit():
    qc = _parametrised()
    values = np.arange(qc.num_parameters) * 0.1 + 0.05
    export = export_circuit(qc)
    loaded = qasm3.loads(export.qasm)
    by_name = dict(zip(declared_inputs(export.qasm), values))
    bound_remote = loaded.assign_parameters({p: by_name[p.name] for p in loaded.parameters})
    bound_local = qc.assign_parameters(dict(zip(qc.parameters, values)))
    from qiskit.quantum_info import Operator

    assert Operator(bound_remote).equiv(Operator(bound_local))


def test_register_names_and_order_travel_in_the_header():
    cregs = [ClassicalRegister(2, "if"), ClassicalRegister(1, "z"), ClassicalRegister(1, "meas-1")]
    qc = QuantumCircuit(QuantumRegister(2), *cregs)
    export = export_circuit(qc)
    assert [c.name for c in export.cregs] == ["if", "z", "meas-1"]
    assert [c.wire for c in export.cregs] == [w for w, _ in declared_registers(export.qasm)]
    assert [c.size for c in export.cregs] == [2, 1, 1]
    assert read_header(export.qasm)["cregs"] == ["if", "z", "meas-1"]


def test_circuit_metadata_travels_when_it_is_json():
    qc = QuantumCircuit(1, 1, metadata={"name": "x", "n": [1, 2]})
    assert read_header(export_circuit(qc).qasm)["metadata"] == {"name": "x", "n": [1, 2]}
    qc.metadata = {"obj": object()}
    assert "metadata" not in read_header(export_circuit(qc).qasm)


def test_transpiled_circuit_exports_full_width():
    backend = GenericBackendV2(7, seed=1)
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    isa = transpile(bell, backend, initial_layout=[3, 5], seed_transpiler=1)
    assert "$" in qasm3.dumps(isa)  # the pitfall: only touched physical qubits appear
    export = export_circuit(isa)
    assert "qubit[7] q;" in export.qasm
    assert qasm3.loads(export.qasm).num_qubits == 7
    assert isa.layout is not None  # the user's circuit is untouched


@pytest.mark.parametrize("angle", [math.pi / 4 + 1e-10, 1e-12, -3.0000000000000004, 1.0])
def test_angles_are_lossless(angle):
    qc = QuantumCircuit(1)
    qc.rz(angle, 0)
    assert "pi" not in qasm3.dumps(qc, disable_constants=True)
    loaded = qasm3.loads(export_circuit(qc).qasm)
    assert loaded.data[0].operation.params[0] == angle


def test_header_is_a_single_comment_line():
    qc = QuantumCircuit(QuantumRegister(1), ClassicalRegister(1, "a\nb"))
    text = export_circuit(qc).qasm
    header_lines = [line for line in text.splitlines() if line.startswith("// qiskit_rest")]
    assert len(header_lines) == 1
    assert read_header(text)["cregs"] == ["a\nb"]
