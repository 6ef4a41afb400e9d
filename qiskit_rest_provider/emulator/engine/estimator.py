"""Estimator PUBs: exact values, shot-based estimates meeting a precision, noise and ZNE.

Only the qubits the circuit acts on are simulated: on an untouched qubit (still ``|0>``) a
Pauli term's factor is 1 for ``I``/``Z`` and 0 for ``X``/``Y``, so a 127-qubit ISA circuit
that touches 5 qubits costs a 5-qubit simulation. Per binding the engine computes, for every
noise factor, an estimate and variance of each distinct Pauli term; observables are linear
combinations of those, and ZNE extrapolates them across noise factors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import DataBin, PubResult

from .errors import VALIDATION_ERROR, JobExecutionError, JobStopped
from .estimator_prep import (  # noqa: F401 - the cache's names, where they were
    _PREPARED,
    _PREPARED_MAX_OPS,
    _PREPARED_SIZE,
    _Prepared,
    _prepared,
)
from .exact import exact_values
from .inputs import PubTask
from .methods import SMALL_QUBITS
from .resilience import Resilience, ShotPlan
from .trajectories import PubNoise
from .zne import extrapolate, fold_two_qubit_gates

__all__ = ["EstimatorSettings", "run_estimator_pub"]


@dataclass(frozen=True)
class EstimatorSettings:
    """How one PUB is estimated: ``plan is None`` means exact (precision 0)."""

    target_precision: float
    plan: ShotPlan | None
    resilience: Resilience


class _Terms:
    """The distinct Pauli terms of a PUB's observables, reduced to the simulated qubits."""

    def __init__(self, observables: np.ndarray, width: int, active: list[int]) -> None:
        self.labels: list[str] = []  # reduced labels (highest active qubit first)
        index: dict[str, int] = {}
        idle = [q for q in range(width) if q not in set(active)]
        self.per_observable: list[tuple[np.ndarray, np.ndarray]] = []
        for item in observables.reshape(-1):
            term_ids, coeffs = [], []
            for label, coeff in item.items():
                if any(label[width - 1 - q] in "XY" for q in idle):
                    term_ids.append(-1)  # X or Y on |0>: exactly 0
                else:
                    reduced = "".join(label[width - 1 - q] for q in reversed(active))
                    if reduced not in index:
                        index[reduced] = len(self.labels)
                        self.labels.append(reduced)
                    term_ids.append(index[reduced])
                coeffs.append(coeff)
            self.per_observable.append((np.array(term_ids, dtype=int), np.array(coeffs)))


