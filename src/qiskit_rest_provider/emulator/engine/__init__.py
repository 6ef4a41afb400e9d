"""The emulator's engine: checks and runs sampler/estimator jobs on a simulator.

Interface (docs/emulator-internals.md): :func:`validate_job`, :func:`run_job`, and the
exceptions :class:`JobInputError`, :class:`JobExecutionError`, :class:`JobStopped`.
Heavy modules (parsers, Aer) load on first use.
"""

from .errors import JobExecutionError, JobInputError, JobStopped
from .job import run_job, validate_job

__all__ = ["JobExecutionError", "JobInputError", "JobStopped", "run_job", "validate_job"]
