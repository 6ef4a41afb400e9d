"""Sampler PUBs: per-shot samples for every classical register.

Noiseless "unitary + final measurements" circuits are sampled from their exact outcome
probabilities per binding (or by Aer's stabilizer / matrix product state method); any circuit
with mid-circuit measurement, reset or classical control, or a noise model, runs on qiskit-aer
shot by shot, so each shot's classical feed-forward is right. Only qubits some instruction acts
on are simulated, with the method :mod:`.methods` picks for them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BitArray, DataBin, SamplerPubResult

from ...codec.bits import bitarray_from_hex
from .aer_ready import aer_ready
from .errors import JobExecutionError, JobStopped
from .inputs import PubTask
from .methods import aer_simulator, noiseless_method, noisy_method
from .resilience import ShotPlan
from .sampler_prep import prepared, register_fields
from .smallstate import Program, compile_unitary
from .trajectories import PubNoise, measured_shots

__all__ = ["run_sampler_pub", "register_fields", "SamplerTwirling"]

_AER_CHUNK = 32  # bound circuits per Aer call (should_stop is checked between chunks)


def _exact_shots(
    circuit: QuantumCircuit,
    pairs: tuple[tuple[int, int], ...],
    num_clbits: int,
    shots: int,
    rng: np.random.Generator,
    method: str,
    program: Program | None = None,
) -> np.ndarray:
    """Noiseless shots of "unitary, then measurements": sampled from exact probabilities.

    ``program``: the circuit's :func:`.smallstate.compile_unitary`, when already compiled.
    """
    bools = np.zeros((shots, num_clbits), dtype=bool)
    if not pairs:
        return bools
    measured = sorted({q for q, _ in pairs})
    if method not in ("quantum_info", "statevector"):
        # stabilizer / matrix product state: Aer samples the shots itself.
        with_measures = circuit.copy()
        for qubit, clbit in pairs:
            with_measures.measure(qubit, clbit)
        seed = int(rng.integers(2**31))
        return _aer_shots([with_measures], shots, seed, num_clbits, method)[0]
    if method == "quantum_info":
        program = program or compile_unitary(circuit)
        if program is not None:  # Statevector's own steps and probabilities, bit for bit
            probs = program.probabilities(measured)
        else:
            from qiskit.quantum_info import Statevector

            probs = Statevector(circuit).probabilities(qargs=measured)
    else:
        probs = _aer_probabilities(circuit, measured)
    probs = np.clip(probs, 0.0, None)
    outcomes = rng.choice(probs.size, size=shots, p=probs / probs.sum())
    position = {q: k for k, q in enumerate(measured)}
    for qubit, clbit in pairs:  # program order: a clbit measured twice keeps the last value
        bools[:, clbit] = (outcomes >> position[qubit]) & 1
    return bools


def _aer_probabilities(circuit: QuantumCircuit, qubits: list[int]) -> np.ndarray:
    """Exact outcome probabilities of ``qubits`` (first = least significant), by Aer."""
    import qiskit_aer  # noqa: F401 - adds QuantumCircuit.save_probabilities

    prepared = aer_ready(circuit).copy()
    prepared.save_probabilities(qubits, label="probs")
    try:
        result = aer_simulator("statevector").run(prepared, shots=1).result()
        return np.asarray(result.data(0)["probs"], dtype=float)
    except Exception as exc:  # Aer raises AerError, QiskitError, RuntimeError...
        raise JobExecutionError(f"Simulation failed: {exc}") from exc


def _aer_shots(
    circuits: list[QuantumCircuit], shots: int, seed: int, num_clbits: int, method: str
) -> list[np.ndarray]:
    """Noiseless shots, shot by shot (noisy ones go through ``trajectories``)."""
    simulator = aer_simulator(method)
    try:
        ready = [aer_ready(circuit) for circuit in circuits]
        result = simulator.run(ready, shots=shots, memory=True, seed_simulator=seed).result()
        memories = [result.data(i)["memory"] for i in range(len(circuits))]
    except Exception as exc:  # Aer raises AerError, QiskitError, RuntimeError...
        raise JobExecutionError(f"Simulation failed: {exc}") from exc
    return [bitarray_from_hex(m, num_clbits).to_bool_array(order="little") for m in memories]


def _dynamic_method(circuit: QuantumCircuit) -> str:
    """Noiseless shot-by-shot runs (mid-circuit measurement, reset, feed-forward)."""
    method = noiseless_method(circuit)
    return "statevector" if method == "quantum_info" else method


@dataclass(frozen=True)
class SamplerTwirling:
    """Sampler twirling options (off by default on the service) and their shot plan."""

    gates: bool
    measure: bool
    plan: ShotPlan


def _noisy_final_shots(
    unitary: QuantumCircuit,
    pairs: tuple[tuple[int, int], ...],
    noise: PubNoise,
    readout: list[tuple[float, float]],
    shots: int,
    twirling: SamplerTwirling | None,
    rng: np.random.Generator,
    method: str,
) -> np.ndarray:
    """Gate noise (Pauli-twirled in ``noise`` if asked) simulated; readout applied after."""
    from .noisy import apply_readout, twirl_flips

    measured = unitary.copy()
    for qubit, clbit in pairs:
        measured.measure(qubit, clbit)
    bools = measured_shots(measured, noise, shots, rng, method)
    last = {clbit: qubit for qubit, clbit in pairs}  # a clbit keeps its last measurement
    clbits = sorted(last)
    p10 = np.array([readout[last[c]][0] for c in clbits])
    p01 = np.array([readout[last[c]][1] for c in clbits])
    twirl = twirling if twirling is not None and twirling.measure else None
    flips = twirl_flips(twirl.plan, len(clbits), rng) if twirl is not None else None
    bools[:, clbits] = apply_readout(bools[:, clbits], p10, p01, flips, rng)
    return bools


def run_sampler_pub(
    task: PubTask,
    circuit: QuantumCircuit,
    shots: int,
    rng: np.random.Generator,
    should_stop: Callable[[], bool],
    circuit_metadata: dict[str, Any],
    noise: Callable[..., Any] | None = None,
    readout: list[tuple[float, float]] | None = None,
    twirling: SamplerTwirling | None = None,
    gate_noise: Callable[..., Any] | None = None,
) -> SamplerPubResult:
    """Sample one PUB; results are keyed by the declared register names, in order.

    Args:
        task: The PUB.
        circuit: Its parsed circuit (shared: never mutated).
        shots: Shots per binding (``twirling.plan.shots`` when twirling).
        rng: The job's generator (also seeds Aer).
        should_stop: Polled between bindings / Aer batches.
        circuit_metadata: Copied into the PUB metadata.
        noise: ``noise(qubits, readout=...)`` -> the Aer noise model of those device qubits
            renumbered ``0..k-1`` (the simulated circuit is renumbered the same way).
        readout: ``(P(1|0), P(0|1))`` per device qubit, with ``noise``.
        twirling: Gate/measurement twirling and its shot plan, or ``None``.
        gate_noise: ``(name, device qubits, twirled)`` -> a gate's error (``trajectories``).
    """
    if twirling is not None:
        shots = twirling.plan.shots
    prep = prepared(task.qasm, circuit, task.names, task.registers, task.header)
    fields, idle, active, reduced = prep.fields, prep.idle, prep.active, prep.reduced
    binder, split = prep.binder, prep.split
    rows = task.values.reshape(math.prod(task.bindings_shape), task.values.shape[-1])
    num_clbits = circuit.num_clbits
    noisy = noise is not None and bool(active)
    samples: list[np.ndarray] = []
    if num_clbits == 0:
        samples = [np.zeros((shots, 0), dtype=bool)] * len(rows)
    elif split is not None:
        unitary_binder = prep.unitary_binder
        assert unitary_binder is not None  # prepared with the split
        # Refuses what cannot be simulated before any noise model is built.
        method = noisy_method(split.unitary, shots) if noisy else ""
        twirled = twirling is not None and twirling.gates
        pub_noise = (
            PubNoise(noise, gate_noise, active, twirled=twirled) if noise and noisy else None
        )
        local_readout = [readout[q] for q in active] if readout and noisy else []
        for row in rows:
            if should_stop():
                raise JobStopped()
            bound = unitary_binder.bind(row)
            if pub_noise is not None:
                samples.append(
                    _noisy_final_shots(
                        bound, split.pairs, pub_noise, local_readout, shots, twirling, rng, method
                    )
                )
            else:
                exact = noiseless_method(bound)  # per binding: angles decide Clifford-ness
                samples.append(
                    _exact_shots(bound, split.pairs, num_clbits, shots, rng, exact, prep.program)
                )
    else:
        first = binder.bind(rows[0]) if len(rows) else reduced
        method = noisy_method(first, shots) if noisy else _dynamic_method(first)
        local = [readout[q] for q in active] if readout and noisy else None  # mid-circuit too
        pub_noise = PubNoise(noise, gate_noise, active, readout=local) if noise and noisy else None
        for start in range(0, len(rows), _AER_CHUNK):
            if should_stop():
                raise JobStopped()
            chunk = [binder.bind(row) for row in rows[start : start + _AER_CHUNK]]
            if pub_noise is not None:
                samples.extend(measured_shots(c, pub_noise, shots, rng, method) for c in chunk)
                continue
            seed = int(rng.integers(2**31))
            samples.extend(_aer_shots(chunk, shots, seed, num_clbits, method))
    # An empty sweep (shape (0, n)) has no samples to stack; its result is empty, as in Qiskit.
    stacked = np.stack(samples) if samples else np.zeros((0, shots, num_clbits), dtype=bool)
    bools = stacked.reshape(*task.bindings_shape, shots, num_clbits)
    _fill_idle_measurements(bools, idle, readout if noise is not None else None, rng)
    data = {
        name: register_bits(bools, indices)
        if indices
        else BitArray(np.zeros((*task.bindings_shape, shots, 0), dtype=np.uint8), 0)
        for name, indices in fields
    }
    metadata: dict[str, Any] = {"shots": shots, "circuit_metadata": circuit_metadata}
    if twirling is not None:
        metadata["num_randomizations"] = twirling.plan.num_randomizations
    return SamplerPubResult(DataBin(shape=task.bindings_shape, **data), metadata=metadata)


_PACK_BITS = 8  # registers up to this width are packed bit by bit


def register_bits(bools: np.ndarray, indices: list[int]) -> BitArray:
    """``BitArray.from_bool_array(bools[..., indices], order="little")``, the same bytes.

    A register of a byte or less is or-ed together one clbit at a time: a quarter of
    ``from_bool_array``'s time, which reverses, pads and ``packbits`` a copy.
    """
    if len(indices) > _PACK_BITS or bools.dtype != np.bool_:
        return BitArray.from_bool_array(bools[..., indices], order="little")
    packed = np.zeros((*bools.shape[:-1], 1), dtype=np.uint8)
    column = packed[..., 0]
    for bit, clbit in enumerate(indices):
        column |= bools[..., clbit].view(np.uint8) << bit
    return BitArray(packed, len(indices))


def _fill_idle_measurements(
    bools: np.ndarray,
    idle: list[tuple[int, int]],
    readout: list[tuple[float, float]] | None,
    rng: np.random.Generator,
) -> None:
    """Bits of measured idle qubits: 0, flipped with the qubit's P(1|0) on a noisy device."""
    for qubit, clbit in idle:
        if readout is None or not readout[qubit][0]:
            bools[..., clbit] = False
        else:
            bools[..., clbit] = rng.random(bools.shape[:-1]) < readout[qubit][0]
