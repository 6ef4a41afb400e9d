"""Shot-based Pauli-term estimates on a noisy device model, with twirling and TREX.

Per qubit-wise-commuting measurement basis, the (gate-noise-only) Aer simulation gives the
true outcome of every shot; readout is then applied classically from the device's
``P(1|0)``/``P(0|1)``, which makes measurement twirling exact and cheap: in randomization ``r``
each measured qubit is flipped (``X`` before the measurement, the bit flipped back after) with
probability 1/2, so the readout error seen by the estimate becomes symmetric. TREX then divides
each term by its readout attenuation, learned from twirled calibration shots of ``|0...0>``.
Gate twirling dresses each two-qubit Clifford gate with a random Pauli pair per randomization.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit

from ...codec.results import bitarray_from_hex
from .errors import JobExecutionError
from .resilience import Resilience, ShotPlan

__all__ = ["group_terms", "noisy_term_stats", "pauli_twirl", "apply_readout", "twirl_flips"]

_TWIRLED_GATES = frozenset({"cz", "ecr", "cx"})


def group_terms(labels: Sequence[str]) -> list[tuple[str, list[int]]]:
    """Greedy qubit-wise-commuting groups ``(basis, member indices)``; identity terms skipped."""
    groups: list[tuple[list[str], list[int]]] = []
    for index, label in enumerate(labels):
        if set(label) <= {"I"}:
            continue
        for basis, members in groups:
            if all(a == b or "I" in (a, b) for a, b in zip(basis, label)):
                basis[:] = [b if a == "I" else a for a, b in zip(basis, label)]
                members.append(index)
                break
        else:
            groups.append((list(label), [index]))
    return [("".join(basis), members) for basis, members in groups]


@functools.lru_cache(maxsize=256)
def _conjugated(gate_name: str, pauli_index: int) -> tuple[str, str]:
    """``(P, G P G†)`` as two-letter labels (qubit 1 first), phases dropped."""
    from qiskit.circuit.library import get_standard_gate_name_mapping
    from qiskit.quantum_info import Clifford, Pauli

    label = "IXYZ"[pauli_index // 4] + "IXYZ"[pauli_index % 4]
    gate = get_standard_gate_name_mapping()[gate_name]
    after = Pauli(label).evolve(Clifford(gate), frame="s")
    return label, after.to_label().lstrip("-i")


def pauli_twirl(circuit: QuantumCircuit, rng: np.random.Generator) -> QuantumCircuit:
    """A random Pauli-twirled copy: ``G -> Q G P`` with ``Q = G P G†`` for 2q Clifford gates."""
    out = circuit.copy_empty_like()
    for inst in circuit.data:
        name = inst.operation.name
        if name not in _TWIRLED_GATES or len(inst.qubits) != 2:
            out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
            continue
        before, after = _conjugated(name, int(rng.integers(16)))
        _paulis(out, before, inst.qubits)
        out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
        _paulis(out, after, inst.qubits)
    return out


def _paulis(circuit: QuantumCircuit, label: str, qubits: Sequence[Any]) -> None:
    for letter, qubit in zip(label, reversed(qubits)):  # label[0] acts on qubits[1]
        if letter != "I":
            getattr(circuit, letter.lower())(qubit)


def _measured(circuit: QuantumCircuit, basis: str) -> tuple[QuantumCircuit, list[int]]:
    n = circuit.num_qubits
    support = [q for q in range(n) if basis[n - 1 - q] != "I"]
    out = circuit.copy()
    out.add_register(ClassicalRegister(len(support), "twirl_meas"))
    for k, q in enumerate(support):
        letter = basis[n - 1 - q]
        if letter == "X":
            out.h(q)
        elif letter == "Y":
            out.sdg(q)
            out.h(q)
        out.measure(q, out.cregs[-1][k])
    return out, support


def apply_readout(
    true_bits: np.ndarray,
    p10: np.ndarray,
    p01: np.ndarray,
    flips: np.ndarray | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Apply (twirled) readout errors to true outcomes ``(shots, k)``."""
    physical = true_bits ^ flips if flips is not None else true_bits
    error = np.where(physical, p01, p10)
    measured = physical ^ (rng.random(physical.shape) < error)
    return measured ^ flips if flips is not None else measured


