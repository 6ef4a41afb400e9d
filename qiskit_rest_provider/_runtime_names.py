"""qiskit-ibm-runtime 0.51's exception names, bound to the classes raised in the same places.

``except RuntimeJobFailureError:`` written for that package catches ours after the import swap;
import them from :mod:`qiskit_rest_provider` or :mod:`qiskit_rest_provider.exceptions`.
"""

from __future__ import annotations

from .exceptions import (
    AccountError,
    ApiError,
    DecodeError,
    InstanceResolutionError,
    InvalidInputError,
    InvalidStateError,
    JobFailureError,
    JobMaxTimeoutError,
    JobNotFoundError,
    JobTimeoutError,
    NotAuthorizedError,
    NotFoundError,
    QiskitRestError,
)

# ``except RuntimeJobFailureError:`` written for it catches ours after the import swap.

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

RUNTIME_NAMES = __all__ = (
    "IBMError",
    "IBMRuntimeError",
    "IBMApiError",
    "IBMAccountError",
    "AccountsError",
    "InvalidAccountError",
    "CloudResourceNameResolutionError",
    "IBMBackendError",
    "IBMBackendApiError",
    "IBMBackendApiProtocolError",
    "IBMBackendValueError",
    "IBMInputValueError",
    "IBMNotAuthorizedError",
    "RuntimeProgramNotFound",
    "RuntimeJobFailureError",
    "RuntimeJobNotFound",
    "RuntimeInvalidStateError",
    "RuntimeJobTimeoutError",
    "RuntimeJobMaxTimeoutError",
)
