"""Random circuits give the same probabilities through ours as through Qiskit's references.

Unitary random circuits (as built, ``.decompose()``d, appended as an instruction) must give the
exact statevector probabilities ``StatevectorEstimator`` gives, compared at precision 0 through
projector observables. Random circuits with mid-circuit measurements, resets and conditionals
(which Qiskit's reference primitives cannot run) are checked against an exact branching
statevector reference within 6 sigma. Kept lean: few examples, at most three qubits.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit.random import random_circuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparseObservable, Statevector

from qiskit_rest_provider import EstimatorV2, SamplerV2

from ..contract.oracle import assert_counts_match

LEAN = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORMS = st.sampled_from(["plain", "decomposed", "appended"])


def _form(circuit, form):
    if form == "decomposed":
        return circuit.decompose()
    if form == "appended":
        outer = QuantumCircuit(*circuit.qregs, *circuit.cregs)
        outer.append(circuit.to_instruction(), outer.qubits, outer.clbits)
        return outer
    return circuit


@LEAN
@given(
    num_qubits=st.integers(1, 3),
    depth=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    form=FORMS,
)
def test_unitary_random_circuits_give_exact_probabilities(
    rest_backend, num_qubits, depth, seed, form
):
    circuit = _form(random_circuit(num_qubits, depth, max_operands=3, seed=seed), form)
    labels = [format(k, f"0{num_qubits}b") for k in range(2**num_qubits)]
    projectors = [SparseObservable.from_label(label) for label in labels]
    # Every diagonal Pauli: as much as the probabilities, in a form StatevectorEstimator takes.
    z_strings = [label.replace("0", "I").replace("1", "Z") for label in labels]
    estimator = EstimatorV2(mode=rest_backend)
    probabilities, z_values = estimator.run(
        [(circuit, projectors), (circuit, z_strings)], precision=0
    ).result()
    np.testing.assert_allclose(
        probabilities.data.evs, Statevector(circuit).probabilities(), atol=1e-9, rtol=0
    )
    reference = StatevectorEstimator().run([(circuit, z_strings)]).result()[0].data.evs
    np.testing.assert_allclose(z_values.data.evs, reference, atol=1e-9, rtol=0)


# ------------------------------------------------------------ dynamic circuits


def _project(state, qubit, outcome):
    data = state.data.copy()
    mask = ((np.arange(data.size) >> qubit) & 1) != outcome
    data[mask] = 0
    norm = np.linalg.norm(data)
    return None if norm < 1e-12 else Statevector(data / norm), norm**2


def _condition_holds(condition, bits, where):
    target, value = condition
    registers = [target] if not hasattr(target, "size") else list(target)
    number = sum(bits[where[bit]] << i for i, bit in enumerate(registers))
    return number == int(value)


def _run(circuit, qmap, cmap, branches):
    """Exact branching simulation: ``(probability, state, clbits)`` per classical history."""
    for inst in circuit.data:
        op = inst.operation
        qubits = [qmap[q] for q in inst.qubits]
        clbits = [cmap[c] for c in inst.clbits]
        if op.name in ("barrier", "delay"):
            continue
        out = []
        for prob, state, bits in branches:
            if op.name in ("measure", "reset"):
                for outcome in (0, 1):
                    projected, weight = _project(state, qubits[0], outcome)
                    if projected is None:
                        continue
                    new_bits = list(bits)
                    if op.name == "measure":
                        new_bits[clbits[0]] = outcome
                    elif outcome:
                        projected = projected.evolve(np.array([[0, 1], [1, 0]]), [qubits[0]])
                    out.append((prob * weight, projected, new_bits))
            elif op.name == "if_else":
                taken = op.blocks[0] if _condition_holds(op.condition, bits, cmap) else None
                if taken is None and len(op.blocks) > 1:
                    taken = op.blocks[1]
                if taken is None:
                    out.append((prob, state, bits))
                    continue
                inner_q = dict(zip(taken.qubits, qubits))
                inner_c = {**cmap, **dict(zip(taken.clbits, clbits))}
                out.extend(_run(taken, inner_q, inner_c, [(prob, state, bits)]))
            else:
                out.append((prob, state.evolve(op, qubits), bits))
        branches = out
    return branches


def exact_register_distribution(circuit):
    start = Statevector.from_int(0, 2**circuit.num_qubits)
    qmap = {q: i for i, q in enumerate(circuit.qubits)}
    cmap = {c: i for i, c in enumerate(circuit.clbits)}
    branches = _run(circuit, qmap, cmap, [(1.0, start, [0] * circuit.num_clbits)])
    tables = {}
    for creg in circuit.cregs:
        table = {}
        for prob, _, bits in branches:
            label = "".join(str(bits[cmap[b]]) for b in reversed(list(creg)))
            table[label] = table.get(label, 0.0) + prob
        tables[creg.name] = table
    return tables


@LEAN
@given(
    num_qubits=st.integers(2, 3),
    depth=st.integers(2, 4),
    seed=st.integers(0, 10_000),
    form=FORMS,
)
def test_dynamic_random_circuits_sample_the_exact_distribution(
    rest_backend, num_qubits, depth, seed, form
):
    dynamic = random_circuit(
        num_qubits, depth, max_operands=2, measure=True, conditional=True, reset=True, seed=seed
    )
    if form == "decomposed":
        circuit = dynamic.decompose()
    elif form == "appended":  # a unitary random block appended as an instruction first
        block = random_circuit(num_qubits, 2, max_operands=2, seed=seed + 1).to_instruction()
        circuit = QuantumCircuit(*dynamic.qregs, *dynamic.cregs)
        circuit.append(block, circuit.qubits)
        circuit.compose(dynamic, inplace=True)
    else:
        circuit = dynamic
    expected = exact_register_distribution(circuit)
    result = SamplerV2(mode=rest_backend).run([circuit], shots=1000).result()[0]
    assert list(result.data.keys()) == [creg.name for creg in circuit.cregs]
    for name, table in expected.items():
        assert_counts_match(result.data[name].get_counts(), table, 1000)


def test_branching_reference_is_exact_on_a_known_case():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.cregs[0], 1)):
        qc.x(1)
    qc.reset(0)
    qc.measure([0, 1], [0, 1])
    table = exact_register_distribution(qc)["c"]
    assert table == {"00": 0.4999999999999999, "10": 0.4999999999999999} or (
        set(table) == {"00", "10"} and np.allclose(list(table.values()), [0.5, 0.5])
    )
