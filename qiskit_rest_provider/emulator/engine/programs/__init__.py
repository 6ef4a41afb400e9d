"""Programs beyond the sampler and estimator: ``executor``.

:func:`validate` and :func:`run` dispatch on the program id; the sampler and estimator stay in
:mod:`..job`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import JobInputError

PROGRAMS = ("executor",)


def validate(program: str, params: dict[str, Any], backend: Any) -> None:
    """Submit-time checks of an executor / noise-learner job.

    Raises:
        JobInputError: The params are not the program's wire format, or too large.
    """
    if not isinstance(params, dict):
        raise JobInputError("'params' must be an object.")
    from .executor import parse

    parse(params)


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
    from .executor import run as run_executor

    return run_executor(params, backend, seed=seed, noisy=noisy, should_stop=should_stop)
