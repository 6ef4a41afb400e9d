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

from .errors import JobExecutionError, JobInputError, JobStopped
from .job import run_job, validate_job

__all__ = ["JobExecutionError", "JobInputError", "JobStopped", "run_job", "validate_job"]
