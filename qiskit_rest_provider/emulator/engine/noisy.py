"""Shot-based Pauli-term estimates on a noisy device model, with twirling and TREX.

Per qubit-wise-commuting measurement basis, the (gate-noise-only) Aer simulation gives the
true outcome of every shot; readout is then applied classically from the device's
``P(1|0)``/``P(0|1)``, which makes measurement twirling exact and cheap: in randomization ``r``
each measured qubit is flipped (``X`` before the measurement, the bit flipped back after) with
probability 1/2, so the readout error seen by the estimate becomes symmetric. TREX then divides
each term by its readout attenuation, learned from twirled calibration shots of ``|0...0>``.
Gate twirling is simulated in its many-randomization limit: the caller passes a noise model
whose two-qubit gate errors are Pauli-twirled (see :func:`.noise.pauli_twirled`), which is what
averaging over random Pauli frames does to them, at the cost of one simulation instead of one
per randomization.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit

from .methods import noisy_method
from .resilience import Resilience, ShotPlan
from .trajectories import PubNoise, measured_shots

__all__ = ["group_terms", "noisy_term_stats", "apply_readout", "twirl_flips"]


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
    if plan.num_randomizations is None or plan.shots_per_randomization is None:
        raise ValueError("measurement twirling needs randomizations")
    per_rand = rng.random((plan.num_randomizations, k)) < 0.5  # one flip pattern per randomization
    return np.repeat(per_rand, plan.shots_per_randomization, axis=0)


def noisy_term_stats(
    circuit: QuantumCircuit,
    labels: Sequence[str],
    plan: ShotPlan,
    resilience: Resilience,
    noise: PubNoise,
    readout: Sequence[tuple[float, float]],
    rng: np.random.Generator,
) -> np.ndarray:
    """``(2, n_terms)``: estimate and variance of each reduced Pauli label on ``circuit``.

    ``noise`` is the device noise of the circuit's qubits without readout (applied here).
    """
    stats = np.zeros((2, len(labels)))
    stats[0] = [1.0 if set(label) <= {"I"} else 0.0 for label in labels]
    twirl_measure = plan.num_randomizations is not None and (
        resilience.twirl_measure or resilience.measure_mitigation
    )
    p10_all = np.array([p for p, _ in readout])
    p01_all = np.array([p for _, p in readout])
    method = noisy_method(circuit, plan.shots)
    for basis, members in group_terms(labels):
        measured, support = _measured(circuit, basis)
        register = [measured.find_bit(bit).index for bit in measured.cregs[-1]]
        true_bits = measured_shots(measured, noise, plan.shots, rng, method)[:, register]
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
