"""Logging switched on from the environment, as qiskit-ibm-runtime does with its own variables.

``QISKIT_REST_LOG_LEVEL=INFO`` (or ``DEBUG``, ``WARNING``...) sends this package's log records
to stderr, or to the file named by ``QISKIT_REST_LOG_FILE``. Without the variable the package
only has its ``NullHandler``: nothing is printed, and an application's own logging setup decides.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Mapping

__all__ = ["LEVEL_VAR", "FILE_VAR", "configure_from_env"]

LEVEL_VAR = "QISKIT_REST_LOG_LEVEL"
FILE_VAR = "QISKIT_REST_LOG_FILE"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_from_env(environ: Mapping[str, str] | None = None) -> logging.Handler | None:
    """Configures the ``qiskit_rest_provider`` logger from ``QISKIT_REST_LOG_LEVEL``.

    Args:
        environ: The environment to read (default ``os.environ``).

    Returns:
        The handler it installed, or ``None`` when the variable is unset or invalid (an invalid
        level warns and changes nothing).
    """
    env = os.environ if environ is None else environ
    name = env.get(LEVEL_VAR, "").strip().upper()
    if not name:
        return None
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        warnings.warn(
            f"{LEVEL_VAR}={name!r} is not a logging level; use DEBUG, INFO, WARNING, ERROR or "
            "CRITICAL.",
            stacklevel=2,
        )
        return None
    logger = logging.getLogger("qiskit_rest_provider")
    path = env.get(FILE_VAR, "").strip()
    handler: logging.Handler = (
        logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler
