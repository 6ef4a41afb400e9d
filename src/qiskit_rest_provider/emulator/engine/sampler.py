"""Sampler PUBs: per-shot samples for every classical register.

"Unitary + final measurements" circuits are sampled from one statevector per binding; any
circuit with mid-circuit measurement, reset or classical control (or a noise model) runs on
qiskit-aer shot by shot, so each shot's classical feed-forward is right. Only qubits some
instruction acts on are simulated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BitArray, DataBin, SamplerPubResult

from ...codec.circuits import declared_registers
from ...codec.results import bitarray_from_hex
from .circuits import Binder, active_qubits, restrict, split_final_measurements
from .errors import JobExecutionError, JobStopped
from .inputs import PubTask

__all__ = ["run_sampler_pub", "register_fields"]

_MAX_STATEVECTOR_QUBITS = 24
_AER_CHUNK = 32  # bound circuits per Aer call (should_stop is checked between chunks)


def register_fields(qasm: str, circuit: QuantumCircuit) -> list[tuple[str, list[int]]]:
    """``(declared name, clbit indices)`` per register, in declaration order.

    Names come from the text, not the parser: ``qasm3.loads`` escapes ``_meas_1`` to
    ``esc__meas_1``, yet results must be keyed by the name the client declared.
    """
    declared = declared_registers(qasm)
    cregs = list(circuit.cregs)
    if len(declared) == len(cregs) and all(s == c.size for (_, s), c in zip(declared, cregs)):
        names = [name for name, _ in declared]
    else:
        names = [c.name.removeprefix("esc__") for c in cregs]
    return [(name, [circuit.find_bit(b).index for b in creg]) for name, creg in zip(names, cregs)]


def _statevector_shots(
    circuit: QuantumCircuit,
    pairs: tuple[tuple[int, int], ...],
    num_clbits: int,
    shots: int,
    rng: np.random.Generator,
) -> np.ndarray:
    from qiskit.quantum_info import Statevector

    bools = np.zeros((shots, num_clbits), dtype=bool)
    if not pairs:
        return bools
    measured = sorted({q for q, _ in pairs})
    probs = Statevector(circuit).probabilities(qargs=measured)
    probs = np.clip(probs, 0.0, None)
    outcomes = rng.choice(probs.size, size=shots, p=probs / probs.sum())
    position = {q: k for k, q in enumerate(measured)}
    for qubit, clbit in pairs:  # program order: a clbit measured twice keeps the last value
        bools[:, clbit] = (outcomes >> position[qubit]) & 1
    return bools


def _aer_shots(
    circuits: list[QuantumCircuit],
    shots: int,
    seed: int,
    noise_model: Any,
    num_clbits: int,
) -> list[np.ndarray]:
    from qiskit_aer import AerSimulator

    simulator = AerSimulator(noise_model=noise_model) if noise_model is not None else AerSimulator()
    try:
        result = simulator.run(circuits, shots=shots, memory=True, seed_simulator=seed).result()
        memories = [result.data(i)["memory"] for i in range(len(circuits))]
    except Exception as exc:  # Aer raises AerError, QiskitError, RuntimeError...
        raise JobExecutionError(f"Simulation failed: {exc}") from exc
    return [bitarray_from_hex(m, num_clbits).to_bool_array(order="little") for m in memories]


def run_sampler_pub(
    task: PubTask,
    circuit: QuantumCircuit,
    shots: int,
    rng: np.random.Generator,
    should_stop: Callable[[], bool],
    circuit_metadata: dict,
    noise: Callable[[list[int]], Any] | None = None,
) -> SamplerPubResult:
    """Sample one PUB; results are keyed by the declared register names, in order.

    Args:
        task: The PUB.
        circuit: Its parsed circuit (shared: never mutated).
        shots: Shots per binding.
        rng: The job's generator (also seeds Aer).
        should_stop: Polled between bindings / Aer batches.
        circuit_metadata: Copied into the PUB metadata.
        noise: ``noise(qubits)`` -> the Aer noise model of those device qubits renumbered
            ``0..k-1`` (the simulated circuit is renumbered the same way), or ``None``.
    """
    fields = register_fields(task.qasm, circuit)
    active = active_qubits(circuit)
    reduced = restrict(circuit, active)
    noise_model = noise(active) if noise is not None and active else None
    binder = Binder(reduced, task.names)
    rows = task.values.reshape(math.prod(task.bindings_shape), task.values.shape[-1])
    num_clbits = circuit.num_clbits
    split = split_final_measurements(reduced) if noise_model is None else None
    use_statevector = split is not None and reduced.num_qubits <= _MAX_STATEVECTOR_QUBITS
    samples: list[np.ndarray] = []
    if num_clbits == 0:
        samples = [np.zeros((shots, 0), dtype=bool)] * len(rows)
    elif use_statevector:
        unitary_binder = Binder(split.unitary, task.names)
        for row in rows:
            if should_stop():
                raise JobStopped()
            samples.append(
                _statevector_shots(unitary_binder.bind(row), split.pairs, num_clbits, shots, rng)
            )
    else:
        for start in range(0, len(rows), _AER_CHUNK):
            if should_stop():
                raise JobStopped()
            chunk = [binder.bind(row) for row in rows[start : start + _AER_CHUNK]]
            samples.extend(
                _aer_shots(chunk, shots, int(rng.integers(2**31)), noise_model, num_clbits)
            )
    bools = np.stack(samples).reshape(*task.bindings_shape, shots, num_clbits)
    data = {
        name: BitArray.from_bool_array(bools[..., indices], order="little")
        if indices
        else BitArray(np.zeros((*task.bindings_shape, shots, 0), dtype=np.uint8), 0)
        for name, indices in fields
    }
    metadata = {"shots": shots, "circuit_metadata": circuit_metadata}
    return SamplerPubResult(DataBin(shape=task.bindings_shape, **data), metadata=metadata)
