"""The writer's control flow (``codec/qasm_blocks.py``): the exact text of each construct, the
general path for what it does not write, and one dynamic circuit run end to end."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Parameter
from qiskit.circuit.annotation import Annotation
from qiskit.circuit.classical import expr
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec import circuits
from qiskit_rest_provider.codec.circuits import _general_text, _parameter_names
from qiskit_rest_provider.codec.qasm_writer import write_flat_qasm

DECLS = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nbit[1] m;\nqubit[3] q;\n'


def _circuit() -> QuantumCircuit:
    return QuantumCircuit(
        QuantumRegister(3, "q"), ClassicalRegister(2, "c"), ClassicalRegister(1, "m")
    )


def _written(qc: QuantumCircuit) -> str:
    text = write_flat_qasm(qc, _parameter_names(qc))
    assert text is not None
    assert text == _general_text(qc)[0]
    return text


def test_if_on_a_clbit_true_and_false():
    qc = _circuit()
    with qc.if_test((qc.clbits[1], True)):
        qc.x(2)
    with qc.if_test((qc.clbits[2], 0)):
        qc.measure(0, 1)
    assert _written(qc) == DECLS + (
        "if (c[1]) {\n  x q[2];\n}\nif (!m[0]) {\n  c[1] = measure q[0];\n}\n"
    )


def test_if_else_on_registers_and_nesting():
    qc = _circuit()
    with qc.if_test((qc.cregs[0], 2)) as else_:
        qc.sx(1)
        with qc.if_test((qc.cregs[1], 0)):
            qc.reset(0)
    with else_:
        qc.ecr(1, 0)
        qc.barrier()
    with qc.if_test((qc.cregs[0], 3)) as else_:
        pass
    with else_:
        qc.delay(40, 1, unit="ns")
    text = _written(qc)
    assert text.startswith('OPENQASM 3.0;\ninclude "stdgates.inc";\ngate ecr ')
    assert text.split("qubit[3] q;\n", 1)[1] == (
        "if (c == 2) {\n  sx q[1];\n  if (m == 0) {\n    reset q[0];\n  }\n} else {\n"
        "  ecr q[1], q[0];\n  barrier q[0], q[1], q[2];\n}\n"
        "if (c == 3) {\n} else {\n  delay[40.0ns] q[1];\n}\n"
    )


def test_box_with_and_without_duration():
    qc = _circuit()
    with qc.box():
        qc.cz(0, 2)
    with qc.box(duration=160, unit="dt"):
        qc.delay(160, 1)
    with qc.box(duration=0.5, unit="us"):
        qc.x(0)
    assert _written(qc) == DECLS + (
        "box {\n  cz q[0], q[2];\n}\nbox[160dt] {\n  delay[160dt] q[1];\n}\n"
        "box[0.5us] {\n  x q[0];\n}\n"
    )


def test_for_loops_over_ranges_and_sets_and_while_loops():
    theta = Parameter("theta")
    qc = _circuit()
    with qc.for_loop(range(3)):
        qc.rz(theta, 0)
    with qc.for_loop(range(1, 8, 3)):
        with qc.while_loop((qc.clbits[0], False)):
            qc.h(1)
            qc.measure(1, 0)
    with qc.for_loop(range(4, -1, -2)):
        pass
    with qc.for_loop((5, 0, 2)):
        qc.x(2)
    with qc.while_loop((qc.cregs[0], 1)):
        qc.measure(2, 0)
    with qc.for_loop(()):
        qc.x(1)
    with qc.if_test((qc.clbits[1], 1)):  # any true value reads as the bit set
        qc.x(1)
    assert _written(qc) == (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] p0;\n'
        "bit[2] c;\nbit[1] m;\nqubit[3] q;\n"
        "for int _ in [0:2] {\n  rz(p0) q[0];\n}\n"
        "for int _ in [1:3:7] {\n  while (!c[0]) {\n    h q[1];\n    c[0] = measure q[1];\n"
        "  }\n}\n"
        "for int _ in [4:-2:0] {\n}\n"  # 4, 2, 0: an OpenQASM range includes its end
        "for int _ in {5, 0, 2} {\n  x q[2];\n}\n"
        "while (c == 1) {\n  c[0] = measure q[2];\n}\n"
        "for int _ in {} {\n  x q[1];\n}\n"
        "if (c[1]) {\n  x q[1];\n}\n"
    )


def test_a_block_names_its_bits_through_the_instruction():
    # A block built by hand on its own bits: bit k of the body is bit k of the instruction.
    body = QuantumCircuit(2, 1)
    body.cx(0, 1)
    body.measure(1, 0)
    qc = _circuit()
    qc.if_else((qc.clbits[2], True), body, None, [2, 0], [1])
    assert _written(qc) == DECLS + "if (m[0]) {\n  cx q[2], q[0];\n  c[1] = measure q[0];\n}\n"


def test_a_transpiled_dynamic_isa_circuit():
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, "c"))
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], True)):
        qc.x(1)
    qc.measure(1, 1)
    isa = transpile(
        qc, basis_gates=["ecr", "rz", "sx", "x"], initial_layout=[3, 1], seed_transpiler=1
    )
    assert isa.layout is not None
    text = write_flat_qasm(isa, {})
    assert text is not None and text == _general_text(isa)[0]
    assert "qubit[4] q;\n" in text and "if (c[0]) {\n  x q[1];\n}\n" in text


class _Mark(Annotation):
    namespace = "mark"


def _unsupported():
    cases = {}
    qc = _circuit()
    with qc.if_test(expr.equal(qc.cregs[0], 1)):
        qc.x(0)
    cases["expression condition"] = qc
    qc = _circuit()
    with qc.while_loop(expr.logic_not(qc.clbits[0])):
        qc.x(0)
    cases["expression while"] = qc
    qc = _circuit()
    with qc.if_test((qc.cregs[1], 2)):  # wider than the register: the exporter casts
        qc.x(0)
    cases["value wider than the register"] = qc
    qc = _circuit()
    with qc.if_test((qc.cregs[0], True)):  # the exporter writes c == 1
        qc.x(0)
    cases["a bool compared with a register"] = qc
    qc = _circuit()
    with qc.for_loop((True, np.int64(2))):  # the exporter writes {1, 2}
        qc.x(0)
    cases["loop values that are not ints"] = qc
    qc = _circuit()
    with qc.switch(qc.cregs[0]) as case:
        with case(0):
            qc.x(0)
    cases["switch"] = qc
    qc = _circuit()
    with qc.for_loop(range(2)) as i:
        qc.rx(i, 0)
    cases["loop parameter used"] = qc
    qc = _circuit()
    with qc.for_loop(range(2)):
        qc.break_loop()
    cases["break"] = qc
    qc = _circuit()
    with qc.box(duration=5, unit="ps"):
        qc.x(0)
    cases["box in picoseconds"] = qc
    qc = _circuit()
    with qc.if_test((qc.clbits[0], True)):
        qc.initialize([0, 1], 0)
    cases["unsupported statement in a body"] = qc
    qc = _circuit()
    with qc.box():
        with qc.if_test((qc.clbits[0], True)):
            qc.u(0.1, 0.2, 0.3, 0)
    cases["unsupported statement nested"] = qc
    qc = _circuit()
    with qc.if_test((qc.clbits[0], True)):
        qc.add_var("v", True)
    cases["variable in a body"] = qc
    qc = _circuit()
    with qc.box():
        qc.add_stretch("s")  # declared in the body, used by no instruction
        qc.x(0)
    cases["stretch declared in a box"] = qc
    qc = _circuit()
    with qc.box([_Mark()]):
        qc.x(0)
    cases["annotated box"] = qc
    inner = QuantumCircuit(QuantumRegister(1, "a"), ClassicalRegister(2, "d"))
    with inner.if_test((inner.cregs[0], 1)):
        inner.x(0)
    qc = _circuit()
    qc.if_else((qc.clbits[0], True), inner, None, [1], [0, 1])
    cases["a body's own register, not declared by the circuit"] = qc
    return cases


@pytest.mark.parametrize(("why", "circuit"), list(_unsupported().items()))
def test_the_rest_takes_the_general_path(why, circuit):
    assert write_flat_qasm(circuit, _parameter_names(circuit)) is None, why


def test_sampler_counts_equal_with_the_writer_and_the_general_path(rest_backend, monkeypatch):
    from qiskit_rest_provider import SamplerV2

    qc = QuantumCircuit(
        QuantumRegister(2, "q"), ClassicalRegister(1, "c"), ClassicalRegister(1, "m")
    )
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], True)) as else_:
        qc.x(1)
    with else_:
        qc.h(1)
    qc.measure(1, 1)
    sampler = SamplerV2(mode=rest_backend)
    sampler.options.simulator.seed_simulator = 17
    written = sampler.run([qc], shots=400).result()[0].data
    refused = []
    monkeypatch.setattr(circuits, "write_flat_qasm", lambda circuit, names: refused.append(1))
    general = sampler.run([qc], shots=400).result()[0].data
    assert refused  # the second job's text came from the general path
    assert written.c.get_counts() == general.c.get_counts()
    assert written.m.get_bitstrings() == general.m.get_bitstrings()
    # Strings read (m, c): c = 1 sets m = 1 every time, c = 0 leaves m random.
    joined = BitArray.concatenate_bits([written.c, written.m]).get_counts()
    assert "01" not in joined and set(joined) <= {"00", "10", "11"} and len(joined) == 3
