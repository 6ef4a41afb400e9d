"""Local mode: run a primitive job in-process through the emulator's engine.

The PUBs go through the same coercion, validation and encoding as a job for the service, the
engine runs them as the emulator would (same seeds give the same numbers), and the result is
decoded by the same code into the same ``PrimitiveResult``. No HTTP is involved.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..codec.pubs import PubSpec
from ..exceptions import InvalidInputError
from .job_attributes import check_tags
from .local_backend import LocalBackend, require_engine
from .local_job import LocalRuntimeJob

__all__ = ["run_local", "ignored_options", "IGNORED_LOCALLY"]

#: Program options the engine does not act on; setting one warns, as qiskit-ibm-runtime's
#: local mode warns about the options it drops.
IGNORED_LOCALLY = (
    "dynamical_decoupling",
    "execution.init_qubits",
    "execution.rep_delay",
    "simulator.noise_model",
    "simulator.coupling_map",
    "simulator.basis_gates",
    "experimental",
    "resilience.layer_noise_learning",
    "resilience.layer_noise_model",
)


def _pluck(options: dict[str, Any], path: str) -> Any:
    node: Any = options
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def ignored_options(program_options: dict[str, Any], job_fields: dict[str, Any]) -> list[str]:
    """The options set for a job that local mode does not honour, by dotted path."""
    ignored = [
        path
        for path in IGNORED_LOCALLY
        if _pluck(program_options, path) not in (None, {}, [], False)
        and not (path == "dynamical_decoupling" and not _pluck(program_options, path + ".enable"))
    ]
    if "cost" in job_fields:
        ignored.append("max_execution_time")
    return ignored


def run_local(
    program: str,
    backend: LocalBackend,
    wire_pubs: list[list[Any]],
    specs: list[PubSpec],
    options: Any,
) -> LocalRuntimeJob:
    """Start a local job; returns at once, the engine runs in a worker thread.

    Raises:
        InvalidInputError: The engine refuses the job (as the service would answer 400).
        ImportError: The ``emulator`` extra is not installed.
    """
    engine = require_engine()
    program_options = options.to_program_options()
    job_fields = options.to_job_fields()
    params: dict[str, Any] = {
        "pubs": wire_pubs,
        "options": program_options,
        "version": 2,
        "support_qiskit": True,
        **options.to_params_extras(),
    }
    check_tags(job_fields.get("tags"))
    ignored = ignored_options(program_options, job_fields)
    if ignored:
        warnings.warn(f"Options {ignored} have no effect in local mode.", UserWarning, stacklevel=4)
    try:
        engine.validate_job(program, params, backend)
    except engine.JobInputError as exc:
        raise InvalidInputError(f"Local {program} job refused: {exc.message}") from None
    job = LocalRuntimeJob(program, backend, params, specs, tags=job_fields.get("tags"))
    job._start(engine)  # noqa: SLF001 - the job owns its future
    return job
