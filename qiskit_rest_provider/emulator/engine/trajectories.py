"""Noisy shots of "unitary, then measurements", one trajectory per distinct noise outcome.

Each gate's device error is a mixture whose likely outcome is "nothing happened"
(:mod:`..devices.channels`): a Pauli and, on each qubit, either nothing or a rare
single-qubit remainder channel. The outcome of every gate in every shot is drawn here, from
the job's generator; shots whose outcomes agree run as one circuit (with its Paulis and
remainder channels inserted after their gates), which Aer samples at once when it holds no
Kraus channel and shot by shot when it does. For a 20-qubit GHZ on ``ibm_torino`` about 90 %
of 1,000 shots draw no error at all: a few dozen small simulations replace 1,000 trajectories
that applied a Kraus operator after every gate.

The distribution is the noise model's: each gate's mixture is its channel exactly, and the
draws are independent per gate and shot, as Aer's own noise sampling makes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction

from ...codec.bits import bitarray_from_hex
from .aer_ready import aer_ready
from .errors import JobExecutionError
from .methods import aer_simulator

__all__ = ["MAX_WORK", "PubNoise", "measured_shots", "noisy_final_shots"]

# Distinct circuits x instructions above which Aer's own per-shot noise sampling (C++) is
# left to do the work: building that many circuits in Python would cost more than it saves.
MAX_WORK = 4_000_000
_SKIP = frozenset({"measure", "barrier", "delay"})
_TRAJECTORY_METHODS = frozenset({"statevector", "matrix_product_state"})

GateNoiseOf = Callable[[str, tuple[int, ...]], Any]


class _Location:
    """One noisy gate: its index in the circuit and the instructions of each outcome."""

    def __init__(self, index: int, qubits: Sequence[Any], noise: Any) -> None:
        from qiskit.circuit.library import PauliGate

        self.index = index
        n = noise.num_qubits
        self.cdf = np.cumsum(noise.probabilities)
        self.p_identity = np.array(
            [[1.0 if s is None else s.p_identity for s in singles] for singles in noise.singles]
        )
        self.silent = np.array([all(p == "I" for p in letters) for letters in noise.paulis])
        self.width = n
        self.paulis = [
            None if silent else CircuitInstruction(PauliGate("".join(reversed(p))), tuple(qubits))
            for p, silent in zip(noise.paulis, self.silent)
        ]
        self.remainders = [
            [_remainder(s, q) for s, q in zip(singles, qubits)] for singles in noise.singles
        ]

    def draw(self, shots: int, rng: np.random.Generator) -> np.ndarray:
        """Per shot: 0 (nothing happens) or ``1 + outcome * 2**width + remainder flags``."""
        outcome = np.searchsorted(self.cdf, rng.random(shots) * self.cdf[-1], side="right")
        outcome = np.minimum(outcome, len(self.cdf) - 1)
        flags = rng.random((shots, self.width)) >= self.p_identity[outcome]
        bits = flags @ (1 << np.arange(self.width))
        trivial = self.silent[outcome] & (bits == 0)
        return np.where(trivial, 0, 1 + outcome * (1 << self.width) + bits)

    def instructions(self, code: int) -> list[CircuitInstruction]:
        outcome, bits = divmod(code - 1, 1 << self.width)
        out = [self.paulis[outcome]] if self.paulis[outcome] is not None else []
        for position, remainder in enumerate(self.remainders[outcome]):
            if bits >> position & 1 and remainder is not None:
                out.append(remainder)
        return out


def _remainder(single: Any, qubit: Any) -> CircuitInstruction | None:
    if single is None or single.instruction is None:
        return None
    return CircuitInstruction(single.instruction, (qubit,))


def _locations(circuit: QuantumCircuit, noise_of: GateNoiseOf) -> list[_Location]:
    out = []
    for index, inst in enumerate(circuit.data):
        if inst.operation.name in _SKIP:
            continue
        qubits = tuple(circuit.find_bit(q).index for q in inst.qubits)
        noise = noise_of(inst.operation.name, qubits)
        if noise is not None:
            out.append(_Location(index, inst.qubits, noise))
    return out


def _group(
    locations: list[_Location], shots: int, rng: np.random.Generator
) -> dict[tuple[tuple[int, int], ...], list[int]]:
    """Shots by their tuple of ``(location, outcome code)`` events (``()``: no error)."""
    shot_ids, loc_ids, codes = [], [], []
    for k, location in enumerate(locations):
        drawn = location.draw(shots, rng)
        hit = np.flatnonzero(drawn)
        shot_ids.append(hit)
        loc_ids.append(np.full(hit.size, k))
        codes.append(drawn[hit])
    groups: dict[tuple[tuple[int, int], ...], list[int]] = defaultdict(list)
    if not locations:
        groups[()] = list(range(shots))
        return groups
    shot_all, loc_all, code_all = (np.concatenate(a) for a in (shot_ids, loc_ids, codes))
    order = np.lexsort((loc_all, shot_all))
    shot_all, loc_all, code_all = shot_all[order], loc_all[order], code_all[order]
    boundaries = np.flatnonzero(shot_all[1:] != shot_all[:-1]) + 1
    noisy = set()
    for events in np.split(np.arange(shot_all.size), boundaries) if shot_all.size else []:
        shot = int(shot_all[events[0]])
        groups[tuple(zip(loc_all[events].tolist(), code_all[events].tolist()))].append(shot)
        noisy.add(shot)
    clean = [s for s in range(shots) if s not in noisy]
    if clean:
        groups[()] = clean
    return groups


def _realise(
    circuit: QuantumCircuit, locations: list[_Location], key: tuple[tuple[int, int], ...]
) -> QuantumCircuit:
    if not key:
        return circuit
    after: dict[int, list[CircuitInstruction]] = defaultdict(list)
    for k, code in key:
        after[locations[k].index].extend(locations[k].instructions(code))
    out = circuit.copy_empty_like()
    for index, inst in enumerate(circuit.data):
        out._append(inst)
        for extra in after.get(index, ()):
            out._append(extra)
    return out


def noisy_final_shots(
    circuit: QuantumCircuit,
    noise_of: GateNoiseOf,
    shots: int,
    rng: np.random.Generator,
    method: str,
    readout_model: Any = None,
) -> np.ndarray | None:
    """``(shots, num_clbits)`` outcomes of ``circuit`` under the device noise, or ``None``.

    ``circuit`` holds gates, measurements and resets (no control flow); ``noise_of(name,
    qubits)`` gives the :class:`..devices.channels.GateNoise` of an instruction on circuit
    qubits (``None``: exact); ``readout_model`` (an Aer noise model of readout errors only)
    goes to Aer, for circuits whose mid-circuit outcomes must see them. ``None`` is
    returned, before any simulation, for control flow, or when the shots draw so many
    distinct error patterns that Aer's own noise sampling is cheaper (:data:`MAX_WORK`).
    """
    from qiskit.circuit import ControlFlowOp

    ready = aer_ready(circuit)
    if any(isinstance(inst.operation, ControlFlowOp) for inst in ready.data):
        return None  # Aer's model puts errors on the gates inside blocks: left to it
    locations = _locations(ready, noise_of)
    groups = _group(locations, shots, rng)
    if len(groups) * max(len(ready.data), 1) > MAX_WORK:
        return None
    by_count: dict[int, list[tuple[QuantumCircuit, list[int]]]] = defaultdict(list)
    for key, members in groups.items():
        by_count[len(members)].append((_realise(ready, locations, key), members))
    out = np.zeros((shots, circuit.num_clbits), dtype=bool)
    simulator = aer_simulator(method, readout_model)
    for count, batch in sorted(by_count.items()):
        seed = int(rng.integers(2**31))
        try:
            result = simulator.run(
                [c for c, _ in batch], shots=count, memory=True, seed_simulator=seed
            ).result()
            memories = [result.data(i)["memory"] for i in range(len(batch))]
        except Exception as exc:  # Aer raises AerError, QiskitError, RuntimeError...
            raise JobExecutionError(f"Simulation failed: {exc}") from exc
        for (_, members), memory in zip(batch, memories):
            bits = bitarray_from_hex(memory, circuit.num_clbits).to_bool_array(order="little")
            out[members] = bits
    return out


class PubNoise:
    """The device noise of one PUB's simulated qubits (``active``, renumbered ``0..k-1``).

    ``model`` is Aer's noise model, built on first use only (a 20-qubit model costs seconds
    on a loaded machine); ``gate`` gives each gate's error as a sampled mixture. ``readout``
    (``(P(1|0), P(0|1))`` per active qubit) puts readout errors into the simulation, for
    circuits with mid-circuit measurements; without it the caller applies them afterwards.
    """

    def __init__(
        self,
        model_of: Callable[..., Any],
        gate_of: Callable[..., Any] | None,
        active: Sequence[int],
        *,
        readout: Sequence[tuple[float, float]] | None = None,
        twirled: bool = False,
    ) -> None:
        self._model_of, self._gate_of = model_of, gate_of
        self.active, self.twirled = list(active), twirled
        self.readout = None if readout is None else list(readout)
        self._model: Any = None

    @property
    def model(self) -> Any:
        """Aer's ``NoiseModel`` of the active qubits."""
        if self._model is None:
            with_readout = self.readout is not None
            self._model = self._model_of(self.active, readout=with_readout, twirled=self.twirled)
        return self._model

    def readout_model(self) -> Any:
        """An Aer noise model of the readout errors alone (``None`` without ``readout``)."""
        if not self.readout or not any(p10 or p01 for p10, p01 in self.readout):
            return None
        from qiskit_aer.noise import NoiseModel, ReadoutError

        model = NoiseModel()
        for qubit, (p10, p01) in enumerate(self.readout):
            if p10 or p01:
                error = ReadoutError([[1 - p10, p10], [p01, 1 - p01]])
                model.add_readout_error(error, [qubit], warnings=False)
        return model

    def gate(self, name: str, qubits: tuple[int, ...]) -> Any:
        """The :class:`..devices.channels.GateNoise` of ``name`` on circuit ``qubits``."""
        assert self._gate_of is not None
        device = tuple(self.active[q] for q in qubits)
        return self._gate_of(name, device, self.twirled)


def measured_shots(
    circuit: QuantumCircuit, noise: PubNoise, shots: int, rng: np.random.Generator, method: str
) -> np.ndarray:
    """``(shots, num_clbits)`` outcomes (little-endian) of ``circuit`` under ``noise``.

    Trajectory methods sample each gate's error here (:func:`noisy_final_shots`) when the
    backend describes its gates; otherwise, and for density matrices (one exact run), Aer
    applies its noise model.
    """
    if method in _TRAJECTORY_METHODS and noise._gate_of is not None:
        readout = noise.readout_model()
        out = noisy_final_shots(circuit, noise.gate, shots, rng, method, readout)
        if out is not None:
            return out
    simulator = aer_simulator(method, noise.model)
    seed = int(rng.integers(2**31))
    try:
        result = simulator.run(
            aer_ready(circuit), shots=shots, memory=True, seed_simulator=seed
        ).result()
        memory = result.data(0)["memory"]
    except Exception as exc:  # Aer raises AerError, QiskitError, RuntimeError...
        raise JobExecutionError(f"Simulation failed: {exc}") from exc
    bits = bitarray_from_hex(memory, circuit.num_clbits).to_bool_array(order="little")
    return np.asarray(bits, dtype=bool)
