"""Zero-noise extrapolation: two-qubit gate folding and the service's extrapolators."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit

__all__ = ["fold_two_qubit_gates", "extrapolate"]


def fold_two_qubit_gates(circuit: QuantumCircuit, factor: float, amplifier: str) -> QuantumCircuit:
    """Amplify noise by ``factor``: each folded two-qubit gate ``G`` becomes ``G (G† G)^k``.

    ``(factor - 1) / 2`` folds per gate on average; the remainder goes to the first gates
    (``gate_folding_front``), the last ones (``gate_folding_back``) or is spread evenly
    (``gate_folding``, and ``pea``, which the emulator treats as folding).
    """
    positions = [
        i
        for i, inst in enumerate(circuit.data)
        if len(inst.qubits) == 2 and inst.operation.name not in ("barrier", "measure")
    ]
    extra = round((factor - 1) / 2 * len(positions))
    if not positions or extra <= 0:
        return circuit
    base, remainder = divmod(extra, len(positions))
    folds = dict.fromkeys(positions, base)
    if amplifier == "gate_folding_back":
        chosen = positions[len(positions) - remainder :]
    elif amplifier == "gate_folding_front":
        chosen = positions[:remainder]
    else:
        chosen = (
            [positions[int(k * len(positions) / remainder)] for k in range(remainder)]
            if remainder
            else []
        )
    for position in chosen:
        folds[position] += 1
    out = circuit.copy_empty_like()
    for index, inst in enumerate(circuit.data):
        out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
        for _ in range(folds.get(index, 0)):
            out.append(inst.operation.inverse(), inst.qubits, inst.clbits)
            out.append(inst.operation, inst.qubits, inst.clbits, copy=False)
    return out


Fit = tuple[np.ndarray, np.ndarray]
"""Extrapolated values and their standard deviations at the requested points."""


def _wls(x: np.ndarray, y: np.ndarray, s: np.ndarray, degree: int, points: np.ndarray) -> Fit:
    """Weighted least-squares polynomial; values and stds at ``points``."""
    design = np.vander(x, degree + 1)
    weights = 1.0 / np.maximum(s, 1e-12) ** 2 if np.any(s > 0) else np.ones_like(x)
    gram = design.T @ (weights[:, None] * design)
    cov = np.linalg.pinv(gram)
    beta = cov @ design.T @ (weights * y)
    at = np.vander(points, degree + 1)
    values = at @ beta
    if not np.any(s > 0):
        return values, np.zeros_like(values)
    return values, np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", at, cov, at), 0.0))


def _exponential(x: np.ndarray, y: np.ndarray, s: np.ndarray, points: np.ndarray) -> Fit | None:
    if np.any(y == 0) or len(set(np.sign(y))) != 1:
        return None
    sign = np.sign(y[0])
    log_values, log_stds = _wls(x, np.log(np.abs(y)), s / np.abs(y), 1, points)
    values = sign * np.exp(log_values)
    return values, np.abs(values) * log_stds


def _double_exponential(
    x: np.ndarray, y: np.ndarray, s: np.ndarray, points: np.ndarray
) -> Fit | None:
    from scipy.optimize import curve_fit

    def model(t: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
        return a * np.exp(-b * t) + c * np.exp(-d * t)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sigma = np.maximum(s, 1e-12) if np.any(s > 0) else None
            popt, pcov = curve_fit(
                model,
                x,
                y,
                p0=(y[0] / 2, 0.1, y[0] / 2, 1.0),
                sigma=sigma,
                absolute_sigma=sigma is not None,
                maxfev=5000,
            )
    except (RuntimeError, ValueError):
        return None
    values = model(points, *popt)
    if not np.all(np.isfinite(pcov)):
        return values, np.full_like(values, np.nan)
    eps = 1e-7
    grads = np.array(
        [(model(points, *(popt + eps * np.eye(4)[k])) - values) / eps for k in range(4)]
    )
    return values, np.sqrt(np.maximum(np.einsum("ki,kl,li->i", grads, pcov, grads), 0.0))


def _one(name: str, x: np.ndarray, y: np.ndarray, s: np.ndarray, points: np.ndarray) -> Fit | None:
    if name == "linear":
        return _wls(x, y, s, 1, points)
    if name.startswith("polynomial_degree_"):
        return _wls(x, y, s, int(name.rsplit("_", 1)[1]), points)
    if name == "exponential":
        return _exponential(x, y, s, points)
    if name == "double_exponential":
        return _double_exponential(x, y, s, points)
    if name == "fallback":
        return _exponential(x, y, s, points) or _wls(x, y, s, 1, points)
    raise ValueError(f"unknown extrapolator {name}")


def extrapolate(
    factors: Sequence[float],
    values: np.ndarray,
    stds: np.ndarray,
    extrapolators: Sequence[str],
    points: Sequence[float],
) -> tuple[np.ndarray, np.ndarray, float, float, str]:
    """Fit one expectation value measured at several noise factors.

    Returns:
        ``(values (n_extrapolators, n_points), stds (same), ev_at_0, std_at_0, chosen)``, where
        the reported value is that of the first extrapolator whose fit succeeds (NaN rows for
        the ones that fail, as the service leaves them).
    """
    x = np.asarray(factors, dtype=float)
    at = np.asarray(points, dtype=float)
    out_v = np.full((len(extrapolators), len(at)), np.nan)
    out_s = np.full_like(out_v, np.nan)
    chosen, ev, sd = "", math.nan, math.nan
    for k, name in enumerate(extrapolators):
        fit = _one(name, x, np.asarray(values, float), np.asarray(stds, float), np.append(at, 0.0))
        if fit is None:
            continue
        fit_v, fit_s = fit
        out_v[k], out_s[k] = fit_v[:-1], fit_s[:-1]
        if not chosen and np.isfinite(fit_v[-1]):
            chosen, ev, sd = name, float(fit_v[-1]), float(fit_s[-1])
    return out_v, out_s, ev, sd, chosen
