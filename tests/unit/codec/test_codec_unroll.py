"""Unrolling what the exporter refuses, and overlapping registers: exact, at the codec level."""

import math
import warnings

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3
from qiskit.circuit import Clbit, Parameter, ParameterVector, Qubit
from qiskit.circuit.library import (
    DiagonalGate,
    GlobalPhaseGate,
    Initialize,
    QFTGate,
    StatePreparation,
    UCRYGate,
    efficient_su2,
    real_amplitudes,
    zz_feature_map,
)
from qiskit.primitives import BitArray
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import Operator, Statevector
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider.codec.circuits import (
    CregSpec,
    declared_inputs,
    declared_registers,
    export_circuit,
    read_header,
)
from qiskit_rest_provider.codec.pubs import spec_from_wire
from qiskit_rest_provider.codec.registers import disjoint_registers
from qiskit_rest_provider.codec.results import _sampler_pub_result
from qiskit_rest_provider.codec.unroll import needs_unroll, unroll
from qiskit_rest_provider.exceptions import DecodeError, EncodeError


def _loaded(qasm):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qasm3.loads(qasm)


def _bind_by_name(circuit, values_by_name):
    return circuit.assign_parameters({p: values_by_name[p.name] for p in circuit.parameters})


def _nested():
    inner = QuantumCircuit(2, name="inner")
    inner.ry(Parameter("t"), 0)
    inner.cx(0, 1)
    outer = QuantumCircuit(3, name="outer")
    outer.append(inner.to_instruction(), [2, 0])
    outer.rz(Parameter("u"), 1)
    return outer


BLOCKS = {
    "real_amplitudes": lambda: real_amplitudes(3, reps=1),
    "efficient_su2": lambda: efficient_su2(3, reps=1),
    "zz_feature_map": lambda: zz_feature_map(3, reps=1),
    "nested": _nested,
    "initialize": lambda: Initialize([0.6, 0.0, 0.0, 0.8]),
    "diagonal": lambda: DiagonalGate([1, -1, 1j, -1j]),
    "ucry": lambda: UCRYGate([0.1, 0.2]),
    "state_preparation": lambda: StatePreparation([0.6, 0.8j]),
}


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_appended_blocks_round_trip_exactly(name):
    block = BLOCKS[name]()
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.append(block, range(block.num_qubits))
    with pytest.raises(Exception):  # noqa: B017 - the exporter alone refuses each, or writes
        _loaded(qasm3.dumps(qc))  # text no parser reads (StatePreparation's complex params)
    export = export_circuit(qc)
    values = np.linspace(0.2, 1.9, qc.num_parameters)
    by_name = dict(zip(declared_inputs(export.qasm), values))
    remote = _bind_by_name(_loaded(export.qasm), by_name)
    local = qc.assign_parameters(values)
    np.testing.assert_allclose(
        Statevector(remote).probabilities(), Statevector(local).probabilities(), atol=1e-12
    )
    assert export.num_parameters == qc.num_parameters == len(declared_inputs(export.qasm))


def test_unroll_keeps_gates_and_inlines_only_instructions():
    qc = QuantumCircuit(2)
    qc.append(QFTGate(2), [0, 1])  # a gate the exporter writes as a gate definition
    qc.append(real_amplitudes(2, reps=1), [0, 1])
    out = unroll(qc)
    names = [inst.name for inst in out.data]
    assert names[0] == "qft"
    assert "real_amplitudes" not in names and len(names) > 2
    assert set(out.parameters) == set(qc.parameters)


def test_isa_and_plain_circuits_are_returned_unchanged():
    backend = GenericBackendV2(3, seed=3)
    qc = real_amplitudes(3, reps=1)
    qc.measure_all()
    isa = generate_preset_pass_manager(1, backend=backend, seed_transpiler=1).run(qc)
    assert not needs_unroll(isa)
    assert unroll(isa) is isa
    assert disjoint_registers(isa) == (isa, None)


