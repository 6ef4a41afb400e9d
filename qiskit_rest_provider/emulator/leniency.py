"""What the Classic service accepted that the current API refuses, and calibration ids.

The seed notebook (Classic dialect) sends ``options.transpilation`` with its estimator jobs:
the Classic service took it, the current v2 options schema forbids it (research
runtime-rest-api.md §0.10). On the Classic dialect the emulator drops it and says so in the
job's logs; on the current dialect the options check stays strict.
"""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import ApiError, bad_request
from .runner import utc_line

#: Options the Classic service accepted and ignored (v1 primitives' options).
CLASSIC_ONLY_OPTIONS = ("transpilation",)


def classic_leniency(dialect: str, params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Drops Classic-only options on the Classic dialect.

    Returns:
        The params to validate and store, and warning lines for the job's logs.
    """
    options = params.get("options")
    if dialect != "classic" or not isinstance(options, dict):
        return params, []
    dropped = [key for key in CLASSIC_ONLY_OPTIONS if key in options]
    if not dropped:
        return params, []
    kept = {key: value for key, value in options.items() if key not in dropped}
    notes = [
        utc_line(
            f"WARNING Option 'options.{key}' is ignored: the runtime transpiles nothing (send "
            "ISA circuits); the current API refuses this option."
        )
        for key in dropped
    ]
    return {**params, "options": kept}, notes


def check_calibration(backend: Any, calibration_id: Any) -> None:
    """Refuses a ``calibration_id`` the backend does not have (the service: not found).

    Raises:
        ApiError: 400 for a non-string id, 404 for an unknown one.
    """
    if calibration_id is None:
        return
    if not isinstance(calibration_id, str) or not 0 < len(calibration_id) <= 100:
        raise bad_request("'calibration_id' must be a string of 1 to 100 characters.")
    if calibration_id != getattr(backend, "calibration_id", None):
        raise ApiError(
            404,
            errors.CALIBRATION_NOT_FOUND,
            f"Calibration not found: {calibration_id[:100]} (backend {backend.name}).",
        )
