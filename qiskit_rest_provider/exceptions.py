"""Every error this package raises, in one tree.

``QiskitRestError`` is the root. Input errors are also ``ValueError`` so code written against
Qiskit's own primitives keeps catching them. qiskit-ibm-runtime's names (``IBMRuntimeError``,
``RuntimeJobFailureError``, ``RuntimeInvalidStateError``...) are aliases of the classes raised in
the same situations, so ``except`` clauses written for that package keep working after the
import swap (``RUNTIME_NAMES``, at the end).
"""

from __future__ import annotations

from typing import Any

from qiskit.exceptions import QiskitError
from qiskit.providers import JobError
from qiskit.providers import JobTimeoutError as _QiskitJobTimeoutError
from qiskit.providers.exceptions import QiskitBackendNotFoundError

# Name lists packed by hand, so the module stays within 300 lines.
# fmt: off
__all__ = [
    "QiskitRestError", "InvalidInputError", "InvalidPubError", "InvalidPubTypeError",
    "PubValidationError", "PayloadError", "EncodeError", "DecodeError", "ApiConnectionError",
    "ApiTimeoutError", "ApiError", "BadRequestError", "NotAuthorizedError", "InvalidStateError",
    "AuthenticationError", "PermissionDeniedError", "NotFoundError", "JobNotFoundError",
    "BackendNotFoundError", "SessionNotFoundError", "SessionClosedError",
    "SessionModeNotAllowedError", "ConflictError", "RateLimitError", "ServerError",
    "ServiceMaintenanceError", "JobFailureError", "JobCancelledError", "JobMaxTimeoutError",
    "JobTimeoutError", "TranspilerServiceError", "AccountError", "AccountNotFoundError",
    "AccountAlreadyExistsError", "InstanceResolutionError", "InvalidResponseError",
]
# fmt: on


class QiskitRestError(QiskitError):
    """Base class of every error raised by qiskit_rest_provider."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # QiskitError's pickling rebuilds from ``args``; keep our attributes too.
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[QiskitRestError], message: str, state: dict[str, Any]) -> QiskitRestError:
    err = cls.__new__(cls)
    QiskitRestError.__init__(err, message)
    err.__dict__.update(state)
    return err


class InvalidInputError(QiskitRestError, ValueError):
    """A PUB, option or argument is invalid; raised before anything is sent."""


class InvalidPubError(InvalidInputError):
    """A PUB is invalid; the message names its index and the fix."""


class InvalidPubTypeError(InvalidPubError, TypeError):
    """A PUB has the wrong type (also a ``TypeError``, as Qiskit raises)."""


class PubValidationError(InvalidPubError):
    """A PUB fails a pre-submit check against the backend.

    Attributes:
        pub_index: Index of the PUB in the ``run()`` call.
        instruction: Name of the offending instruction, if any.
        qubits: Its physical qubits, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        pub_index: int,
        instruction: str | None = None,
        qubits: tuple[int, ...] | None = None,
    ) -> None:
        super().__init__(message)
        self.pub_index = pub_index
        self.instruction = instruction
        self.qubits = qubits


class AccountError(QiskitRestError):
    """Saved-account or credential problem."""


class AccountNotFoundError(AccountError):
    """No saved or environment account matches."""


class AccountAlreadyExistsError(AccountError):
    """An account of that name is saved already (pass ``overwrite=True``)."""


class InstanceResolutionError(AccountError):
    """No instance was given and none could be discovered for the API key."""


class InvalidStateError(QiskitRestError):
    """The job or session is in a state that forbids the operation (e.g. cancel a done job)."""


class PayloadError(QiskitRestError):
    """A wire payload could not be built or read."""


class EncodeError(PayloadError):
    """A Qiskit object could not be turned into the wire format."""


class DecodeError(PayloadError):
    """A server response could not be turned into Qiskit objects."""


class InvalidResponseError(DecodeError):
    """The server answered with something the API does not define (not JSON, wrong types)."""


class ApiConnectionError(QiskitRestError):
    """The request never got an HTTP answer (DNS, refused, reset)."""


class ApiTimeoutError(ApiConnectionError):
    """The server did not answer within the timeout."""


