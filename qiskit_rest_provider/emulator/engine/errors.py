"""The three ways a job leaves the engine other than with a result."""

from __future__ import annotations

__all__ = [
    "JobInputError",
    "JobExecutionError",
    "JobStopped",
    "VALIDATION_ERROR",
    "TRANSPILATION_ERROR",
    "BASIS_GATES_ERROR",
    "UNKNOWN_ERROR",
]

# IBM error-code registry (research runtime-rest-api.md §5).
VALIDATION_ERROR = 1002
TRANSPILATION_ERROR = 1003
BASIS_GATES_ERROR = 1005
UNKNOWN_ERROR = 1500


class JobInputError(Exception):
    """The job is malformed; the service answers ``POST /jobs`` with HTTP 400.

    Attributes:
        message: What is wrong, naming the PUB index or option key.
        code: IBM error code (1002 validation error unless stated otherwise).
    """

    def __init__(self, message: str, code: int = VALIDATION_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class JobExecutionError(Exception):
    """The job was accepted but failed while running; it ends FAILED.

    Attributes:
        message: The reason shown to the user (``state.reason``).
        reason_code: IBM error code (``state.reason_code``).
    """

    def __init__(self, message: str, reason_code: int = UNKNOWN_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.reason_code = reason_code

    def __str__(self) -> str:
        return self.message


class JobStopped(Exception):
    """``should_stop()`` returned True between PUBs or bindings (cancel, time limit)."""
