"""Gates Aer does not know by name (parsed custom gates) are replaced by their definitions."""

from qiskit import QuantumCircuit
from qiskit.circuit.library import XXPlusYYGate
from qiskit.quantum_info import Operator

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.engine.aer_ready import aer_ready
from qiskit_rest_provider.emulator.engine.qasm import parse


def _parsed_with_custom_gate_in_a_branch():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.append(XXPlusYYGate(0.7, 0.2), [0, 1])
    qc.append(XXPlusYYGate(1.1, 0.4), [1, 0])
    return parse(export_circuit(qc).qasm, use_cache=False)


def test_known_gates_are_left_alone():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.rzz(0.3, 0, 1)
    with qc.if_test((qc.clbits[0], 1)):
        qc.ecr(0, 1)
    assert aer_ready(qc) is qc


def test_unknown_gates_are_inlined_also_in_control_flow():
    parsed = _parsed_with_custom_gate_in_a_branch()
    assert parsed.data[-1].operation.name == "xx_plus_yy"  # a custom gate, unknown to Aer
    ready = aer_ready(parsed)
    names = [inst.name for inst in ready.data]
    branch = [inst.name for inst in ready.data[2].operation.blocks[0].data]
    assert "xx_plus_yy" not in names and "xx_plus_yy" not in branch
    tail = QuantumCircuit(2)
    for inst in ready.data[3:]:
        tail.append(inst.operation, [ready.find_bit(q).index for q in inst.qubits])
    expected = QuantumCircuit(2)
    expected.append(XXPlusYYGate(1.1, 0.4), [1, 0])
    assert Operator(tail).equiv(Operator(expected))


def test_aer_runs_the_result():
    from qiskit_aer import AerSimulator

    job = AerSimulator().run(aer_ready(_parsed_with_custom_gate_in_a_branch()), shots=50)
    counts = job.result().get_counts()
    assert sum(counts.values()) == 50 and set(counts) <= {"0", "1"}


def test_an_unknown_gate_in_the_else_branch_only_is_inlined():
    qc = QuantumCircuit(2, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.append(XXPlusYYGate(0.3, 0.1), [0, 1])
    parsed = parse(export_circuit(qc).qasm, use_cache=False)
    ready = aer_ready(parsed)
    assert ready is not parsed
    else_block = ready.data[-1].operation.blocks[1]
    assert "xx_plus_yy" not in [inst.name for inst in else_block.data]
