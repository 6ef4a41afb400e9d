"""The work bound: instructions a text expands to, counted without expanding (issue 12 §1)."""

from __future__ import annotations

import pytest
from qiskit import qasm3
from qiskit.circuit import ForLoopOp
from qiskit.circuit.library import get_standard_gate_name_mapping

from qiskit_rest_provider.emulator.engine.qasm import Limits, QasmRejected, screen
from qiskit_rest_provider.emulator.engine.workload import (
    WorkRefused,
    expanded_size,
    strip_comments,
)

from .helpers import SIM, assert_ibm_error

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[3] c;\n'
CAP = 10**6 + 1
_STANDARD = set(get_standard_gate_name_mapping())


def chain(levels: int, call: str = "g{n} q[0];") -> str:
    """``gate g{i+1} a { g{i} a; g{i} a; }``: level n stands for 2**n x gates."""
    gates = "gate g0 a { x a; }\n" + "".join(
        f"gate g{i + 1} a {{ g{i} a; g{i} a; }}\n" for i in range(levels)
    )
    return HEAD + gates + call.format(n=levels) + "\n"


def unrolled(circuit) -> int:
    """Qiskit's own count: loops times their bodies, custom gates by their definitions."""
    total = 0
    for instruction in circuit.data:
        op = instruction.operation
        if isinstance(op, ForLoopOp):
            total += len(op.params[0]) * unrolled(op.params[2])
        elif op.name not in _STANDARD and op.definition is not None:
            total += unrolled(op.definition)
        else:
            total += 1
    return total


AGREES_WITH_QISKIT = [
    chain(5),
    chain(3, "ctrl @ g{n} q[0], q[1];"),
    HEAD + "for int i in [0:9] { x q[0]; h q[1]; }\n",
    HEAD + "for int i in [0:2:9] x q[0];\n",
    HEAD + "for int i in [2*1:3*3] { x q[0]; }\n",
    HEAD + "for int i in {1, 4, 9} { x q[0]; }\n",
    HEAD + "for int i in [1:4] { for int j in [1:5] { z q[2]; } }\n",
    HEAD + "gate two a, b { cx a, b; h b; }\nfor int i in [0:3] { two q[0], q[1]; }\n",
    HEAD + "x q;\nc = measure q;\n",
    HEAD + "// gate hidden { ]\n/* for int i in [0:99] { */ x q[0];\n",
]


@pytest.mark.parametrize("text", AGREES_WITH_QISKIT)
def test_count_equals_qiskits_unrolled_count(text):
    assert expanded_size(text, CAP, quick=False) == unrolled(qasm3.loads(text))
    assert expanded_size(text, CAP) >= unrolled(qasm3.loads(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (chain(10), 1024),
        (chain(40), CAP),  # 2**40, saturated
        (HEAD + "for int i in [0:9999999] { x q[0]; }\n", CAP),
        (HEAD + "for int i in [0:999] { x q[0]; }\n", 1000),
        (HEAD + "for int i in [5:1] { x q[0]; }\n", 0),
        (HEAD + "for int i in [9:-3:0] { x q[0]; }\n", 4),
        (HEAD + "gate g a { x a; x a; }\npow(3) @ g q[0];\n", 6),
        (HEAD + "gate g a { x a; }\npow(-4) @ inv @ g q[0];\n", 4),
        (HEAD + "bit b;\nif (b) { x q[0]; } else { y q[0]; z q[0]; }\nif (b) x q[0];\n", 4),
        (HEAD + "bit b;\nwhile (b) { x q[0]; h q[0]; }\n", 2),
        (HEAD + "{ x q[0]; { y q[1]; } }\n", 2),
        ("OPENQASM 3.0;\nqubit[7] r;\nqreg s[4];\nreset r;\nbarrier s;\nx r[0:2];\n", 18),
        (HEAD + "gate g a { x a; }\n" + "gate q2 a { g a; }\n" + "q2 q;\n", 3),
        (HEAD + "for int i in [0:9] { }\n", 0),
        (HEAD + "delay[100ns] q;\n", 3),
        (HEAD + "h q[0]\n", 1),  # a last statement without its ";"
    ],
)
def test_exact_counts(text, expected):
    assert expanded_size(text, CAP, quick=False) == expected
    assert expanded_size(text, CAP) >= expected