def test_global_phase_gate_is_folded_not_written():
    qc = QuantumCircuit(1)
    qc.append(GlobalPhaseGate(0.3), [])
    qc.h(0)
    out = unroll(qc)
    assert [inst.name for inst in out.data] == ["h"]
    assert out.global_phase == pytest.approx(0.3)
    assert Operator(out).equiv(Operator(qc))
    assert "global_phase" not in export_circuit(qc).qasm


def test_blocks_inside_control_flow_are_unrolled():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.append(real_amplitudes(2, reps=1), [0, 1])
    out = unroll(qc)
    body = out.data[-1].operation.blocks[0]
    assert "real_amplitudes" not in [inst.name for inst in body.data]
    assert set(out.parameters) == set(qc.parameters)
    export_circuit(qc)  # writes


def test_instruction_without_definition_names_itself_and_the_fix():
    from qiskit.circuit import Instruction

    qc = QuantumCircuit(1)
    qc.append(Instruction("opaque_thing", 1, 0, []), [0])
    with pytest.raises(EncodeError, match="'opaque_thing'.*[Tt]ranspile"):
        export_circuit(qc)


def _aliased():
    c = ClassicalRegister(3, "c")
    d = ClassicalRegister(bits=[c[2], c[0]], name="d")
    e = ClassicalRegister(1, "e")
    f = ClassicalRegister(bits=[e[0], c[1]], name="f")
    qc = QuantumCircuit(QuantumRegister(3, "q"), c, d, e, f)
    return qc, (c, d, e, f)


def test_overlapping_registers_become_disjoint_with_a_map():
    qc, (c, d, e, f) = _aliased()
    wire, mapping = disjoint_registers(qc)
    assert [r.name for r in wire.cregs] == ["c", "e"]
    assert mapping == [0, [[0, 2], [0, 0]], 1, [[1, 0], [0, 1]]]
    export = export_circuit(qc)
    assert declared_registers(export.qasm) == [("c", 3), ("e", 1)]
    assert read_header(export.qasm)["map"] == mapping
    assert export.cregs == (
        CregSpec("c", "c", 3),
        CregSpec("d", "", 2, (("c", 2), ("c", 0))),
        CregSpec("e", "e", 1),
        CregSpec("f", "", 2, (("e", 0), ("c", 1))),
    )
    assert spec_from_wire("sampler", [export.qasm]).cregs == export.cregs


def test_filler_register_holds_bits_no_kept_register_has():
    a = ClassicalRegister(2, "a")
    b = ClassicalRegister(bits=[a[1], Clbit()], name="qrp_bits")  # takes the filler's name
    qc = QuantumCircuit(QuantumRegister(1), a, b)
    wire, mapping = disjoint_registers(qc)
    assert [(r.name, r.size) for r in wire.cregs] == [("a", 2), ("qrp_bits_", 1)]
    assert list(wire.cregs[1]) == [b[1]]
    assert mapping == [0, [[0, 1], [1, 0]]]


def test_registers_read_by_control_flow_are_kept():
    c = ClassicalRegister(2, "c")
    d = ClassicalRegister(bits=[c[1]], name="d")
    qc = QuantumCircuit(QuantumRegister(2), c, d)
    with qc.if_test((d, 1)):
        qc.x(0)
    wire, mapping = disjoint_registers(qc)
    assert [r.name for r in wire.cregs] == ["d", "qrp_bits"]
    assert mapping == [[[1, 0], [0, 0]], 0]


def test_two_overlapping_registers_read_by_control_flow_are_refused():
    c = ClassicalRegister(2, "c")
    d = ClassicalRegister(bits=[c[1]], name="d")
    qc = QuantumCircuit(QuantumRegister(2), c, d)
    with qc.if_test((d, 1)):
        qc.x(0)
    with qc.if_test((c, 3)):
        qc.x(1)
    with pytest.raises(EncodeError, match="'d'.*shares clbits"):
        export_circuit(qc)


