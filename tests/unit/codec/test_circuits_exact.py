"""QASM export (``codec/circuits.py``) to the character: header, register specs, parameter
names, metadata limits and every refusal."""

from __future__ import annotations

import json

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Instruction, Parameter, ParameterVector
from qiskit.providers.fake_provider import GenericBackendV2

from qiskit_rest_provider.codec.circuits import (
    HEADER_PREFIX,
    CircuitExport,
    CregSpec,
    _header,
    _parameter_names,
    creg_specs,
    declared_inputs,
    declared_registers,
    export_circuit,
    read_header,
)
from qiskit_rest_provider.exceptions import EncodeError

HEAD = 'OPENQASM 3.0;\n// qiskit_rest_provider: {"cregs":["c"]}\ninclude "stdgates.inc";\n'


def bell(name: str = "c") -> QuantumCircuit:
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, name), name="bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


# ---------------------------------------------------------------------------- creg_specs


def test_creg_specs_in_declaration_order():
    assert creg_specs(["a", "b"], [("a", 2), ("b_1", 3)]) == (
        CregSpec("a", "a", 2),
        CregSpec("b", "b_1", 3),
    )
    # Fewer names than declared registers: the extra (filler) registers are not the user's.
    assert creg_specs(["a"], [("a", 2), ("qrp_bits", 1)]) == (CregSpec("a", "a", 2),)
    assert creg_specs([], []) == ()


def test_creg_specs_through_a_map():
    declared = [("w0", 2), ("w1", 3)]
    assert creg_specs(["a", "b"], declared, [1, 0]) == (
        CregSpec("a", "w1", 3),
        CregSpec("b", "w0", 2),
    )
    assert creg_specs(["a", "b"], declared, [0, [[0, 1], [1, "2"], [1, 0]]]) == (
        CregSpec("a", "w0", 2),
        CregSpec("b", "", 3, (("w0", 1), ("w1", 2), ("w1", 0))),
    )
    assert creg_specs([], declared, []) == ()


@pytest.mark.parametrize(
    ("mapping", "why"),
    [
        ([0, 2], "list index out of range"),
        ([0, [[2, 0]]], "list index out of range"),
        ([0], "zip() argument 2 is shorter than argument 1"),
        ([0, 1, 1], "zip() argument 2 is longer than argument 1"),
        ([0, [["w0", 0]]], "list indices must be integers or slices, not str"),
        ([0, [[0, "x"]]], "invalid literal for int() with base 10: 'x'"),
        ([0, [[0]]], "not enough values to unpack (expected 2, got 1)"),
        ([0, None], "'NoneType' object is not iterable"),
    ],
)
def test_creg_specs_refuse_a_map_that_does_not_fit(mapping, why):
    with pytest.raises(EncodeError) as caught:
        creg_specs(["a", "b"], [("w0", 2), ("w1", 3)], mapping)
    assert str(caught.value) == f"The register map does not fit the declared registers: {why}"
    assert caught.value.__cause__ is not None


# ------------------------------------------------------------------- reading the text back


def test_declared_registers_and_inputs():
    text = (
        "OPENQASM 3.0;\ninput float[64] p0;\ninput angle a1;\ninput float b ;\n"
        "input angle[32] c;\ninput int[8] n;\n  input float d;\nbit[2] c;\n"
        "bit[10] long_name ;\n  bit[1] indented;\nbit[0] e;\nqubit[3] q;\n"
    )
    assert declared_inputs(text) == ["p0", "a1", "b", "c"]
    assert declared_registers(text) == [("c", 2), ("long_name", 10), ("e", 0)]
    assert declared_inputs("") == []
    assert declared_registers("") == []


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("OPENQASM 3.0;\nqubit[1] q;\n", {}),
        (f'OPENQASM 3.0;\n{HEADER_PREFIX}{{"cregs":["a"]}}\nqubit[1] q;\n', {"cregs": ["a"]}),
        (f'{HEADER_PREFIX}{{"cregs":[]}}\nqubit[1] q;\n', {"cregs": []}),
        (f'x\n{HEADER_PREFIX}{{"a":1}}', {"a": 1}),
        (f"x\n{HEADER_PREFIX}{{broken\n", {}),
        (f"x\n{HEADER_PREFIX}[1, 2]\n", {}),
        (f'x\n{HEADER_PREFIX}"s"', {}),
        ('x\n// qiskit_rest_provider:{"a":1}\n', {}),
    ],
)
def test_read_header(text, header):
    assert read_header(text) == header


def test_header_prefix():
    assert HEADER_PREFIX == "// qiskit_rest_provider: "


