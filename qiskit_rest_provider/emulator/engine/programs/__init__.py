"""Programs beyond the sampler and estimator: ``executor`` and ``noise-learner``.

:func:`validate` and :func:`run` dispatch on the program id; the sampler and estimator stay in
:mod:`..job`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import JobInputError

PROGRAMS = ("executor", "noise-learner")


def validate(program: str, params: dict[str, Any], backend: Any) -> None:
    """Submit-time checks of an executor / noise-learner job.

    Raises:
        JobInputError: The params are not the program's wire format, or too large.
    """
    if not isinstance(params, dict):
        raise JobInputError("'params' must be an object.")
    if program == "executor":
        from .executor import check_circuits, parse

        check_circuits(parse(params), backend)
    elif "schema_version" in params:  # NoiseLearnerV3
        from .noise_learner_v3 import parse as parse_v3

        parse_v3(params, backend)
    else:
        from .noise_learner import parse as parse_learner

        parse_learner(params, backend)


def run(
    program: str,
    params: dict[str, Any],
    backend: Any,
    *,
    seed: int | None,
    noisy: bool,
    should_stop: Callable[[], bool],
) -> str:
    """Runs an executor / noise-learner job; returns its result JSON text."""
    if program == "executor":
        from .executor import run as run_executor

        return run_executor(params, backend, seed=seed, noisy=noisy, should_stop=should_stop)
    if "schema_version" in params:
        from .noise_learner_v3 import run as run_v3

        return run_v3(params, backend, seed=seed, noisy=noisy, should_stop=should_stop)
    from .noise_learner import run as run_learner

    return run_learner(params, backend, seed=seed, noisy=noisy, should_stop=should_stop)
