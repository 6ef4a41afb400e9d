"""Unrolling before export (``codec/unroll.py``): what is replaced, what is kept, and the exact
refusals at the nesting limit and for instructions without a definition."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Instruction

from qiskit_rest_provider.codec.unroll import needs_unroll, unroll
from qiskit_rest_provider.exceptions import EncodeError


def _nested(levels: int) -> QuantumCircuit:
    inner = QuantumCircuit(1, name="level0")
    inner.rx(0.25, 0)
    for level in range(1, levels):
        outer = QuantumCircuit(1, name=f"level{level}")
        outer.append(inner.to_instruction(), [0])
        inner = outer
    return inner


def test_nesting_limit_exact():
    out = unroll(_nested(65))  # the innermost definition sits at depth 64: the limit
    assert [inst.name for inst in out.data] == ["rx"]
    assert out.data[0].operation.params == [0.25]
    with pytest.raises(EncodeError) as caught:
        unroll(_nested(66))
    assert str(caught.value) == (
        "Circuit 'level0' nests instruction definitions more than 64 deep. "
        "Decompose it first (circuit.decompose(reps=...))."
    )


def test_no_definition_refusal_exact():
    qc = QuantumCircuit(1, name="mine")
    qc.h(0)
    qc.append(Instruction("opaque_thing", 1, 0, []), [0])
    assert needs_unroll(qc) is True
    with pytest.raises(EncodeError) as caught:
        unroll(qc)
    assert str(caught.value) == (
        "Instruction 'opaque_thing' in circuit 'mine' has no definition and no OpenQASM 3 "
        "form. Transpile the circuit for the backend first "
        "(generate_preset_pass_manager(backend=backend).run(circuit))."
    )


def _gate(params, num_qubits=1):
    definition = QuantumCircuit(num_qubits, name="def")
    if num_qubits:
        definition.x(0)
    else:
        definition.global_phase = 0.5
    gate = Gate("g", num_qubits, params)
    gate.definition = definition
    return gate


@pytest.mark.parametrize(
    ("params", "num_qubits", "replaced"),
    [
        ([0.5], 1, False),
        ([2], 1, False),
        ([], 1, False),
        ([True], 1, True),
        ([0.5, True], 1, True),
        ([], 0, True),
    ],
)
def test_gates_kept_only_with_real_parameters_and_qubits(params, num_qubits, replaced):
    qc = QuantumCircuit(1)
    qc.append(_gate(params, num_qubits), list(range(num_qubits)))
    assert needs_unroll(qc) is replaced
    out = unroll(qc)
    assert (out is qc) is not replaced
    if replaced:
        assert [inst.name for inst in out.data] == ([] if num_qubits == 0 else ["x"])
        assert out.global_phase == (0.5 if num_qubits == 0 else 0)


def test_global_phase_gate_folded():
    from qiskit.circuit.library import GlobalPhaseGate

    qc = QuantumCircuit(1, global_phase=0.25)
    qc.append(GlobalPhaseGate(0.5), [])
    qc.h(0)
    assert needs_unroll(qc) is True
    out = unroll(qc)
    assert [inst.name for inst in out.data] == ["h"]
    assert out.global_phase == 0.75


def test_instructions_unrolled_in_place_between_kept_ones():
    block = QuantumCircuit(2, 1, name="blk")
    block.x(1)
    block.measure(1, 0)
    qc = QuantumCircuit(3, 2)
    qc.h(0)
    qc.append(block.to_instruction(), [2, 0], [1])
    qc.cx(0, 1)
    out = unroll(qc)
    assert [
        (
            inst.name,
            [out.find_bit(q).index for q in inst.qubits],
            [out.find_bit(c).index for c in inst.clbits],
        )
        for inst in out.data
    ] == [("h", [0], []), ("x", [0], []), ("measure", [0], [1]), ("cx", [0, 1], [])]


def test_gates_nested_past_the_limit_are_left_to_the_exporter():
    inner = QuantumCircuit(1, name="g0")
    inner.append(_gate([True]), [0])  # would be replaced at any depth below the limit
    gate = inner.to_gate()
    for level in range(1, 65):
        outer = QuantumCircuit(1, name=f"g{level}")
        outer.append(gate, [0])
        gate = outer.to_gate()
    qc = QuantumCircuit(1)
    qc.append(gate, [0])
    assert needs_unroll(qc) is False
    one_less = QuantumCircuit(1)
    one_less.append(qc.data[0].operation.definition.data[0].operation, [0])
    assert needs_unroll(one_less) is True


def _chain_through_a_loop(levels: int) -> QuantumCircuit:
    """``levels`` gate definitions around a replaceable gate; level 40 wraps it in a loop."""
    inner = QuantumCircuit(1, name="g0")
    inner.append(_gate([True]), [0])
    gate = inner.to_gate()
    for level in range(1, levels):
        outer = QuantumCircuit(1, name=f"g{level}")
        if level == 40:
            with outer.for_loop(range(1)):
                outer.append(gate, [0])
            gate = Gate(f"g{level}", 1, [])  # to_gate() refuses control flow: set it by hand
            gate.definition = outer
        else:
            outer.append(gate, [0])
            gate = outer.to_gate()
    qc = QuantumCircuit(1)
    qc.append(gate, [0])
    return qc


def test_control_flow_blocks_count_at_their_definitions_depth():
    # A block adds no level, but it does not start counting again either.
    assert needs_unroll(_chain_through_a_loop(65)) is False
    assert needs_unroll(_chain_through_a_loop(64)) is True


def test_control_flow_blocks_unrolled_and_what_follows_kept():
    block = QuantumCircuit(1, name="blk")
    block.x(0)
    qc = QuantumCircuit(2, 1)
    with qc.if_test((qc.clbits[0], 1)):
        qc.append(_gate([0.5]), [0])  # a gate with a definition: kept, scanned at its depth
        qc.append(block.to_instruction(), [1])
    qc.h(1)
    assert needs_unroll(qc) is True
    out = unroll(qc)
    assert [inst.name for inst in out.data] == ["if_else", "h"]
    body = out.data[0].operation.blocks[0]
    assert [inst.name for inst in body.data] == ["g", "x"]
