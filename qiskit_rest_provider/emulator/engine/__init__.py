"""The emulator's engine: checks and runs sampler/estimator jobs on a simulator.

Interface (docs/emulator-internals.md): :func:`validate_job`, :func:`run_job`, and the
exceptions :class:`JobInputError`, :class:`JobExecutionError`, :class:`JobStopped`.
Heavy modules (parsers, Aer) load on first use.

Modules, in data-path order:

* ``inputs`` / ``options`` / ``resilience``: params, PUB dialects, the options tree, level
  defaults and the service's shot accounting (all textual, no parsing).
* ``qasm`` / ``fastpath``: screening of untrusted text (includes, sizes), then the Rust parser
  on rewritten text where it can take it, ``qasm3.loads`` otherwise; parsed circuits are cached.
* ``circuits``: binding by declared input order, dropping idle qubits, final-measurement split.
* ``sampler`` / ``estimator`` / ``exact`` / ``noisy`` / ``zne``: the simulations (statevector,
  stabilizer, Aer trajectories or density matrices with device noise; TREX, twirling, ZNE).
* ``isa``: the ISA check of device jobs. Devices (``emulator.devices``: seeded calibration
  JSON, topologies, per-qubit noise models) build their ``Target`` with ``codec.target``, the
  one converter the client shares.
"""

from collections.abc import Callable
from typing import Any

from . import job as _primitives
from . import programs as _programs
from .errors import JobExecutionError, JobInputError, JobStopped

__all__ = ["JobExecutionError", "JobInputError", "JobStopped", "run_job", "validate_job"]


def validate_job(program: str, params: dict[str, Any], backend: Any) -> dict[str, Any]:
    """Submit-time checks of any program (``executor``/``noise-learner`` in ``programs``).

    Raises:
        JobInputError: The job is malformed.
    """
    if program in _programs.PROGRAMS:
        _programs.validate(program, params, backend)
        return params
    return _primitives.validate_job(program, params, backend)


def run_job(
    program: str,
    params: dict[str, Any],
    backend: Any,
    *,
    seed: int | None,
    noiseless: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> Any:
    """Runs any program; see :func:`.job.run_job` for the sampler and estimator.

    Raises:
        JobExecutionError: The job failed.
        JobStopped: ``should_stop()`` returned True.
    """
    if program not in _programs.PROGRAMS:
        return _primitives.run_job(
            program, params, backend, seed=seed, noiseless=noiseless, should_stop=should_stop
        )
    noisy = not (noiseless or getattr(backend, "noiseless", True))
    try:
        return _programs.run(
            program, params, backend, seed=seed, noisy=noisy, should_stop=should_stop or bool
        )
    except JobInputError as exc:
        raise JobExecutionError(exc.message, exc.code) from exc
