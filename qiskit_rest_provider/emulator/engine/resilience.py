"""Resilience level + options -> what the estimator does, how many shots, what it reports.

Level defaults as on the service (research runtime-rest-api.md §3.4): 0 = nothing; 1 (default)
= TREX measurement mitigation with measurement twirling; 2 = level 1 + gate twirling + ZNE
(gate folding). Shot accounting reproduces the service: shots = ``default_shots`` or
``ceil(1/precision²)``; with twirling, ``spr = max(64, ceil(shots/32))``,
``num_randomizations = ceil(shots/spr)``, executed shots = ``spr * num_randomizations``
(precision 0.01 -> 10016 shots, 32 randomizations).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import JobInputError
from .options import get

__all__ = ["Resilience", "resolve_resilience", "ShotPlan", "plan_shots", "job_metadata"]

_MIN_POINTS = {"linear": 2, "exponential": 2, "fallback": 2, "double_exponential": 4}


@dataclass(frozen=True)
class Resilience:
    """The mitigation an estimator job asked for (after level defaults)."""

    level: int = 1
    measure_mitigation: bool = True
    zne: bool = False
    pec: bool = False
    twirl_gates: bool = False
    twirl_measure: bool = True
    num_randomizations: int | str = "auto"
    shots_per_randomization: int | str = "auto"
    strategy: str = "active-accum"
    amplifier: str = "gate_folding"
    noise_factors: tuple[float, ...] = (1.0, 3.0, 5.0)
    extrapolators: tuple[str, ...] = ("exponential", "linear")
    eval_points: tuple[float, ...] = field(default=(0.0, 1.0, 3.0, 5.0))
    calibration_randomizations: int = 32

    @property
    def twirled(self) -> bool:
        """Whether shots are split into randomizations."""
        return self.twirl_gates or self.twirl_measure or self.measure_mitigation


def _min_points(name: str) -> int:
    if name.startswith("polynomial_degree_"):
        return int(name.rsplit("_", 1)[1]) + 1
    return _MIN_POINTS[name]


#: The settings of each level when no option is set (the usual job), resolved once.
_LEVEL_DEFAULTS: dict[int, Resilience] = {}


def resolve_resilience(params: Mapping[str, Any], options: Mapping[str, Any]) -> Resilience:
    """Apply level defaults; raises ``JobInputError`` for inconsistent ZNE settings."""
    level = int(params.get("resilience_level", 1))
    if not options:
        found = _LEVEL_DEFAULTS.get(level)
        if found is None:
            found = _LEVEL_DEFAULTS[level] = _resolve(level, options)
        return found
    return _resolve(level, options)


def _resolve(level: int, options: Mapping[str, Any]) -> Resilience:
    measure = get(options, "resilience.measure_mitigation")
    zne = get(options, "resilience.zne_mitigation")
    gates = get(options, "twirling.enable_gates")
    meas_twirl = get(options, "twirling.enable_measure")
    factors = tuple(float(f) for f in get(options, "resilience.zne.noise_factors", [1, 3, 5]))
    extrapolators = get(options, "resilience.zne.extrapolator", ["exponential", "linear"])
    if isinstance(extrapolators, str):
        extrapolators = [extrapolators]
    points = get(options, "resilience.zne.extrapolated_noise_factors", "auto")
    points = (0.0, *factors) if points == "auto" else tuple(float(p) for p in points)
    resilience = Resilience(
        level=level,
        measure_mitigation=level >= 1 if measure is None else bool(measure),
        zne=level == 2 if zne is None else bool(zne),
        pec=bool(get(options, "resilience.pec_mitigation", False)),
        twirl_gates=level == 2 if gates is None else bool(gates),
        twirl_measure=level >= 1 if meas_twirl is None else bool(meas_twirl),
        num_randomizations=get(options, "twirling.num_randomizations", "auto"),
        shots_per_randomization=get(options, "twirling.shots_per_randomization", "auto"),
        strategy=get(options, "twirling.strategy", "active-accum"),
        amplifier=get(options, "resilience.zne.amplifier", "gate_folding"),
        noise_factors=factors,
        extrapolators=tuple(extrapolators),
        eval_points=points,
        calibration_randomizations=int(
            get(options, "resilience.measure_noise_learning.num_randomizations", 32)
        ),
    )
    if resilience.zne:
        if resilience.pec:
            raise JobInputError("ZNE and PEC mitigation cannot both be enabled.")
        for name in resilience.extrapolators:
            if len(set(factors)) < _min_points(name):
                raise JobInputError(
                    f"Option 'options.resilience.zne.extrapolator': '{name}' needs at least "
                    f"{_min_points(name)} distinct noise factors, got {len(set(factors))}."
                )
    return resilience


@dataclass(frozen=True)
class ShotPlan:
    """Shots as executed: ``num_randomizations`` x ``shots_per_randomization``."""

    shots: int
    num_randomizations: int | None
    shots_per_randomization: int | None


def plan_shots(requested: int, resilience: Resilience) -> ShotPlan:
    """The service's shot accounting for ``requested`` shots (module docstring)."""
    if not resilience.twirled:
        return ShotPlan(requested, None, None)
    nrand, spr = resilience.num_randomizations, resilience.shots_per_randomization
    if spr == "auto" and nrand == "auto":
        spr = max(64, math.ceil(requested / 32))
    elif spr == "auto":
        spr = math.ceil(requested / int(nrand))
    if nrand == "auto":
        nrand = math.ceil(requested / int(spr))
    return ShotPlan(int(nrand) * int(spr), int(nrand), int(spr))


def job_metadata(
    resilience: Resilience, options: Mapping[str, Any], plan: ShotPlan | None
) -> dict[str, Any]:
    """Estimator job metadata as the service reports it (research §4.2)."""
    resilience_meta: dict[str, Any] = {
        "measure_mitigation": resilience.measure_mitigation,
        "zne_mitigation": resilience.zne,
        "pec_mitigation": resilience.pec,
    }
    if resilience.zne:
        resilience_meta["zne"] = {
            "noise_factors": list(resilience.noise_factors),
            "extrapolator": list(resilience.extrapolators),
            "extrapolated_noise_factors": list(resilience.eval_points),
        }
    return {
        "dynamical_decoupling": {
            "enable": bool(get(options, "dynamical_decoupling.enable", False)),
            "sequence_type": get(options, "dynamical_decoupling.sequence_type", "XX"),
            "extra_slack_distribution": get(
                options, "dynamical_decoupling.extra_slack_distribution", "middle"
            ),
            "scheduling_method": get(options, "dynamical_decoupling.scheduling_method", "alap"),
        },
        "twirling": {
            "enable_gates": resilience.twirl_gates,
            "enable_measure": resilience.twirl_measure,
            # Not twirled: the plan has no randomizations; echo the options (schema: int or "auto").
            "num_randomizations": (plan and plan.num_randomizations)
            or get(options, "twirling.num_randomizations", "auto"),
            "shots_per_randomization": (plan and plan.shots_per_randomization)
            or get(options, "twirling.shots_per_randomization", "auto"),
            "interleave_randomizations": True,
            "strategy": resilience.strategy,
        },
        "resilience": resilience_meta,
        "version": 2,
    }