@pytest.mark.parametrize(
    "trick",
    [
        "/* } */",  # a brace in a block comment
        "// }",  # in a line comment
    ],
)
def test_comments_cannot_hide_structure(trick):
    gates = "gate g0 a { x a; }\n" + "".join(
        f"gate g{i + 1} a {{ g{i} a;\n {trick}\n g{i} a; }}\n" for i in range(25)
    )
    assert expanded_size(HEAD + gates + "g25 q[0];\n", CAP) == CAP


def test_stray_braces_and_literals_cannot_end_the_count_early():
    tail = chain(30)[len(HEAD) :]
    for prefix in ("}\n", "array[int, 2, 2] a = {{1, 2}, {3, 4}};\n", "}}}\n"):
        assert expanded_size(HEAD + prefix + tail, CAP) == CAP, prefix


def test_scopes_and_set_loops_count():
    assert expanded_size(HEAD + "{ " + chain(30)[len(HEAD) :] + " }", CAP) == CAP
    loop = HEAD + "for int i in {1, 2, 3} " + "{ for int j in [0:999999] x q[0]; }\n"
    assert expanded_size(loop, CAP) == CAP
    assert expanded_size(HEAD + "for int i in {} { x q[0]; }\n", CAP) == 0


def test_broadcast_in_gate_bodies_is_per_qubit():
    # Inside a gate, "x q" is a gate argument, not the 3-qubit register q.
    text = HEAD + "gate g q { x q; x q; }\ng q[0];\n"
    assert expanded_size(text, CAP) == 2


def test_straight_line_bound_is_an_upper_bound():
    text = "OPENQASM 3.0;\nqubit[50] q;\n" + "h q;\n" * 3 + "x q[1];\n" * 4
    # the quick bound: 9 ";" + 1, and 4 wide uses of q (with its declaration) * 50
    assert expanded_size(text, CAP) == 210
    assert expanded_size(text, 211) == 210
    assert expanded_size(text, 210) == 154  # not under the cap: the exact scan decides
    assert expanded_size(text, 155) == 154
    assert expanded_size(text, 100) == 100
    old_style = "OPENQASM 2.0;\nqreg r[10];\nh r;\nh r[0];\n"
    assert expanded_size(old_style, CAP) == 5 + 10


def test_saturation_is_the_cap():
    assert expanded_size(chain(12), 1000) == 1000
    assert expanded_size(chain(12), 5000) == 4096


def test_unboundable_texts_are_refused():
    with pytest.raises(WorkRefused, match=r"integer constants, not \[0:n\]"):
        expanded_size(HEAD + "for int i in [0:n] { x q[0]; }\n", CAP)
    with pytest.raises(WorkRefused, match="integer constants"):
        expanded_size(HEAD + "for int i in [0:0:5] { x q[0]; }\n", CAP)
    with pytest.raises(WorkRefused, match="nested more than 200"):
        expanded_size(HEAD + "{" * 201 + "}" * 201, CAP)
    assert expanded_size(HEAD + "{" * 200 + "x q[0];" + "}" * 200, CAP) == 1


def test_strip_comments():
    assert strip_comments("a // b\nc /* d\n e */ f /* open") == "a  \nc   f  "
    assert strip_comments("no comments here") == "no comments here"


def test_screen_names_the_limit():
    with pytest.raises(QasmRejected, match=r"more than 1,000,000 instructions.*limit 1,000,000"):
        screen(chain(40))
    screen(chain(10), Limits(max_operations=1024))
    with pytest.raises(QasmRejected, match="limit 1,023 instructions"):
        screen(chain(10), Limits(max_operations=1023))
    with pytest.raises(QasmRejected, match="cannot be bounded"):
        screen(HEAD + "for int i in [0:k] { x q[0]; }\n")


@pytest.mark.parametrize(
    "text",
    [chain(40), HEAD + "for int i in [0:9999999] { x q[0]; }\n"],
    ids=["gate-chain", "loop"],
)
@pytest.mark.parametrize("program", ["sampler", "estimator"])
def test_submit_of_an_exploding_circuit_is_refused_at_once(api, text, program):
    pub = [text, None, 10] if program == "sampler" else [text, "ZZZ"]
    body = {"program_id": program, "backend": SIM, "params": {"pubs": [pub], "version": 2}}
    error = assert_ibm_error(api.post("/jobs", json={**body, "cost": 5}), 400, 1002)
    assert error["message"].startswith("PUB 0: ")
    assert "limit 1,000,000 instructions" in error["message"]
