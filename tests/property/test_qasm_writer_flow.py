"""The writer's control flow: for random dynamic circuits it writes, byte for byte, the text the
general path (``qasm3.dumps`` after ``export_circuit``'s preparation) writes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Parameter
from qiskit.transpiler import CouplingMap

from qiskit_rest_provider.codec.circuits import _general_text, _parameter_names, export_circuit
from qiskit_rest_provider.codec.qasm_writer import write_flat_qasm

_THETA = Parameter("theta")
_PHI = Parameter("phi")
_N = 3


def _condition(draw, qc: QuantumCircuit):
    if draw(st.booleans()):
        return (qc.clbits[draw(st.integers(0, qc.num_clbits - 1))], draw(st.booleans()))
    creg = draw(st.sampled_from(qc.cregs))
    return (creg, draw(st.integers(0, 2**creg.size - 1)))


def _fill(draw, qc: QuantumCircuit, depth: int) -> None:
    """Append 1-4 random statements to ``qc`` (inside whatever block the builder has open)."""
    kinds = ["gate", "gate", "angle", "measure", "reset", "barrier", "delay"]
    if depth < 2:
        kinds += ["if", "if_else", "box", "for", "while"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        qubits = draw(st.permutations(range(_N)))
        if kind == "gate":
            name = draw(st.sampled_from(["x", "sx", "h", "cx", "ecr", "cz", "rzz"]))
            if name == "rzz":
                qc.rzz(draw(st.floats(-4, 4, allow_nan=False)), qubits[0], qubits[1])
            elif name in ("cx", "ecr", "cz"):
                getattr(qc, name)(qubits[0], qubits[1])
            else:
                getattr(qc, name)(qubits[0])
        elif kind == "angle":
            angle = draw(st.sampled_from([_THETA, 2 * _PHI - 0.5, 0.1, 1e-12, -3.141592653589793]))
            qc.rz(angle, qubits[0])
        elif kind == "measure":
            qc.measure(qubits[0], draw(st.integers(0, qc.num_clbits - 1)))
        elif kind == "reset":
            qc.reset(qubits[0])
        elif kind == "barrier":
            qc.barrier(*qubits[: draw(st.integers(1, _N))])
        elif kind == "delay":
            qc.delay(draw(st.integers(0, 200)), qubits[0], unit=draw(st.sampled_from(["dt", "ns"])))
        elif kind in ("if", "if_else"):
            with qc.if_test(_condition(draw, qc)) as else_:
                _fill(draw, qc, depth + 1)
            if kind == "if_else":
                with else_:
                    _fill(draw, qc, depth + 1)
        elif kind == "box":
            duration = draw(st.sampled_from([None, 100, 2.5]))
            if duration is None:
                with qc.box():
                    _fill(draw, qc, depth + 1)
            else:
                with qc.box(duration=duration, unit="dt" if duration == 100 else "us"):
                    _fill(draw, qc, depth + 1)
        elif kind == "for":
            start, stop = draw(st.integers(-2, 3)), draw(st.integers(-3, 6))
            step = draw(st.sampled_from([1, 2, -1]))
            indexset = draw(st.sampled_from([range(start, stop, step), (0, 2, 1)]))
            with qc.for_loop(indexset):
                _fill(draw, qc, depth + 1)
        else:
            with qc.while_loop(_condition(draw, qc)):
                _fill(draw, qc, depth + 1)


@st.composite
def dynamic_circuits(draw):
    registers = [ClassicalRegister(draw(st.integers(1, 2)), "c")]
    if draw(st.booleans()):
        registers.append(ClassicalRegister(draw(st.integers(1, 2)), "m"))
    qc = QuantumCircuit(QuantumRegister(_N, "q"), *registers)
    _fill(draw, qc, 0)
    return qc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dynamic_circuits())
def test_random_dynamic_circuits_same_text_as_the_general_path(qc):
    text = write_flat_qasm(qc, _parameter_names(qc))
    assert text is not None
    assert text == _general_text(qc)[0]
    assert export_circuit(qc).qasm.split("\n", 2)[2] == text.split("\n", 1)[1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dynamic_circuits(), st.integers(0, 1000), st.sampled_from(["ecr", "cz"]))
def test_transpiled_dynamic_isa_circuits(qc, seed, two_qubit):
    isa = transpile(
        qc,
        basis_gates=[two_qubit, "rz", "sx", "x"],
        coupling_map=CouplingMap.from_line(5),
        optimization_level=1,
        seed_transpiler=seed,
        dt=1e-9,  # delays in dt and in SI units in one circuit
    )
    text = write_flat_qasm(isa, _parameter_names(isa))
    assert text is not None
    assert text == _general_text(isa)[0]
    assert "qubit[5] q;\n" in text  # full width, physical qubits