def test_aliased_results_are_rebuilt_per_register():
    qc, _ = _aliased()
    export = export_circuit(qc)
    # wire c = clbits 0..2 with values 1,0,1 (c = 0b101); wire e = 1.
    fields = {
        "c": BitArray.from_samples(["101", "001"], 3),
        "e": BitArray.from_samples(["1", "0"], 1),
    }
    from qiskit_rest_provider.codec.pubs import PubSpec

    result = _sampler_pub_result(0, fields, {}, PubSpec(shape=(), cregs=export.cregs))
    assert list(result.data.keys()) == ["c", "d", "e", "f"]
    # d = [c2, c0] (clbit 0 first); f = [e0, c1].
    assert result.data.d.get_bitstrings() == ["11", "10"]
    assert result.data.f.get_bitstrings() == ["01", "00"]
    with pytest.raises(DecodeError, match="too narrow"):
        _sampler_pub_result(
            0, {**fields, "c": BitArray.from_samples(["1", "0"], 1)}, {}, PubSpec((), export.cregs)
        )
    with pytest.raises(DecodeError, match="shots"):
        _sampler_pub_result(
            0, {**fields, "e": BitArray.from_samples(["1"], 1)}, {}, PubSpec((), export.cregs)
        )


def test_loose_bits_are_kept_and_not_reported():
    qc = QuantumCircuit([Qubit(), Qubit()], [Clbit()])
    qc.add_register(ClassicalRegister(1, "r"))
    qc.measure(0, 0)
    qc.measure(1, 1)
    export = export_circuit(qc)
    assert export.cregs == (CregSpec("r", "r", 1),)
    assert _loaded(export.qasm).num_clbits == 2


@pytest.mark.parametrize("count", [11, 101])
def test_parameter_names_are_sort_stable_at_every_width(count):
    x = ParameterVector("x", count)
    block = QuantumCircuit(2)
    for i, p in enumerate(x):
        block.ry(p, i % 2)
    qc = QuantumCircuit(2)
    qc.append(block.to_instruction(), [0, 1])
    export = export_circuit(qc)
    names = declared_inputs(export.qasm)
    width = len(str(count - 1))
    assert names == [f"p{i:0{width}d}" for i in range(count)] == sorted(names)
    values = np.random.default_rng(5).uniform(-3, 3, count)
    remote = _bind_by_name(_loaded(export.qasm), dict(zip(names, values)))
    local = qc.assign_parameters(values)
    assert Operator(remote).equiv(Operator(local))


def test_custom_gates_with_real_parameters_stay_gates():
    theta = Parameter("θ")
    body = QuantumCircuit(2, name="my_gate")
    body.rx(theta, 0)
    body.cz(0, 1)
    qc = QuantumCircuit(2)
    qc.append(body.to_gate(), [0, 1])
    qc.append(StatePreparation([0.6, 0.8j]), [1])  # complex parameters: inlined
    out = unroll(qc)
    assert [inst.name for inst in out.data][0] == "my_gate"
    assert "state_preparation" not in [inst.name for inst in out.data]
    assert "gate my_gate(" in export_circuit(qc).qasm


def test_gates_without_definition_are_named_by_the_exporter_error():
    from qiskit.circuit import Gate

    qc = QuantumCircuit(1, name="has_opaque")
    qc.append(Gate("mystery", 1, [0.5]), [0])
    assert unroll(qc) is qc
    with pytest.raises(EncodeError, match="'has_opaque'.*'mystery'.*[Tt]ranspile"):
        export_circuit(qc)


