"""The emulator reads the switch statements and classical expressions Qiskit's exporter writes."""

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3
from qiskit.circuit.classical import expr

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.engine.qasm import QasmParseError, parse


def _aer_counts(circuit, seed=3):
    from qiskit_aer import AerSimulator

    return AerSimulator().run(circuit, shots=400, seed_simulator=seed).result().get_counts()


def _conditions():
    cr = ClassicalRegister(3, "c")
    qc = QuantumCircuit(QuantumRegister(3), cr)
    qc.h([0, 1])
    qc.measure([0, 1], [0, 1])
    tests = [
        expr.logic_and(expr.equal(cr, 3), expr.logic_not(cr[0])),
        expr.logic_or(expr.less(cr, 1), expr.greater_equal(cr, 3)),
        expr.not_equal(expr.bit_and(cr, 2), 0),
        expr.equal(expr.bit_xor(cr, expr.bit_not(cr)), 7),
        expr.greater(expr.bit_or(cr, 1), 2),
        expr.not_equal(cr, 2),
    ]
    for condition in tests:
        with qc.if_test(condition) as else_:
            qc.x(2)
        with else_:
            qc.h(2)
    qc.measure(2, 2)
    return qc


def _switches():
    cr = ClassicalRegister(2, "c")
    qc = QuantumCircuit(QuantumRegister(3), cr)
    qc.h([0, 1])
    qc.measure([0, 1], [0, 1])
    with qc.switch(cr) as case:
        with case(0):
            qc.x(2)
        with case(1, 3):
            qc.h(2)
        with case(case.DEFAULT):
            qc.z(2)
    with qc.switch(cr[0]) as case:
        with case(True):
            qc.x(0)
    qc.measure([0, 1], [0, 1])
    return qc


@pytest.mark.parametrize("build", [_conditions, _switches], ids=["conditions", "switches"])
def test_parsed_circuit_runs_as_the_original(build):
    qc = build()
    text = export_circuit(qc).qasm
    parsed = parse(text, use_cache=False)
    assert [inst.name for inst in parsed.data] == [inst.name for inst in qc.data]
    assert _aer_counts(parsed) == _aer_counts(qc)


def test_shifts_and_expression_switch_targets_parse_as_qiskit_wrote_them():
    # Aer cannot run these (unknown op / jump condition), but the text reads back exactly.
    cr = ClassicalRegister(3, "c")
    qc = QuantumCircuit(QuantumRegister(1), cr)
    with qc.if_test(expr.less_equal(expr.shift_right(cr, 1), expr.shift_left(cr, 2))):
        qc.x(0)
    with qc.switch(expr.bit_and(cr, 1)) as case:
        with case(1):
            qc.x(0)
    parsed = parse(export_circuit(qc).qasm, use_cache=False)
    assert parsed.data[0].operation.condition == qc.data[0].operation.condition
    assert parsed.data[1].operation.target == qc.data[1].operation.target


def _switch_text(between=""):
    return (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nint switch_dummy;\nqubit[2] q;\n'
        f"c[0] = measure q[0];\nswitch_dummy = c;\n{between}"
        "switch (switch_dummy) {\n  case 0 {\n    x q[1];\n  }\n}\n"
    )


def test_a_switch_target_must_be_assigned_just_before_the_switch():
    parse(_switch_text(), use_cache=False)
    with pytest.raises(QasmParseError, match="assigned just before the switch"):
        parse(_switch_text("c[1] = measure q[1];\n"), use_cache=False)
    with pytest.raises(QasmParseError, match="assigned just before the switch"):
        parse(_switch_text().replace("switch_dummy = c;\n", ""), use_cache=False)


def test_other_classical_assignments_and_variables_are_still_refused():
    text = _switch_text().replace("switch_dummy = c;", "c = 3;")
    with pytest.raises(QasmParseError, match="classical assignments are not supported"):
        parse(text, use_cache=False)
    qc = QuantumCircuit(1, 1)
    flag = qc.add_var("flag", expr.lift(True))
    with qc.if_test(flag):
        qc.x(0)
    with pytest.raises(QasmParseError, match="'bool' are not supported"):
        parse(qasm3.dumps(qc), use_cache=False)
    bad = _switch_text().replace("switch (switch_dummy)", "switch (q)")
    with pytest.raises(QasmParseError):
        parse(bad, use_cache=False)


def test_hand_written_switches_on_registers_and_expressions():
    head = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[1] q;\n'
    body = " {\n  case 1 {\n    x q[0];\n  }\n}\n"
    on_register = parse(head + "switch (c)" + body, use_cache=False)
    assert on_register.data[0].operation.name == "switch_case"
    on_expression = parse(head + "switch (c & 1)" + body, use_cache=False)
    assert on_expression.data[0].operation.target.type.width == 2
    with pytest.raises(QasmParseError):
        parse(head + "if (c & 1) {\n  x q[0];\n}\n", use_cache=False)  # not a bool