# --------------------------------------------------------------------------------- header


def test_header_exact():
    qc = QuantumCircuit(QuantumRegister(1), ClassicalRegister(1, "é"), ClassicalRegister(1, "b"))
    assert _header(qc, {}) == HEADER_PREFIX + '{"cregs":["\\u00e9","b"]}'
    assert _header(qc, {"keyed_by_name": True, "map": [0, 1]}) == (
        HEADER_PREFIX + '{"cregs":["\\u00e9","b"],"keyed_by_name":true,"map":[0,1]}'
    )
    qc.metadata = {"k": [1, "é"]}
    assert _header(qc, {}) == (
        HEADER_PREFIX + '{"cregs":["\\u00e9","b"],"metadata":{"k":[1,"\\u00e9"]}}'
    )


@pytest.mark.parametrize(
    "metadata", [{}, {"x": float("nan")}, {"x": float("inf")}, {"x": object()}, {"x": {1, 2}}]
)
def test_metadata_that_is_not_plain_json_stays_local(metadata):
    qc = QuantumCircuit(1, metadata=metadata)
    assert _header(qc, {}) == HEADER_PREFIX + '{"cregs":[]}'


def test_metadata_size_limit_counts_escaped_characters():
    # json.dumps({"k": s}) is len(s) + 9 characters (ASCII), each 'é' written as 6.
    fits = QuantumCircuit(1, metadata={"k": "x" * (65536 - 9)})
    assert read_header(_header(fits, {}))["metadata"] == {"k": "x" * 65527}
    too_big = QuantumCircuit(1, metadata={"k": "x" * (65536 - 8)})
    assert _header(too_big, {}) == HEADER_PREFIX + '{"cregs":[]}'
    escaped_fits = QuantumCircuit(1, metadata={"k": "é" * 10921})  # 65535 once escaped
    assert read_header(_header(escaped_fits, {}))["metadata"] == {"k": "é" * 10921}
    escaped_too_big = QuantumCircuit(1, metadata={"k": "é" * 10922})  # 11k raw, 65541 escaped
    assert _header(escaped_too_big, {}) == HEADER_PREFIX + '{"cregs":[]}'


# ---------------------------------------------------------------------- parameter names


@pytest.mark.parametrize(
    ("count", "first", "last"),
    [
        (1, "p0", "p0"),
        (10, "p0", "p9"),
        (11, "p00", "p10"),
        (100, "p00", "p99"),
        (101, "p000", "p100"),
    ],
)
def test_parameter_names_have_a_fixed_width(count, first, last):
    qc = QuantumCircuit(1)
    for p in ParameterVector("x", count):
        qc.rx(p, 0)
    names = _parameter_names(qc)
    assert list(names) == list(qc.parameters)
    values = list(names.values())
    assert (values[0], values[-1], len(values)) == (first, last, count)
    assert values == sorted(values)
    assert len({len(v) for v in values}) == 1


def test_no_parameters_no_names():
    assert _parameter_names(QuantumCircuit(1)) == {}


def test_parameters_renamed_on_both_paths():
    a, b = Parameter("b_first"), Parameter("a_second")
    flat = QuantumCircuit(1)
    flat.rx(a, 0)
    flat.rz(b, 0)
    export = export_circuit(flat)
    assert declared_inputs(export.qasm) == ["p0", "p1"]
    assert "rx(p1) q[0];\nrz(p0) q[0];" in export.qasm  # circuit.parameters is sorted by name
    assert export.num_parameters == 2
    general = flat.copy()
    general.add_register(ClassicalRegister(1, "z"))  # a name the exporter renames
    export = export_circuit(general)
    assert declared_inputs(export.qasm) == ["p0", "p1"]
    assert "rx(p1) q[0];\nrz(p0) q[0];" in export.qasm


# ---------------------------------------------------------------------------------- export


def test_flat_export_exact():
    export = export_circuit(bell())
    assert export == CircuitExport(
        qasm=HEAD + "bit[2] c;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n"
        "c[0] = measure q[0];\nc[1] = measure q[1];\n",
        cregs=(CregSpec("c", "c", 2),),
        num_qubits=2,
        num_parameters=0,
    )


def test_general_export_exact():
    export = export_circuit(bell("z"), header_extra={"keyed_by_name": True})
    assert export == CircuitExport(
        qasm='OPENQASM 3.0;\n// qiskit_rest_provider: {"cregs":["z"],"keyed_by_name":true}\n'
        'include "stdgates.inc";\nbit[2] z_0;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'
        "z_0[0] = measure q[0];\nz_0[1] = measure q[1];\n",
        cregs=(CregSpec("z", "z_0", 2),),
        num_qubits=2,
        num_parameters=0,
    )