def test_registers_read_by_switch_and_expressions_are_kept():
    from qiskit.circuit.classical import expr

    c = ClassicalRegister(2, "c")
    d = ClassicalRegister(bits=[c[1]], name="d")
    e = ClassicalRegister(bits=[c[0]], name="e")
    qc = QuantumCircuit(QuantumRegister(1), c, d, e)
    with qc.switch(d) as case:
        with case(1):
            qc.x(0)
    with qc.if_test(expr.logic_not(expr.equal(e, 1))):
        qc.x(0)
    wire, mapping = disjoint_registers(qc)
    assert [r.name for r in wire.cregs] == ["d", "e"]
    assert mapping == [[[1, 0], [0, 0]], 0, 1]


def test_a_corrupt_register_map_is_a_decode_error():
    qc, _ = _aliased()
    text = export_circuit(qc).qasm.replace('"map":[0,', '"map":[7,', 1)
    with pytest.raises(DecodeError, match="register map"):
        spec_from_wire("sampler", [text])


def test_definitions_with_parameters_the_circuit_does_not_list_are_refused():
    from qiskit.circuit import Instruction

    hidden = QuantumCircuit(1)
    hidden.rx(Parameter("hid"), 0)
    block = Instruction("blk", 1, 0, [])
    block.definition = hidden
    qc = QuantumCircuit(1, name="hiding")
    qc.append(block, [0])
    assert qc.num_parameters == 0
    with pytest.raises(EncodeError, match=r"'hiding'.*\['hid'\].*assign_parameters"):
        export_circuit(qc)


def test_a_block_in_one_branch_only_is_unrolled():
    qc = QuantumCircuit(2, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.append(real_amplitudes(2, reps=1), [0, 1])
    assert needs_unroll(qc)
    blocks = unroll(qc).data[-1].operation.blocks
    assert [inst.name for inst in blocks[0].data] == ["x"]
    assert "real_amplitudes" not in [inst.name for inst in blocks[1].data]


def _nested_instructions(levels):
    inner = QuantumCircuit(1, name="level0")
    inner.rx(0.25, 0)
    for level in range(1, levels):
        outer = QuantumCircuit(1, name=f"level{level}")
        outer.append(inner.to_instruction(), [0])
        inner = outer
    return inner


def test_deep_nesting_is_unrolled_up_to_the_limit():
    out = unroll(_nested_instructions(60))
    assert [inst.name for inst in out.data] == ["rx"]
    with pytest.raises(EncodeError, match="more than 64 deep"):
        export_circuit(_nested_instructions(70))


def test_a_zero_qubit_sub_circuit_contributes_its_phase():
    phase_only = QuantumCircuit(0, global_phase=0.5, name="phase_only")
    qc = QuantumCircuit(1)
    qc.append(phase_only.to_instruction(), [])
    qc.h(0)
    out = unroll(qc)
    assert [inst.name for inst in out.data] == ["h"]
    assert out.global_phase == pytest.approx(0.5)


def _general_path(qc):
    """The same circuit, with a register name the fast writer leaves to the exporter."""
    qc.add_register(ClassicalRegister(1, "if"))
    return qc


@pytest.mark.parametrize("angle", [math.pi / 4 + 1e-10, 1e-12, 2.5e-9])
def test_general_path_angles_are_lossless(angle):
    qc = QuantumCircuit(1)
    qc.append(QFTGate(1), [0])
    qc.rz(angle, 0)
    qc = _general_path(qc)
    loaded = _loaded(export_circuit(qc).qasm)
    assert loaded.data[-1].operation.params[0] == angle


def test_general_path_transpiled_circuits_keep_full_width():
    backend = GenericBackendV2(5, seed=3)
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure(1, 0)
    isa = _general_path(generate_preset_pass_manager(0, backend=backend, seed_transpiler=1).run(qc))
    assert isa.layout is not None
    export = export_circuit(isa)
    assert _loaded(export.qasm).num_qubits == 5 == export.num_qubits


def test_a_register_map_shorter_than_the_registers_is_a_decode_error():
    qc, _ = _aliased()
    text = export_circuit(qc).qasm.replace('"map":[0,', '"map":[', 1)
    with pytest.raises(DecodeError, match="register map"):
        spec_from_wire("sampler", [text])
