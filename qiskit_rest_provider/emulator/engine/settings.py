"""What a job's params and options decide before any PUB runs: limits, seeds, settings.

Pure functions of the parsed PUBs (``inputs.PubTask``) and the validated options tree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ...codec.defaults import DEFAULT_PRECISION, DEFAULT_SHOTS
from .errors import JobInputError
from .estimator import EstimatorSettings
from .inputs import PubTask
from .options import get
from .resilience import Resilience, plan_shots
from .sampler import SamplerTwirling

__all__ = [
    "check_sampler_limits",
    "job_seed",
    "pub_rngs",
    "estimator_settings",
    "sampler_twirling",
    "MAX_EXECUTIONS",
]

MAX_EXECUTIONS = 10_000_000  # the service's job limit: circuits x shots after broadcasting


def check_sampler_limits(
    tasks: list[PubTask], params: Mapping[str, Any], options: Mapping[str, Any]
) -> None:
    """Refuse what the service refuses for sampler jobs.

    That is measurement twirling with non-classified results, and more than
    ``MAX_EXECUTIONS`` circuits x shots.

    Raises:
        JobInputError: Either limit is broken.
    """
    meas_type = get(options, "execution.meas_type", "classified")
    if meas_type != "classified" and get(options, "twirling.enable_measure", False):
        raise JobInputError(
            f"'meas_type={meas_type}' and measurement twirling are not compatible. Set "
            "'twirling.enable_measure' to false or 'execution.meas_type' to 'classified'."
        )
    total = 0
    for task in tasks:
        shots = task.shots or params.get("shots") or get(options, "default_shots", DEFAULT_SHOTS)
        total += math.prod(task.shape) * int(shots)
    if total > MAX_EXECUTIONS:
        raise JobInputError(
            f"The job has {total} executions (circuits x shots); the limit is {MAX_EXECUTIONS}."
        )


def job_seed(program: str, options: Mapping[str, Any], seed: int | None) -> int | None:
    """The user's seed from the options, else ``seed`` (the server's)."""
    if program == "estimator" and get(options, "seed_estimator") is not None:
        return int(get(options, "seed_estimator"))
    if get(options, "simulator.seed_simulator") is not None:
        return int(get(options, "simulator.seed_simulator"))
    return seed


def pub_rngs(
    user_seed: int | None, server_seed: int | None
) -> Callable[[int], np.random.Generator]:
    """A generator per PUB, as Qiskit's reference primitives seed them.

    A seed in the options starts every PUB afresh (two identical PUBs in one job give
    identical results, as with ``StatevectorSampler(seed=...)``); the server's own seed gives
    each PUB a distinct reproducible stream; no seed shares fresh entropy.
    """
    if user_seed is not None:
        return lambda index: np.random.default_rng(user_seed)
    if server_seed is not None:
        return lambda index: np.random.default_rng([server_seed, index])
    shared = np.random.default_rng()
    return lambda index: shared


def estimator_settings(
    task: PubTask, params: Mapping[str, Any], options: Mapping[str, Any], resilience: Resilience
) -> EstimatorSettings:
    """Precision, shot plan and resilience of one estimator PUB (no plan: exact values)."""
    precision = task.precision if task.precision is not None else params.get("precision")
    if precision is None and get(options, "default_shots") is not None:
        shots = int(get(options, "default_shots"))
        plan = plan_shots(shots, resilience)
        return EstimatorSettings(1 / math.sqrt(shots), plan, resilience)
    if precision is None:
        precision = float(get(options, "default_precision", DEFAULT_PRECISION))
    if precision == 0:
        return EstimatorSettings(0.0, None, resilience)
    plan = plan_shots(math.ceil(1 / precision**2), resilience)
    return EstimatorSettings(float(precision), plan, resilience)


def sampler_twirling(options: Mapping[str, Any], shots: int) -> SamplerTwirling | None:
    """The sampler's twirling plan, or ``None`` when neither gates nor measurements twirl."""
    gates = bool(get(options, "twirling.enable_gates", False))
    measure = bool(get(options, "twirling.enable_measure", False))
    if not (gates or measure):
        return None
    resilience = Resilience(
        measure_mitigation=False,
        twirl_gates=gates,
        twirl_measure=measure,
        num_randomizations=get(options, "twirling.num_randomizations", "auto"),
        shots_per_randomization=get(options, "twirling.shots_per_randomization", "auto"),
    )
    return SamplerTwirling(gates, measure, plan_shots(shots, resilience))
