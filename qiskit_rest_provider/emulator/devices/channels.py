"""Each gate's device noise as a mixture whose likely outcome is "nothing happened".

Aer's device model (:mod:`.noise`) puts on every gate a depolarizing error ``D`` followed by
thermal relaxation ``T`` on each of its qubits. When a qubit has ``T2 > T1`` that relaxation
is a Kraus channel, and one Kraus channel in a noise model makes Aer apply *every* error of
every shot as a Kraus operator: with matrix product states each costs a sweep over the whole
chain (a 20-qubit GHZ on ``ibm_torino``: ~6 ms per shot).

Here the same channel ``E = T ∘ D`` is rewritten exactly as a mixture of cheap pieces:

* a single-qubit ``E`` splits as ``p·Id + (1 - p)·E'`` with the largest ``p`` for which
  ``E'`` is still a channel (``p = 1 / <I|J⁺|I>`` for the Choi matrix ``J`` of ``E`` and the
  vectorised identity ``|I>``);
* a two-qubit ``E`` first takes the part of ``D`` that is independent Z dephasing on each
  qubit (weight ``α``), which commutes into the single-qubit relaxations; those split as
  above; the rest of ``D`` (weight ``1 - α``) is a Pauli sampled classically, followed by the
  relaxations (split where they can be);
* Pauli-twirled two-qubit errors (gate twirling) are Pauli channels: sampled classically.

The channels are the same (tests compare their superoperators with Aer's errors to 1e-9);
only the unravelling changes, so every trajectory still samples the device's noise model.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["GateNoise", "Single", "gate_noise", "split_identity"]

# A split keeps this fraction of the largest identity weight, so that the remainder's Choi
# matrix stays positive under round-off.
_MARGIN = 1e-6
# Aer's device model puts no error on measurements; delays are idle (``noise.sub_target``).
_NOT_GATES = frozenset({"measure", "delay", "barrier"})
_NOT_UNITARY = frozenset({"reset"})  # relaxation only: Aer depolarizes gates alone


_PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.diag([1.0, -1.0]).astype(complex),
}
_VEC_IDENTITY = np.eye(2, dtype=complex).reshape(-1, order="F")


@dataclass(frozen=True)
class Single:
    """A single-qubit channel ``p_identity·Id + (1 - p_identity)·remainder``.

    ``remainder`` is a ``qiskit.quantum_info.Kraus`` (``None`` when ``p_identity == 1``);
    ``instruction`` is its circuit instruction.
    """

    p_identity: float
    remainder: Any
    instruction: Any


@dataclass(frozen=True)
class GateNoise:
    """One gate's error as outcomes ``(probability, Pauli letters, singles)``.

    Each outcome applies the Pauli (letters per gate qubit, in qarg order; ``"I"`` for none)
    and then, on each gate qubit, its single-qubit channel (``None``: none).
    """

    num_qubits: int
    probabilities: np.ndarray
    paulis: tuple[tuple[str, ...], ...]
    singles: tuple[tuple[Single | None, ...], ...]

    def superop(self) -> Any:
        """The channel this mixture applies, as a ``qiskit.quantum_info.SuperOp``."""
        from qiskit.quantum_info import Operator, Pauli, SuperOp

        total = np.zeros((4**self.num_qubits, 4**self.num_qubits), dtype=complex)
        for prob, letters, singles in zip(self.probabilities, self.paulis, self.singles):
            channel = SuperOp(Operator(Pauli("".join(reversed(letters)))))
            for position, single in enumerate(singles):
                if single is not None:
                    channel = channel.compose(_single_superop(single), qargs=[position])
            total += prob * channel.data
        return SuperOp(total)


def _single_superop(single: Single) -> Any:
    from qiskit.quantum_info import SuperOp

    identity = np.eye(4, dtype=complex)
    if single.remainder is None:
        return SuperOp(identity)
    rest = SuperOp(single.remainder).data
    return SuperOp(single.p_identity * identity + (1 - single.p_identity) * rest)


def _choi(kraus: list[np.ndarray]) -> np.ndarray:
    """``sum_k vec(K) vec(K)^†`` (column-stacking ``vec``) of a single-qubit channel."""
    vecs = np.array([k.reshape(-1, order="F") for k in kraus])
    return np.asarray(vecs.T @ vecs.conj())


def split_identity(kraus: list[np.ndarray]) -> Single:
    """The single-qubit channel with Kraus operators ``kraus`` as ``p·Id + (1 - p)·rest``.

    ``p`` is (just under) the largest weight for which ``rest`` is still a channel:
    ``1 / <I|J⁺|I>`` for the channel's Choi matrix ``J``, 0 when ``|I>`` is outside its
    support (e.g. pure amplitude damping).
    """
    from qiskit.quantum_info import Kraus

    choi = _choi(kraus)
    values, vectors = np.linalg.eigh(choi)
    support = values > 1e-12 * max(float(values.max()), 1e-300)
    coefficients = vectors.conj().T @ _VEC_IDENTITY
    p_max = 0.0
    if np.linalg.norm(coefficients[~support]) <= 1e-9:
        p_max = 1.0 / float(np.sum(np.abs(coefficients[support]) ** 2 / values[support]))
    if p_max > 1 - 1e-12:  # only the identity channel has identity weight 1
        return Single(1.0, None, None)
    p = max(p_max * (1 - _MARGIN), 0.0)
    rest = (choi - p * np.outer(_VEC_IDENTITY, _VEC_IDENTITY.conj())) / (1 - p)
    values, vectors = np.linalg.eigh((rest + rest.conj().T) / 2)
    mats = [
        np.sqrt(value) * vectors[:, i].reshape(2, 2, order="F")
        for i, value in enumerate(values)
        if value > 1e-15
    ]
    remainder = Kraus(mats)
    return Single(p, remainder, remainder.to_instruction())


def _thermal(t1: float | None, t2: float | None, duration: float) -> list[np.ndarray]:
    """Kraus operators of thermal relaxation (no excited population), T2 truncated to 2·T1.

    The same channel as ``qiskit_aer.noise.thermal_relaxation_error``: amplitude damping
    with ``γ = 1 - exp(-t/T1)`` and coherences scaled by ``exp(-t/T2)``.
    """
    t1 = math.inf if t1 is None else t1
    t2 = 2 * t1 if t2 is None else min(t2, 2 * t1)
    gamma = 1 - math.exp(-duration / t1)
    coherence = math.exp(-duration / t2)
    keep = math.sqrt(1 - gamma)
    extra = min(coherence / keep, 1.0) if keep else 0.0  # dephasing beyond the damping
    return [
        math.sqrt((1 + extra) / 2) * np.diag([1.0, keep]).astype(complex),
        math.sqrt((1 - extra) / 2) * np.diag([1.0, -keep]).astype(complex),
        math.sqrt(gamma) * np.array([[0, 1], [0, 0]], dtype=complex),
    ]


def _depolarizing(error: float | None, thermals: list[list[np.ndarray]], n: int) -> float:
    """Aer's depolarizing parameter: the gate error beyond the relaxation's infidelity."""
    dim = 2**n
    process = math.prod(sum(abs(np.trace(k)) ** 2 for k in t) / 4 for t in thermals)
    relax_fid = (dim * process + 1) / (dim + 1)
    relax_infid = 1 - relax_fid
    if not error or error <= relax_infid:
        return 0.0
    error = min(error, dim / (dim + 1))
    param = dim * (error - relax_infid) / (dim * relax_fid - 1)
    return float(min(param, 4**n / (4**n - 1)))


def _pauli_weights(param: float, n: int) -> dict[tuple[str, ...], float]:
    others = param / 4**n
    weights = dict.fromkeys(itertools.product("IXYZ", repeat=n), others)
    weights[("I",) * n] = 1 - param + others
    return weights


def gate_noise(
    target: Any, name: str, qubits: tuple[int, ...], *, twirled: bool = False
) -> GateNoise | None:
    """The error of gate ``name`` on device ``qubits`` (``None``: the gate is exact there).

    Matches ``qiskit_aer.noise.device.basic_device_gate_errors`` at zero temperature;
    ``twirled`` Pauli-twirls two-qubit errors as :func:`.noise.pauli_twirled` does.
    """
    if name in _NOT_GATES or name not in target.operation_names:
        return None
    props = target[name].get(qubits)
    if props is None or len(qubits) > 2:
        return None
    duration = props.duration or 0.0
    qprops = target.qubit_properties
    thermals = []
    if duration and qprops is not None:
        thermals = [_thermal(qprops[q].t1, qprops[q].t2, duration) for q in qubits]
    n = len(qubits)
    param = 0.0 if name in _NOT_UNITARY else _depolarizing(props.error, thermals, n)
    if not thermals and not param:
        return None
    weights = _pauli_weights(param, n)
    if twirled and n == 2:
        return _twirled(weights, thermals)
    if not thermals:
        return _pauli_only(weights)
    if n == 1:
        kraus = [math.sqrt(w) * k @ _PAULI[p[0]] for p, w in weights.items() for k in thermals[0]]
        return GateNoise(1, np.array([1.0]), (("I",),), ((split_identity(kraus),),))
    return _two_qubit(weights, thermals)


def _pauli_only(weights: dict[tuple[str, ...], float]) -> GateNoise:
    items = [(p, w) for p, w in weights.items() if w > 0]
    n = len(items[0][0])
    return GateNoise(
        n,
        np.array([w for _, w in items]),
        tuple(p for p, _ in items),
        tuple((None,) * n for _ in items),
    )


Weights = dict[tuple[str, ...], float]


def _two_qubit(weights: Weights, thermals: list[list[np.ndarray]]) -> GateNoise:
    """``(T_a ⊗ T_b) ∘ D``: D's independent Z dephasing goes into the relaxations.

    With ``s = w / (w_II + w)`` (``w`` the weight of each non-identity Pauli) and
    ``α = (w_II + w)² / w_II``, ``α`` times the product of two Z dephasings of probability
    ``s`` takes all of II, ZI and IZ and part of ZZ; the other Paulis keep their weights.
    """
    w_id, w_p = weights[("I", "I")], weights[("X", "X")]
    s = w_p / (w_id + w_p)
    alpha = (w_id + w_p) ** 2 / w_id
    rest = dict(weights)
    for letters, taken in (
        (("I", "I"), alpha * (1 - s) ** 2),
        (("Z", "I"), alpha * s * (1 - s)),
        (("I", "Z"), alpha * s * (1 - s)),
        (("Z", "Z"), alpha * s * s),
    ):
        rest[letters] = max(rest[letters] - taken, 0.0)
    dephased = tuple(
        split_identity(
            [math.sqrt(1 - s) * k for k in t] + [math.sqrt(s) * k @ _PAULI["Z"] for k in t]
        )
        for t in thermals
    )
    relaxed = tuple(split_identity(t) for t in thermals)
    probs, singles = [alpha], [dephased]
    paulis: list[tuple[str, ...]] = [("I", "I")]
    for pauli, weight in rest.items():
        if weight > 1e-18:
            probs.append(weight)
            paulis.append(pauli)
            singles.append(relaxed)
    return GateNoise(2, np.array(probs), tuple(paulis), tuple(singles))


def _twirled(weights: Weights, thermals: list[list[np.ndarray]]) -> GateNoise:
    """The Pauli channel with the diagonal of the error's chi matrix (gate twirling).

    Each Kraus operator ``K = sum_P a_P P`` adds ``|a_P|²`` to the weight of ``P``.
    """
    first, second = thermals if thermals else ([np.eye(2)], [np.eye(2)])
    paulis: list[tuple[str, ...]] = list(itertools.product("IXYZ", repeat=2))
    basis = {p: np.kron(_PAULI[p[1]], _PAULI[p[0]]) for p in paulis}  # qarg 0 least significant
    chi = dict.fromkeys(paulis, 0.0)
    for p, w in weights.items():
        if w <= 0:
            continue
        for ka in first:
            for kb in second:
                op = math.sqrt(w) * np.kron(kb, ka) @ basis[p]
                for q in paulis:
                    chi[q] += abs(np.trace(basis[q] @ op) / 4) ** 2
    total = sum(chi.values())
    return _pauli_only({p: v / total for p, v in chi.items()})