def twirl_flips(plan: ShotPlan, k: int, rng: np.random.Generator) -> np.ndarray:
    """``(shots, k)`` measurement-twirl flips: one random pattern per randomization."""
    per_rand = rng.random((plan.num_randomizations, k)) < 0.5  # one flip pattern per randomization
    return np.repeat(per_rand, plan.shots_per_randomization, axis=0)


def noisy_term_stats(
    circuit: QuantumCircuit,
    labels: Sequence[str],
    plan: ShotPlan,
    resilience: Resilience,
    noise_model: Any,
    readout: Sequence[tuple[float, float]],
    rng: np.random.Generator,
) -> np.ndarray:
    """``(2, n_terms)``: estimate and variance of each reduced Pauli label on ``circuit``."""
    from qiskit_aer import AerSimulator

    stats = np.zeros((2, len(labels)))
    stats[0] = [1.0 if set(label) <= {"I"} else 0.0 for label in labels]
    twirl_measure = plan.num_randomizations is not None and (
        resilience.twirl_measure or resilience.measure_mitigation
    )
    p10_all = np.array([p for p, _ in readout])
    p01_all = np.array([p for _, p in readout])
    simulator = AerSimulator(noise_model=noise_model)
    for basis, members in group_terms(labels):
        measured, support = _measured(circuit, basis)
        if resilience.twirl_gates and plan.num_randomizations:
            runs = [pauli_twirl(measured, rng) for _ in range(plan.num_randomizations)]
            shots = plan.shots_per_randomization
        else:
            runs, shots = [measured], plan.shots
        try:
            result = simulator.run(
                runs, shots=shots, memory=True, seed_simulator=int(rng.integers(2**31))
            ).result()
            memories = [result.data(i)["memory"] for i in range(len(runs))]
        except Exception as exc:
            raise JobExecutionError(f"Simulation failed: {exc}") from exc
        true_bits = np.concatenate(
            [bitarray_from_hex(m, len(support)).to_bool_array(order="little") for m in memories]
        )
        flips = twirl_flips(plan, len(support), rng) if twirl_measure else None
        bits = apply_readout(true_bits, p10_all[support], p01_all[support], flips, rng)
        n = circuit.num_qubits
        for term in members:
            columns = [k for k, q in enumerate(support) if labels[term][n - 1 - q] != "I"]
            value = float(np.mean(1 - 2 * (np.sum(bits[:, columns], axis=1) % 2)))
            var = (1 - value**2) / len(bits)
            if resilience.measure_mitigation:
                value, var = _trex(
                    value,
                    var,
                    [support[k] for k in columns],
                    plan,
                    resilience,
                    p10_all,
                    p01_all,
                    rng,
                )
            stats[:, term] = value, var
    return stats


def _trex(
    value: float,
    var: float,
    qubits: list[int],
    plan: ShotPlan,
    resilience: Resilience,
    p10: np.ndarray,
    p01: np.ndarray,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Divide by the twirled readout attenuation learned from calibration shots of |0..0>."""
    spr = plan.shots_per_randomization or max(64, plan.shots // 32)
    cal_plan = ShotPlan(
        spr * resilience.calibration_randomizations, resilience.calibration_randomizations, spr
    )
    zeros = np.zeros((cal_plan.shots, len(qubits)), dtype=bool)
    bits = apply_readout(
        zeros, p10[qubits], p01[qubits], twirl_flips(cal_plan, len(qubits), rng), rng
    )
    attenuation = float(np.mean(1 - 2 * (np.sum(bits, axis=1) % 2)))
    if attenuation <= 0.05:
        return value, var  # readout too poor to learn; report unmitigated
    var_a = (1 - attenuation**2) / cal_plan.shots
    mitigated = value / attenuation
    return mitigated, var / attenuation**2 + value**2 * var_a / attenuation**4
