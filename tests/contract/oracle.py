"""Exact answers computed directly with ``qiskit.quantum_info.Statevector``.

Independent of every primitive under test: both Qiskit's reference primitives and ours are
checked against these numbers.
"""

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import SparseObservable, SparsePauliOp, Statevector


def _observable(item) -> SparsePauliOp:
    if isinstance(item, SparseObservable):
        return SparsePauliOp.from_sparse_observable(item.as_paulis())
    sparse = SparseObservable.from_list(list(item.items()))
    return SparsePauliOp.from_sparse_observable(sparse.as_paulis())


def exact_evs(pub_like) -> np.ndarray:
    """Expectation values of a PUB, element by element, shape = the PUB's shape."""
    pub = EstimatorPub.coerce(pub_like)
    bound = pub.parameter_values.bind_all(pub.circuit)
    obs = pub.observables
    out = np.empty(pub.shape)
    for index in np.ndindex(pub.shape):
        obs_index = tuple(i if s > 1 else 0 for i, s in zip(index[-obs.ndim :], obs.shape))
        par_shape = bound.shape
        par_index = tuple(i if s > 1 else 0 for i, s in zip(index[-len(par_shape) :], par_shape))
        circuit = bound[par_index] if par_shape else bound[()]
        observable = obs[obs_index] if obs.ndim else obs[()]
        out[index] = Statevector(circuit).expectation_value(_observable(observable)).real
    return out


def _final_measurement_map(circuit: QuantumCircuit):
    unitary = circuit.copy_empty_like()
    measured = {}
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            clbit = circuit.find_bit(instruction.clbits[0]).index
            measured[clbit] = circuit.find_bit(instruction.qubits[0]).index
        elif instruction.operation.name != "barrier":
            unitary.append(instruction)
    return unitary, measured


def exact_register_probabilities(circuit: QuantumCircuit) -> dict[str, dict[str, float]]:
    """Per classical register: bitstring -> probability (final measurements only)."""
    unitary, measured = _final_measurement_map(circuit)
    state = Statevector(unitary.remove_final_measurements(inplace=False))
    out = {}
    for creg in circuit.cregs:
        bits = [circuit.find_bit(bit).index for bit in creg]
        qubits = [measured[b] for b in bits if b in measured]
        probs = state.probabilities_dict(qargs=qubits) if qubits else {"": 1.0}
        table = {}
        for key, p in probs.items():
            values = dict(zip([b for b in bits if b in measured], reversed(key)))
            label = "".join(values.get(b, "0") for b in reversed(bits))
            table[label] = table.get(label, 0.0) + p
        out[creg.name] = table
    return out


def sampler_probabilities(pub_like) -> np.ndarray:
    """Object array (PUB shape) of per-register probability tables."""
    pub = SamplerPub.coerce(pub_like)
    bound = pub.parameter_values.bind_all(pub.circuit)
    out = np.empty(pub.shape, dtype=object)
    for index in np.ndindex(pub.shape):
        out[index] = exact_register_probabilities(bound[index])
    return out


def assert_counts_match(counts: dict[str, int], probs: dict[str, float], shots: int) -> None:
    """Every outcome's frequency is within 6 sigma of its exact probability."""
    assert sum(counts.values()) == shots
    for label in set(counts) | set(probs):
        p = probs.get(label, 0.0)
        freq = counts.get(label, 0) / shots
        sigma = np.sqrt(max(p * (1 - p), 0.0) / shots)
        assert abs(freq - p) <= 6 * sigma + 1.0 / shots, (label, freq, p)
