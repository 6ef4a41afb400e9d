"""IBM-shaped error bodies and the exception routes raise to produce them.

Every 4xx/5xx the emulator sends has the shape of the real service (research §7)::

    {"errors": [{"code": 1201, "message": "...", "solution": "...", "more_info": "..."}],
     "trace": "<uuid>"}

Codes 1000–1208, 1305 and 1500 are IBM's published ones; 1210–1213, 129x, 138x and 1401 are
the emulator's own choices where IBM's registry names none (table in docs/emulator.md).
"""

from __future__ import annotations

import uuid
from typing import Any

MORE_INFO = "https://cloud.ibm.com/apidocs/quantum-computing#error-handling"

# IBM's registry (https://quantum.cloud.ibm.com/docs/en/errors).
INTERNAL = 1000
VALIDATION = 1002
BACKEND_NOT_FOUND = 1007
FORBIDDEN = 1200
INVALID_CREDENTIALS = 1201
TOO_MANY_REQUESTS = 1202
TOO_MANY_TAGS = 1204
TAG_TOO_LONG = 1205
START_SESSION_VIA_JOBS = 1208
RAN_TOO_LONG = 1305
UNKNOWN_ERROR = 1500

# The emulator's own codes.
API_VERSION = 1210
BODY_TOO_LARGE = 1211
NOT_FOUND = 1290
PROGRAM_NOT_FOUND = 1295
JOB_NOT_FOUND = 1291
JOB_NOT_CANCELLABLE = 1292
JOB_NOT_FINAL = 1293
CALIBRATION_NOT_FOUND = 1296
SESSION_NOT_FOUND = 1381
SESSION_CLOSED = 1382
TASK_NOT_FOUND = 1401
MAINTENANCE = 1213
STORAGE_FULL = 1214

_SOLUTIONS = {
    INVALID_CREDENTIALS: "Verify your credentials and try again.",
    FORBIDDEN: "Try again or contact support.",
    TOO_MANY_REQUESTS: "Wait for the time given in the Retry-After header and try again.",
    MAINTENANCE: "Please check if the service is in maintenance mode and try again later.",
    INTERNAL: "Try again later.",
}
_DEFAULT_SOLUTION = "Review the request and try again."


def error_body(code: int, message: str, solution: str | None = None) -> dict[str, Any]:
    """Builds an IBM ``GenericErrorDto`` body with a fresh trace id.

    Args:
        code: IBM error code.
        message: Human-readable message.
        solution: What the caller should do; a per-code default when omitted.

    Returns:
        The JSON-ready body.
    """
    # A message quoting the caller's input may hold a lone surrogate, which no UTF-8 answer
    # can carry: escape it rather than fail while rendering the error.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return {
        "errors": [
            {
                "code": code,
                "message": message,
                "solution": solution or _SOLUTIONS.get(code, _DEFAULT_SOLUTION),
                "more_info": MORE_INFO,
            }
        ],
        "trace": str(uuid.uuid4()),
    }


class ApiError(Exception):
    """Raised inside a route to answer with an IBM-shaped error.

    Attributes:
        status: HTTP status code.
        code: IBM error code.
        message: Error message (must never contain a secret).
        solution: Optional solution text.
        headers: Extra response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        solution: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.solution = solution
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Returns the IBM-shaped JSON body for this error."""
        return error_body(self.code, self.message, self.solution)


def unauthorized() -> ApiError:
    """The real service's 401 for a missing, bad or expired credential."""
    return ApiError(401, INVALID_CREDENTIALS, "Invalid credentials.")


def bad_request(message: str, code: int = VALIDATION) -> ApiError:
    """A 400 validation error."""
    return ApiError(400, code, message)


def job_not_found(job_id: str) -> ApiError:
    """A 404 for a job that does not exist in the caller's instance."""
    return ApiError(404, JOB_NOT_FOUND, f"Job not found: {job_id[:100]}")


def session_not_found(session_id: str) -> ApiError:
    """A 404 for a session that does not exist in the caller's instance."""
    return ApiError(404, SESSION_NOT_FOUND, f"Session not found: {session_id[:100]}")
