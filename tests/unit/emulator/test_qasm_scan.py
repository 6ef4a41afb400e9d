"""One scan per PUB: screen() returns the declarations, the task carries header and registers."""

import numpy as np
import pytest

from qiskit_rest_provider.emulator.engine.inputs import parse_pubs
from qiskit_rest_provider.emulator.engine.qasm import Declarations, screen

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        ("qubit[3] q;\nbit[2] c;\n", Declarations(3, False)),
        ("qreg q[2];\nqubit r;\n", Declarations(3, False)),
        ("x $4;\nrz(0.5) $1;\n", Declarations(5, True)),
        ("qubit[2] q;\nx $6;\n", Declarations(7, False)),
        ("bit[2] c;\n", Declarations(0, False)),
        ("// x $9;\nqubit q;\n", Declarations(1, False)),
    ],
)
def test_screen_returns_what_the_text_declares(body, declared):
    assert screen(HEAD + body) == declared


def test_the_task_carries_header_registers_and_width():
    text = (
        "// qiskit_rest_provider: "
        '{"cregs": ["meas", "extra"], "metadata": {"run": 7}}\n'
        + HEAD
        + "input float[64] p00;\nqubit[2] q;\nbit[2] meas;\nbit[1] extra;\n"
        "rz(p00) q[0];\nmeasure q[0] -> meas[0];\n"
    )
    (task,) = parse_pubs("sampler", {"pubs": [[text, [0.25], 10]]}, max_qubits=5)
    assert task.header == {"cregs": ["meas", "extra"], "metadata": {"run": 7}}
    assert task.registers == [("meas", 2), ("extra", 1)]
    assert task.names == ["p00"]
    assert np.array_equal(task.values, [0.25])
    assert task.physical is False
    (estimator_task,) = parse_pubs(
        "estimator", {"pubs": [[HEAD + "x $3;\n", {"ZIII": 1.0}]]}, max_qubits=5
    )
    assert estimator_task.physical is True
    assert estimator_task.header == {}
