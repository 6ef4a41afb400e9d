"""Engine QASM layer: screening, the Rust fast path's rewrites, and equivalence with loads()."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3, transpile
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import CU3Gate
from qiskit.quantum_info import Operator
from qiskit.transpiler import CouplingMap

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.engine.fastpath import rewrite_for_rust
from qiskit_rest_provider.emulator.engine.qasm import (
    QasmParseError,
    QasmRejected,
    clear_cache,
    parse,
    screen,
)

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def _assert_same(text: str, values=None) -> None:
    ours, ref = parse(text, use_cache=False), qasm3.loads(text)
    assert ours.num_qubits == ref.num_qubits and ours.num_clbits == ref.num_clbits
    names = sorted(p.name for p in ref.parameters)
    assert sorted(p.name for p in ours.parameters) == names
    if names:
        values = dict(
            zip(names, values if values is not None else np.linspace(0.3, 2.1, len(names)))
        )
        ours = ours.assign_parameters({p: values[p.name] for p in ours.parameters})
        ref = ref.assign_parameters({p: values[p.name] for p in ref.parameters})
    strip = lambda c: c.remove_final_measurements(inplace=False)  # noqa: E731
    assert Operator(strip(ours)).equiv(Operator(strip(ref)))


def _rich_circuit() -> QuantumCircuit:
    x = ParameterVector("x", 12)
    qc = QuantumCircuit(3, 3)
    for i in range(12):
        qc.rx(x[i], i % 3)
    qc.ry(Parameter("θ"), 0)
    qc.ecr(0, 1)
    qc.rzz(0.25, 1, 2)
    qc.sxdg(2)
    qc.rz(np.pi / 2 + 1e-10, 0)
    qc.cp(1.0, 0, 2)
    qc.measure([0, 1, 2], [0, 1, 2])
    return qc


@pytest.mark.parametrize("writer", ["export_circuit", "dumps"])
def test_fast_path_takes_exported_text_and_matches_loads(writer, capfd):
    qc = _rich_circuit()
    text = export_circuit(qc).qasm if writer == "export_circuit" else qasm3.dumps(qc)
    assert rewrite_for_rust(text) is not None
    _assert_same(text)
    assert capfd.readouterr() == ("", "")  # the Rust parser printed nothing


def test_physical_qubits_pi_expressions_and_one_line_text():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.rz(0.3, 1)
    qc.measure([0, 1], [0, 1])
    isa = transpile(
        qc,
        coupling_map=CouplingMap.from_line(5),
        basis_gates=["rz", "sx", "cz", "x"],
        initial_layout=[3, 1],
        seed_transpiler=1,
    )
    text = qasm3.dumps(isa)
    assert "$3" in text and "pi" in text
    assert rewrite_for_rust(text) is not None
    _assert_same(text)
    one_line = " ".join(text.split("\n"))
    assert rewrite_for_rust(one_line) is not None
    _assert_same(one_line)


@pytest.mark.parametrize(
    "body",
    [
        "qubit[1] q;\nbit[1] c;\nc[0] = measure q[0];\nif (c[0]) { x q[0]; }\n",  # control flow
        "qubit[1] q;\nreset q[0];\nx q[0];\n",  # reset
        "gate mine a { h a; s a; }\nqubit[1] q;\nmine q[0];\n",  # a custom gate
        "gate ecr a, b { cx a, b; }\nqubit[2] q;\necr q[0], q[1];\n",  # 'ecr' that is not ECR
        "qubit[1] q;\nrz(1/2) q[0];\n",  # int/int division
        "qubit[1] q;\nrz(1e300) q[0];\n",  # looks like a parameter sentinel
        "qubit[1] q;\n/* comment */ h q[0];\n",  # block comment
    ],
)
def test_text_the_rust_parser_cannot_take_falls_back_to_loads(body):
    text = HEAD + body
    assert rewrite_for_rust(text) is None
    circuit = parse(text, use_cache=False)
    assert circuit.num_qubits == qasm3.loads(text).num_qubits


def test_u_gphase_and_definitions_written_with_constants_take_the_fast_path():
    qc = QuantumCircuit(2, global_phase=0.3)
    qc.u(0.1, 0.2, 0.3, 0)
    qc.r(0.4, 0.5, 1)
    qc.append(CU3Gate(0.1, 0.2, 0.3), [0, 1])
    for text in (qasm3.dumps(qc), export_circuit(qc).qasm):
        assert rewrite_for_rust(text) is not None
        _assert_same(text)
    text = HEAD + "qubit[1] q;\ngphase(pi/4);\nU(0.1, 0.2, 0.3) q[0];\n"
    assert rewrite_for_rust(text) is not None
    assert parse(text, use_cache=False).global_phase == pytest.approx(np.pi / 4)
    assert Operator(parse(text, use_cache=False)).equiv(Operator(qasm3.loads(text)))


def test_parameter_expressions_take_the_fast_path():
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.rzz(2 * a - b / 3, 0, 1)
    qc.rx(-a, 0)
    qc.ry(0.5 / (b + 1), 1)
    qc.rz(a, 1)
    text = export_circuit(qc).qasm
    assert rewrite_for_rust(text) is not None
    _assert_same(text, [0.7, -1.1])
    circuit = parse(text, use_cache=False)
    assert len(circuit.parameters) == 2  # one Parameter per input, shared by its expressions


def test_redefined_standard_gate_keeps_its_own_definition():
    text = HEAD + "gate ecr a, b { cx a, b; }\nqubit[2] q;\nx q[0];\necr q[0], q[1];\n"
    circuit = parse(text, use_cache=False)
    from qiskit.quantum_info import Statevector

    assert Statevector(circuit).probabilities_dict() == pytest.approx({"11": 1.0})


def test_parameters_keep_their_names_and_sentinels_never_leak():
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.rx(a, 0)
    qc.ry(b, 1)
    qc.rz(a, 1)
    circuit = parse(qasm3.dumps(qc), use_cache=False)
    assert sorted(p.name for p in circuit.parameters) == ["a", "b"]
    params = [v for inst in circuit.data for v in inst.operation.params]
    assert not any(isinstance(v, float) and abs(v) > 1e299 for v in params)
    _assert_same(qasm3.dumps(qc), [0.4, 1.3])


@pytest.mark.parametrize(
    "text",
    [
        'OPENQASM 3.0;\ninclude "/etc/passwd";\n',
        'OPENQASM 3.0; include "stdgates.inc"; include "x.inc";',
        'OPENQASM 3.0;\ninclude "stdgates.inc" // fine\ninclude "y.inc";\n',
        'OPENQASM 3.0;\nqubit q; /* */ include "stdgates.inc";\n',
        'OPENQASM 3.0;\ninclude\n"stdgates.inc";\n',
        'OPENQASM 3.0;\ninclude "a//"; include "evil.inc";\n',
        'OPENQASM 3.0;\ninclude "stdgates.inc.bak";\n',
        HEAD + "bit[2147483648] c;\n",
        HEAD + "qubit[5000] q;\n",
        HEAD + "qubit[n] q;\n",
        HEAD + "creg c[100000];\n",
        HEAD + "array[int[32], 99999999999] a;\n",
    ],
)
def test_screen_refuses(text):
    with pytest.raises(QasmRejected):
        screen(text)
    with pytest.raises(QasmRejected):
        parse(text)


def test_screen_accepts_comments_mentioning_include():
    text = HEAD + '// include "evil.inc" is only a comment\nqubit q;\nh q;\n'
    screen(text)
    assert parse(text).num_qubits == 1


def test_parse_errors_carry_the_parser_message_and_the_cache_shares_circuits():
    with pytest.raises(QasmParseError, match="OpenQASM 3 parse error"):
        parse(HEAD + "qubit[1] q;\nnot_a_gate q[0];\n", use_cache=False)
    clear_cache()
    text = HEAD + "qubit[1] q;\nh q[0];\n"
    assert parse(text) is parse(text)


@pytest.mark.parametrize("seed", range(12))
def test_random_circuits_parse_like_loads(seed):
    from qiskit.circuit.random import random_circuit

    qc = random_circuit(4, 6, max_operands=3, seed=seed)
    params = [Parameter(f"t{k}") for k in range(2)]
    qc.rz(params[0] * 2 - params[1], seed % 4)
    qc.ry(params[1] / 3 + 0.25, (seed + 1) % 4)
    for text in (export_circuit(qc).qasm, qasm3.dumps(qc)):
        assert rewrite_for_rust(text) is not None  # the differential test covers the fast path
        _assert_same(text, [0.3 + seed / 10, -0.8])


@pytest.mark.parametrize(
    ("body", "gate"),
    [
        ("qubit q;\n" + "x q;\n" * 20_000, "x"),  # no include: x is undefined
        ('include "stdgates.inc";\nqubit q;\n' + "foo q;\n" * 20_000, "foo"),
        ('include "stdgates.inc";\nqubit[2] q;\necr q[0], q[1];\n', "ecr"),  # not in stdgates
    ],
)
def test_undefined_gates_fail_without_the_slow_parser(body, gate, monkeypatch):
    def no_slow_parser(text):
        raise AssertionError("qasm3.loads must not run (it needs minutes for this)")

    monkeypatch.setattr(qasm3, "loads", no_slow_parser)
    with pytest.raises(QasmParseError, match=f"gate '{gate}' is not defined"):
        parse("OPENQASM 3.0;\n" + body, use_cache=False)


def test_keywords_and_defined_gates_are_not_undefined():
    text = HEAD + "gate mine a { h a; }\nqubit q;\nbit c;\nmine q;\nreset q;\nc = measure q;\n"
    assert parse(text, use_cache=False).num_qubits == 1