class ApiError(QiskitRestError):
    """The API answered with an HTTP error.

    Attributes:
        status_code: HTTP status.
        code: IBM error code from the body (e.g. 1201), if any.
        solution: IBM's suggested fix, if any.
        trace: The server's trace / request id, if any.
        method: HTTP method of the failed request.
        url: URL of the failed request (never carries credentials).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | str | None = None,
        solution: str | None = None,
        trace: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.solution = solution
        self.trace = trace
        self.method = method
        self.url = url

    def recast(self, cls: type[ApiError], message: str) -> ApiError:
        """The same HTTP failure as another ``ApiError`` class, with a new message."""
        return cls(
            message,
            status_code=self.status_code,
            code=self.code,
            solution=self.solution,
            trace=self.trace,
            method=self.method,
            url=self.url,
        )


class BadRequestError(ApiError):
    """400/422: the server rejected the request body or query."""


class NotAuthorizedError(ApiError):
    """401 or 403: the credentials may not do this (qiskit-ibm-runtime's IBMNotAuthorizedError)."""


class AuthenticationError(NotAuthorizedError):
    """401: missing, invalid or expired credentials."""


class PermissionDeniedError(NotAuthorizedError):
    """403: the credentials may not use this instance or resource."""


class NotFoundError(ApiError):
    """404: the resource does not exist (or belongs to another instance)."""


class JobNotFoundError(NotFoundError):
    """The job id is unknown to this instance."""


class BackendNotFoundError(NotFoundError, QiskitBackendNotFoundError):
    """The backend name is unknown to this instance."""


class SessionNotFoundError(NotFoundError):
    """The session id is unknown to this instance."""


class SessionModeNotAllowedError(PermissionDeniedError):
    """The instance may not open this kind of session (Open Plan: no dedicated sessions)."""


class SessionClosedError(QiskitRestError):
    """The Session or Batch was closed or cancelled, so it accepts no new jobs."""


class ConflictError(ApiError, InvalidStateError):
    """409: the resource is in a state that forbids the operation."""


class RateLimitError(ApiError):
    """429: too many requests. ``retry_after`` is the server's hint in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed."""


class ServiceMaintenanceError(ServerError):
    """503: the service is in maintenance."""


class JobFailureError(QiskitRestError, JobError):
    """The job ended in a failed state. ``reason`` and ``reason_code`` come from the server."""

    def __init__(
        self, message: str, *, job_id: str, reason: str | None = None, reason_code: Any = None
    ) -> None:
        QiskitRestError.__init__(self, message)
        self.job_id = job_id
        self.reason = reason
        self.reason_code = reason_code


class JobMaxTimeoutError(JobFailureError):
    """The job was stopped by the service for exceeding ``max_execution_time`` (code 1305)."""


class JobCancelledError(JobFailureError, InvalidStateError):
    """The job was cancelled, so it has no result."""


class JobTimeoutError(QiskitRestError, _QiskitJobTimeoutError):
    """Waiting for the job took longer than the caller's timeout; the job itself goes on."""


class TranspilerServiceError(QiskitRestError):
    """The transpiler task failed or could not be read."""


# qiskit-ibm-runtime 0.51's names, bound to the classes raised in the same places:
# ``except RuntimeJobFailureError:`` written for that package catches ours after the import swap.
IBMError = QiskitRestError
IBMRuntimeError = QiskitRestError
IBMApiError = ApiError
IBMAccountError = AccountError
AccountsError = AccountError
InvalidAccountError = AccountError
CloudResourceNameResolutionError = InstanceResolutionError
IBMBackendError = QiskitRestError
IBMBackendApiError = ApiError
IBMBackendApiProtocolError = DecodeError
IBMBackendValueError = InvalidInputError
IBMInputValueError = InvalidInputError
IBMNotAuthorizedError = NotAuthorizedError
RuntimeProgramNotFound = NotFoundError
RuntimeJobFailureError = JobFailureError
RuntimeJobNotFound = JobNotFoundError
RuntimeInvalidStateError = InvalidStateError
RuntimeJobTimeoutError = JobTimeoutError
RuntimeJobMaxTimeoutError = JobMaxTimeoutError

# fmt: off
RUNTIME_NAMES = (
    "IBMError", "IBMRuntimeError", "IBMApiError", "IBMAccountError", "AccountsError",
    "InvalidAccountError", "CloudResourceNameResolutionError", "IBMBackendError",
    "IBMBackendApiError", "IBMBackendApiProtocolError", "IBMBackendValueError",
    "IBMInputValueError", "IBMNotAuthorizedError", "RuntimeProgramNotFound",
    "RuntimeJobFailureError", "RuntimeJobNotFound", "RuntimeInvalidStateError",
    "RuntimeJobTimeoutError", "RuntimeJobMaxTimeoutError",
)
# fmt: on
__all__ += RUNTIME_NAMES