def _sampled(exact: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """``(2, n)`` shot estimates of exact values ``e`` and their estimated variances.

    ``k ~ Binomial(shots, (1+e)/2)``, estimate ``2k/shots - 1``, variance ``(1 - ê²)/shots``
    (the std comes from the data, as on hardware).
    """
    p = np.clip((1.0 + exact) / 2.0, 0.0, 1.0)
    hat = 2.0 * rng.binomial(shots, p) / shots - 1.0
    return np.stack([hat, (1.0 - hat**2) / shots])


_MAX_NOISY_QUBITS = 16


def _support(observables: np.ndarray, width: int) -> set[int]:
    """Qubits some observable term acts on non-trivially."""
    support: set[int] = set()
    for item in observables.reshape(-1):
        for label in item:
            support.update(width - 1 - i for i, c in enumerate(label) if c != "I")
    return support


class _TermEstimator:
    """Per binding: ``(n_factors, 2, n_terms + 1)`` estimates/variances (last column = 0)."""

    def __init__(
        self,
        circuit: QuantumCircuit,
        task: PubTask,
        observables: np.ndarray,
        settings: EstimatorSettings,
        rng: np.random.Generator | Callable[[], np.random.Generator],
        noise: Callable[..., Any] | None,
        readout: list[tuple[float, float]] | None,
        gate_noise: Callable[..., Any] | None = None,
    ) -> None:
        width = circuit.num_qubits
        self.active = _prepared(circuit, None, ()).active
        if noise is not None and settings.plan is not None:
            # On a noisy device an idle qubit an observable measures still has readout error.
            support = _support(observables, width) - set(self.active)
            if len(self.active) + len(support) <= _MAX_NOISY_QUBITS:
                self.active = sorted(set(self.active) | support)
        prepared = _prepared(circuit, self.active, tuple(task.names))
        self.dynamic = prepared.dynamic
        self.terms = _Terms(observables, width, self.active)
        assert prepared.binder is not None  # asked for with the active qubits
        self.binder = prepared.binder
        self.steps = prepared.steps
        self.settings, self._rng_source = settings, rng
        self._rng = rng if isinstance(rng, np.random.Generator) else None
        res = settings.resilience
        self.factors = res.noise_factors if res.zne and settings.plan else (1.0,)
        self.noise_model, self.pub_noise = None, None
        if noise is not None and self.active and settings.plan is not None:
            # Readout is applied by noisy.py (twirled) for unitary circuits, by Aer otherwise.
            if self.dynamic:
                self.noise_model = noise(self.active, readout=True, twirled=False)
            else:
                self.pub_noise = PubNoise(noise, gate_noise, self.active, twirled=res.twirl_gates)
            self.readout = [readout[q] for q in self.active] if readout is not None else []
        # Exact values of a small unitary circuit use no randomness at all (numpy statevector,
        # no shots): the PUB's generator is then neither drawn from nor even created.
        self.seedless = (
            settings.plan is None
            and self.noise_model is None
            and not self.dynamic
            and len(self.active) <= SMALL_QUBITS
        )

    @property
    def rng(self) -> np.random.Generator:
        """The PUB's generator, created on first use."""
        if self._rng is None:
            assert callable(self._rng_source)
            self._rng = self._rng_source()
        return self._rng

    def __call__(self, row: np.ndarray) -> np.ndarray:
        bound = self.binder.bind(row)
        labels, plan, res = self.terms.labels, self.settings.plan, self.settings.resilience
        out = np.zeros((len(self.factors), 2, len(labels) + 1))
        seed = 0 if self.seedless else int(self.rng.integers(2**31))
        if self.pub_noise is None or plan is None:  # a noisy PUB always has a shot plan
            exact = exact_values(
                bound, labels, self.dynamic, seed, self.noise_model, steps=self.steps
            )
            for k in range(len(self.factors)):
                if plan is None:
                    out[k, 0, :-1] = exact
                else:
                    out[k, :, :-1] = _sampled(exact, plan.shots, self.rng)
            return out
        from .noisy import noisy_term_stats

        for k, factor in enumerate(self.factors):
            folded = fold_two_qubit_gates(bound, factor, res.amplifier)
            out[k, :, :-1] = noisy_term_stats(
                folded, labels, plan, res, self.pub_noise, self.readout, self.rng
            )
        return out


def run_estimator_pub(
    task: PubTask,
    circuit: QuantumCircuit,
    settings: EstimatorSettings,
    rng: np.random.Generator | Callable[[], np.random.Generator],
    should_stop: Callable[[], bool],
    circuit_metadata: dict[str, Any],
    noise: Callable[..., Any] | None = None,
    readout: list[tuple[float, float]] | None = None,
    gate_noise: Callable[..., Any] | None = None,
) -> PubResult:
    """Estimate one PUB.

    ``rng``: the PUB's generator, or what makes it when it is first needed.
    ``noise(qubits, readout=...)`` gives a device noise model, ``gate_noise(name, qubits,
    twirled)`` a gate's error as the mixture ``trajectories`` samples.
    """
    width = circuit.num_qubits
    observables = task.observables
    if observables is None:  # checked at submit: every estimator PUB has observables
        raise JobExecutionError(f"PUB {task.index}: no observables.", VALIDATION_ERROR)
    for item in observables.reshape(-1):
        if any(len(label) != width for label in item):
            raise JobExecutionError(
                f"PUB {task.index}: an observable's length differs from the circuit's "
                f"{width} qubits.",
                VALIDATION_ERROR,
            )
    estimator = _TermEstimator(
        circuit, task, observables, settings, rng, noise, readout, gate_noise
    )
    bshape, oshape = task.bindings_shape, observables.shape
    rows = task.values.reshape(math.prod(bshape), task.values.shape[-1])
    n_factors = len(estimator.factors)
    evs_f = np.zeros((*task.shape, n_factors))
    stds_f = np.zeros((*task.shape, n_factors))
    cache: dict[int, np.ndarray] = {}
    for pos, b, o in _positions(task.shape, bshape, oshape):
        if b not in cache:
            if should_stop():
                raise JobStopped()
            cache[b] = estimator(rows[b])
        term_ids, coeffs = estimator.terms.per_observable[o]
        stats = cache[b]
        evs_f[pos] = stats[:, 0, term_ids] @ coeffs
        stds_f[pos] = np.sqrt(stats[:, 1, term_ids] @ coeffs**2)
    return _result(task, settings, estimator.factors, evs_f, stds_f, circuit_metadata)


def _positions(shape: tuple[int, ...], bshape: tuple[int, ...], oshape: tuple[int, ...]) -> Any:
    """``(position, binding, observable)`` over the PUB's broadcast shape."""
    if not shape:  # one binding, one observable: no broadcasting to work out
        return (((), 0, 0),)
    b_index = np.broadcast_to(np.arange(math.prod(bshape)).reshape(bshape), shape)
    o_index = np.broadcast_to(np.arange(math.prod(oshape)).reshape(oshape), shape)
    return ((pos, int(b_index[pos]), int(o_index[pos])) for pos in np.ndindex(shape))


def _result(
    task: PubTask,
    settings: EstimatorSettings,
    factors: tuple[float, ...],
    evs_f: np.ndarray,
    stds_f: np.ndarray,
    circuit_metadata: dict[str, Any],
) -> PubResult:
    res, plan = settings.resilience, settings.plan
    metadata: dict[str, Any] = {
        "target_precision": settings.target_precision,
        "circuit_metadata": circuit_metadata,
    }
    if plan is None:
        return PubResult(
            DataBin(shape=task.shape, evs=evs_f[..., 0], stds=stds_f[..., 0]), metadata=metadata
        )
    metadata["shots"] = plan.shots
    if plan.num_randomizations is not None:
        metadata["num_randomizations"] = plan.num_randomizations
    if not (res.zne and len(factors) > 1):
        metadata["resilience"] = {}
        data = DataBin(
            shape=task.shape,
            evs=evs_f[..., 0],
            stds=stds_f[..., 0],
            ensemble_standard_error=stds_f[..., 0].copy(),
        )
        return PubResult(data, metadata=metadata)
    n_ext, n_pts = len(res.extrapolators), len(res.eval_points)
    evs_x = np.zeros((*task.shape, n_ext, n_pts))
    stds_x = np.zeros_like(evs_x)
    evs, stds = np.zeros(task.shape), np.zeros(task.shape)
    chosen = np.empty(task.shape, dtype=object)
    for pos in np.ndindex(task.shape):
        evs_x[pos], stds_x[pos], evs[pos], stds[pos], chosen[pos] = extrapolate(
            factors, evs_f[pos], stds_f[pos], res.extrapolators, res.eval_points
        )
    metadata["resilience"] = {"zne": {"extrapolator": chosen.tolist()}}
    data = DataBin(
        shape=task.shape,
        evs=evs,
        stds=stds,
        evs_extrapolated=evs_x,
        stds_extrapolated=stds_x,
        evs_noise_factors=evs_f,
        stds_noise_factors=stds_f,
        ensemble_stds_noise_factors=stds_f,
    )
    return PubResult(data, metadata=metadata)
