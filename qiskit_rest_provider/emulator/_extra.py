"""Say which extra to install when the emulator's dependencies are missing.

Without this, ``start_emulator()``, the examples and ``qiskit-rest-emulator`` end in a bare
``ModuleNotFoundError: No module named 'uvicorn'`` that does not name the fix.
"""

from __future__ import annotations

import importlib.util

__all__ = ["missing_requirements", "require_emulator_extra", "EXTRA_HINT"]

# import name -> distribution name, as the ``emulator`` extra in pyproject.toml lists them
_REQUIRED = {"fastapi": "fastapi", "uvicorn": "uvicorn", "qiskit_aer": "qiskit-aer"}

EXTRA_HINT = (
    "install it with: python -m pip install 'qiskit-rest-provider[emulator]' "
    "(in a source checkout: python -m pip install -e '.[emulator]')"
)


def missing_requirements() -> list[str]:
    """Distributions of the ``emulator`` extra that cannot be imported here."""
    return [dist for module, dist in _REQUIRED.items() if importlib.util.find_spec(module) is None]


def require_emulator_extra() -> None:
    """Raises a ``ModuleNotFoundError`` naming the extra if any of its packages is missing."""
    missing = missing_requirements()
    if missing:
        raise ModuleNotFoundError(
            "The emulator needs the 'emulator' extra, which is not installed (missing: "
            f"{', '.join(missing)}); {EXTRA_HINT}.",
            name=missing[0].replace("-", "_"),
        )
