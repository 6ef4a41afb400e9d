"""The fast OpenQASM 3 writer (``codec/qasm_writer.py``): exact text for what it covers, and
``None`` (the general path) for each thing it does not."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3
from qiskit.circuit import Barrier, Clbit, Gate, Parameter, Qubit
from qiskit.circuit.classical import expr

from qiskit_rest_provider.codec.qasm_writer import write_flat_qasm

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def test_exact_text_of_every_covered_statement():
    qc = QuantumCircuit(
        QuantumRegister(3, "q"), ClassicalRegister(1, "c"), ClassicalRegister(2, "m")
    )
    qc.h(0)
    qc.cx(0, 1)
    qc.ccx(0, 1, 2)
    qc.rz(np.float64(0.1), 2)
    qc.r(0.25, -1.5, 0)
    qc.ecr(0, 1)
    qc.rzz(-0.5, 1, 2)
    qc.ecr(1, 2)
    qc.barrier()
    qc.barrier(1)
    qc.reset(2)
    qc.delay(100, 0)
    qc.delay(2.5, 1, unit="us")
    qc.measure(2, 0)
    qc.measure(0, 2)
    text = write_flat_qasm(qc, {})
    assert text == qasm3.dumps(qc, disable_constants=True)
    assert text.startswith(HEAD + "gate r(p0, p1) _gate_q_0 {\n")
    assert text.index("gate r(") < text.index("gate ecr") < text.index("gate rzz(p0)")
    assert text.endswith(
        "}\nbit[1] c;\nbit[2] m;\nqubit[3] q;\nh q[0];\ncx q[0], q[1];\nccx q[0], q[1], q[2];\n"
        "rz(0.1) q[2];\nr(0.25, -1.5) q[0];\necr q[0], q[1];\nrzz(-0.5) q[1], q[2];\n"
        "ecr q[1], q[2];\n"
        "barrier q[0], q[1], q[2];\nbarrier q[1];\nreset q[2];\ndelay[100dt] q[0];\n"
        "delay[2.5us] q[1];\nc[0] = measure q[2];\nm[1] = measure q[0];\n"
    )
    assert text.count("gate ecr") == 1


def test_parameters_and_expressions():
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.rx(a, 0)
    qc.ry(2 * a + b, 1)
    qc.rz(2 * a + b, 0)
    qc.cp(0.25, 0, 1)
    qc.crx(b, 1, 0)
    qc.rx(1e-12, 1)
    text = write_flat_qasm(qc, {a: "p0", b: "p1"})
    renamed = qc.assign_parameters({a: Parameter("p0"), b: Parameter("p1")})
    assert text == qasm3.dumps(renamed, disable_constants=True)
    lines = text.split("\n")
    assert lines[:6] == [
        "OPENQASM 3.0;",
        'include "stdgates.inc";',
        "input float[64] p0;",
        "input float[64] p1;",
        "qubit[2] q;",
        "rx(p0) q[0];",
    ]
    assert lines[6].startswith("ry(") and lines[6].endswith(") q[1];")
    assert lines[7] == "rz(" + lines[6][3:-7] + ") q[0];"
    assert sorted(lines[6][3:-7].split(" + ")) == ["2*p0", "p1"]
    assert lines[8:] == ["cp(0.25) q[0], q[1];", "crx(p1) q[1], q[0];", "rx(1e-12) q[1];", ""]
    assert write_flat_qasm(qc, {a: "x1", b: "x0"}).split("qubit[2] q;\n")[0] == (
        HEAD + "input float[64] x1;\ninput float[64] x0;\n"
    )


def test_empty_register_circuit():
    assert write_flat_qasm(QuantumCircuit(QuantumRegister(1, "w")), {}) == HEAD + "qubit[1] w;\n"


def _loose_clbit():
    qc = QuantumCircuit(QuantumRegister(1, "q"), [Clbit()])
    return qc


def _two_qregs():
    return QuantumCircuit(QuantumRegister(1, "a"), QuantumRegister(1, "b"))


def _loose_qubit():
    qc = QuantumCircuit(QuantumRegister(1, "q"))
    qc.add_bits([Qubit()])
    return qc


def _overlap():
    c = ClassicalRegister(2, "c")
    qc = QuantumCircuit(QuantumRegister(1, "q"), c)
    qc.add_register(ClassicalRegister(bits=[c[1]], name="d"))
    return qc


def _named(qreg="q", creg="c"):
    return QuantumCircuit(QuantumRegister(1, qreg), ClassicalRegister(1, creg))


def _with(build):
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(1, "c"))
    build(qc)
    return qc


def _own_h(qc):
    qc.append(Gate("h", 1, []), [0])


def _parametrised_delay(qc):
    qc.delay(Parameter("t"), 0)


def _zero_qubit_barrier(qc):
    qc.append(Barrier(0), [])


def _conditional(qc):
    # (clbit, bool) and (register, int) tests are written (test_qasm_writer_flow.py);
    # expression conditions are not.
    with qc.if_test(expr.equal(qc.cregs[0], 1)):
        qc.x(0)


@pytest.mark.parametrize(
    ("why", "circuit"),
    [
        ("no quantum register", QuantumCircuit()),
        ("two quantum registers", _two_qregs()),
        ("a loose qubit", _loose_qubit()),
        ("a loose clbit", _loose_clbit()),
        ("overlapping registers", _overlap()),
        ("a reserved quantum register name", _named(qreg="if")),
        ("an underscore name", _named(qreg="_q")),
        ("not an identifier", _named(qreg="q-1")),
        ("a gate name as register", _named(creg="z")),
        ("a keyword as register", _named(creg="measure")),
        ("an underscore clbit name", _named(creg="_c")),
        ("both registers one name", _named(qreg="w", creg="w")),
        ("a gate name as quantum register", _named(qreg="rzz")),
        ("a user gate with a standard name", _with(_own_h)),
        ("a parametrised delay", _with(_parametrised_delay)),
        ("a delay in picoseconds", _with(lambda qc: qc.delay(5, 0, unit="ps"))),
        ("a barrier on no qubits", _with(_zero_qubit_barrier)),
        ("an expression condition", _with(_conditional)),
        ("a non-gate instruction", _with(lambda qc: qc.initialize([0, 1], 0))),
        ("a non-standard gate", _with(lambda qc: qc.unitary(np.eye(2), [0]))),
        ("a variable", _with(lambda qc: qc.add_var("v", True))),
    ],
)
def test_general_path(why, circuit):
    assert write_flat_qasm(circuit, {}) is None


def test_parameter_names_are_taken():
    a = Parameter("a")
    qc = QuantumCircuit(QuantumRegister(1, "q"), ClassicalRegister(1, "c"))
    qc.rx(a, 0)
    assert write_flat_qasm(qc, {a: "q"}) is None
    assert write_flat_qasm(qc, {a: "c"}) is None
    assert write_flat_qasm(qc, {a: "p0"}).startswith(HEAD + "input float[64] p0;\nbit[1] c;\n")


def test_register_facts_are_kept_by_register_and_never_stale():
    from qiskit_rest_provider.codec import qasm_writer

    # Registers of loose bits: equal names and sizes, different bits, so different entries.
    first = QuantumCircuit(QuantumRegister(bits=[Qubit(), Qubit()], name="q"))
    second = QuantumCircuit(QuantumRegister(bits=[Qubit(), Qubit()], name="q"))
    for qc in (first, second):
        qc.cx(1, 0)
        assert write_flat_qasm(qc, {}) == HEAD + "qubit[2] q;\ncx q[1], q[0];\n"
    # Equal owned registers in another circuit: the same entry serves it.
    before = qasm_writer._registers.cache_info().hits
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(1, "c"))
    qc.measure(1, 0)
    other = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(1, "c"))
    other.measure(0, 0)
    assert write_flat_qasm(qc, {}) == HEAD + "bit[1] c;\nqubit[2] q;\nc[0] = measure q[1];\n"
    assert write_flat_qasm(other, {}) == HEAD + "bit[1] c;\nqubit[2] q;\nc[0] = measure q[0];\n"
    assert qasm_writer._registers.cache_info().hits >= before + 1
    # Registers added after a run are seen by the next one (the key is the registers).
    qc.add_register(ClassicalRegister(1, "m"))
    qc.measure(0, 1)
    assert write_flat_qasm(qc, {}) == (
        HEAD + "bit[1] c;\nbit[1] m;\nqubit[2] q;\nc[0] = measure q[1];\nm[0] = measure q[0];\n"
    )
    qc.add_register(ClassicalRegister(1, "if"))  # a name the exporter renames
    assert write_flat_qasm(qc, {}) is None
    # A register that shares bits with another, after the plain one was seen.
    plain = QuantumCircuit(QuantumRegister(1, "q"), ClassicalRegister(2, "c"))
    assert write_flat_qasm(plain, {}) is not None
    plain.add_register(ClassicalRegister(name="d", bits=[plain.clbits[0]]))
    assert write_flat_qasm(plain, {}) is None
    # A loose qubit next to the register: same registers, other qubits.
    loose = QuantumCircuit(QuantumRegister(2, "q"))
    loose.add_bits([Qubit()])
    assert write_flat_qasm(loose, {}) is None
    # The register's bits in another order than the circuit's: the order is checked each time.
    a, b = Qubit(), Qubit()
    register = QuantumRegister(bits=[b, a], name="w")
    in_order = QuantumCircuit([b, a])
    in_order.add_register(register)
    assert write_flat_qasm(in_order, {}) == HEAD + "qubit[2] w;\n"
    swapped = QuantumCircuit([a, b])
    swapped.add_register(register)
    assert write_flat_qasm(swapped, {}) is None
