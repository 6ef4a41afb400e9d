"""HTTP transport: one ``requests.Session``, auth, timeouts, retries and typed errors.

Knows only ``requests`` and the standard library; nothing here imports Qiskit.
"""

from .auth import AuthProvider, ClassicAuth, IamAuth, StaticBearer
from .errors import LoggedOutError, RedirectRefusedError, ResponseTooLargeError, raise_for_response
from .retry import NO_RETRY, RetryPolicy
from .transport import Transport

__all__ = [
    "AuthProvider",
    "ClassicAuth",
    "IamAuth",
    "StaticBearer",
    "NO_RETRY",
    "RetryPolicy",
    "Transport",
    "raise_for_response",
    "LoggedOutError",
    "RedirectRefusedError",
    "ResponseTooLargeError",
]