def test_overlapping_registers_travel_with_a_map():
    c = ClassicalRegister(2, "c")
    qc = QuantumCircuit(QuantumRegister(2, "q"), c)
    qc.add_register(ClassicalRegister(bits=[c[1]], name="d"))
    qc.measure([0, 1], [0, 1])
    export = export_circuit(qc, header_extra={"keyed_by_name": True})
    assert export.qasm == (
        'OPENQASM 3.0;\n// qiskit_rest_provider: {"cregs":["c","d"],"keyed_by_name":true,'
        '"map":[0,[[0,1]]]}\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\n'
        "c[0] = measure q[0];\nc[1] = measure q[1];\n"
    )
    assert export.cregs == (CregSpec("c", "c", 2), CregSpec("d", "", 1, (("c", 1),)))


def test_header_extra_is_not_changed():
    extra = {"keyed_by_name": True}
    c = ClassicalRegister(2, "c")
    qc = QuantumCircuit(QuantumRegister(2, "q"), c)
    qc.add_register(ClassicalRegister(bits=[c[1]], name="d"))
    export_circuit(qc, header_extra=extra)
    assert extra == {"keyed_by_name": True}


def test_layout_dropped_on_the_general_path_without_touching_the_circuit():
    backend = GenericBackendV2(5, seed=1)
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, "z"))
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    isa = transpile(qc, backend, initial_layout=[3, 1], seed_transpiler=1)
    export = export_circuit(isa)
    assert "qubit[5] q;" in export.qasm
    assert "z_0[0] = measure q[3];\nz_0[1] = measure q[1];\n" in export.qasm
    assert export.num_qubits == 5
    assert isa.layout is not None


def test_hidden_parameters_refused():
    hidden = QuantumCircuit(1)
    hidden.rx(Parameter("hid"), 0)
    hidden.rz(Parameter("den"), 0)
    block = Instruction("blk", 1, 0, [])
    block.definition = hidden
    qc = QuantumCircuit(1, name="hiding")
    qc.append(block, [0])
    with pytest.raises(EncodeError) as caught:
        export_circuit(qc)
    assert str(caught.value) == (
        "Circuit 'hiding' holds instructions whose definitions use parameters ['den', 'hid'] "
        "that the circuit does not list. Assign them first (circuit.assign_parameters) or "
        "append the sub-circuit with its parameters."
    )


def test_hidden_parameters_named_up_to_five():
    hidden = QuantumCircuit(1)
    for name in "fedcba":
        hidden.rx(Parameter(name), 0)
    block = Instruction("blk", 1, 0, [])
    block.definition = hidden
    qc = QuantumCircuit(1, name="six")
    qc.append(block, [0])
    with pytest.raises(EncodeError) as caught:
        export_circuit(qc)
    assert "parameters ['a', 'b', 'c', 'd', 'e'] that" in str(caught.value)


def test_listed_parameters_in_definitions_are_renamed():
    theta = Parameter("theta")
    inner = QuantumCircuit(1)
    inner.rx(theta, 0)
    qc = QuantumCircuit(1)
    qc.append(inner.to_gate(label="g"), [0])
    export = export_circuit(qc)
    assert declared_inputs(export.qasm) == ["p0"]
    assert "theta" not in export.qasm


def test_exporter_failure_named(monkeypatch):
    from qiskit import qasm3

    def boom(circuit, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(qasm3, "dumps", boom)
    with pytest.raises(EncodeError) as caught:
        export_circuit(bell("z"))
    assert str(caught.value) == (
        "Circuit 'bell' cannot be written as OpenQASM 3: boom. "
        "Decompose or transpile unsupported instructions first."
    )
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_register_count_mismatch_refused(monkeypatch):
    from qiskit import qasm3

    real = qasm3.dumps
    monkeypatch.setattr(
        qasm3, "dumps", lambda circuit, **kw: real(circuit, **kw).replace("bit[2] z_0;\n", "")
    )
    with pytest.raises(EncodeError) as caught:
        export_circuit(bell("z"))
    assert str(caught.value) == (
        "Circuit 'bell' has 1 classical registers on the wire but the OpenQASM 3 text declares 0."
    )


def test_header_is_the_second_line_whatever_the_first():
    export = export_circuit(bell())
    lines = export.qasm.split("\n")
    assert lines[0] == "OPENQASM 3.0;"
    assert json.loads(lines[1][len(HEADER_PREFIX) :]) == {"cregs": ["c"]}
