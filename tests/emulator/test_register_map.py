"""The emulator reports a QPY circuit's overlapping registers from the header's register map."""

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.engine.errors import JobExecutionError
from qiskit_rest_provider.emulator.engine.qasm import parse
from qiskit_rest_provider.emulator.engine.sampler import register_fields


def _aliased_text(**extra):
    c = ClassicalRegister(2, "c")
    d = ClassicalRegister(bits=[c[1], c[0]], name="d")
    qc = QuantumCircuit(QuantumRegister(1), c, d)
    return export_circuit(qc, header_extra=extra).qasm


def test_wire_registers_for_our_client_user_registers_for_qpy_clients():
    ours = _aliased_text()
    assert register_fields(ours, parse(ours)) == [("c", [0, 1])]
    qpy = _aliased_text(keyed_by_name=True)
    assert register_fields(qpy, parse(qpy)) == [("c", [0, 1]), ("d", [1, 0])]


def test_a_bad_register_map_fails_the_job():
    text = _aliased_text(keyed_by_name=True).replace('"map":[0,[[0,1],[0,0]]]', '"map":[0,[[3,0]]]')
    assert '"map":[0,[[3,0]]]' in text
    with pytest.raises(JobExecutionError, match="register map is invalid"):
        register_fields(text, parse(text))
