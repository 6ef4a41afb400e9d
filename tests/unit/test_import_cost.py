"""Importing the package and its primitives pulls in nothing heavy."""

# scipy is not listed: qiskit.primitives itself imports it, so it is part of the floor.

import subprocess
import sys

HEAVY = [
    "qiskit_aer",
    "fastapi",
    "uvicorn",
    "pydantic",
    "qiskit_qasm3_import",
    "qiskit_rest_provider.emulator",
    "qiskit_ibm_runtime",
]


def test_import_is_lazy():
    code = (
        "import sys; from qiskit_rest_provider import EstimatorV2, SamplerV2, RuntimeService; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
