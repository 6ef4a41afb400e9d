"""Engine: malformed jobs -> JobInputError (1002), bad QASM -> JobExecutionError, stopping."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import (
    JobExecutionError,
    JobInputError,
    JobStopped,
    run_job,
    validate_job,
)

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
BELL = HEAD + "qubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n"
PARAM = HEAD + "input float[64] a;\nqubit[1] q;\nrx(a) q[0];\n"


@pytest.fixture(scope="module")
def sim():
    return default_backends()["ibmq_qasm_simulator"]


@pytest.mark.parametrize(
    ("program", "params", "needle"),
    [
        ("sampler", {}, "pubs"),
        ("sampler", {"pubs": []}, "pubs"),
        ("sampler", {"pubs": [BELL], "version": 1}, "version"),
        ("sampler", {"pubs": [BELL], "resilience_level": 1}, "resilience"),
        ("sampler", {"pubs": [BELL], "bogus": 1}, "bogus"),
        ("sampler", {"pubs": [BELL], "support_qiskit": "yes"}, "support_qiskit"),
        ("sampler", {"pubs": [[BELL, None, 0]]}, "PUB 0: shots"),
        ("sampler", {"pubs": [BELL, [BELL, None, -5]]}, "PUB 1: shots"),
        ("sampler", {"pubs": [[BELL, None, 10, 4]]}, "PUB 0"),
        ("sampler", {"pubs": [[42]]}, "PUB 0"),
        ("sampler", {"pubs": [[PARAM]]}, "PUB 0"),
        ("sampler", {"pubs": [[PARAM, [1.0, 2.0, 3.0, 4.0], 10]], "shots": 0}, "shots"),
        ("sampler", {"pubs": [[PARAM, {"b": 1.0}]]}, "PUB 0"),
        ("sampler", {"pubs": [[PARAM, [["x"]]]]}, "PUB 0"),
        ("sampler", {"pubs": [BELL], "options": {"default_precision": 0.1}}, "default_precision"),
        ("sampler", {"pubs": [BELL], "options": {"twirling": {"foo": 1}}}, "twirling.foo"),
        ("estimator", {"pubs": [[BELL]]}, "PUB 0"),
        ("estimator", {"pubs": [[BELL, None]]}, "PUB 0: an estimator PUB needs observables"),
        ("estimator", {"pubs": [[BELL, "ZZZ"]]}, "PUB 0: observable"),
        ("estimator", {"pubs": [[BELL, {"ZA": 1}]]}, "PUB 0: Pauli label"),
        ("estimator", {"pubs": [[BELL, []]]}, "PUB 0"),
        ("estimator", {"pubs": [[BELL, "ZZ", None, -0.1]]}, "PUB 0: precision"),
        ("estimator", {"pubs": [[BELL, ["ZZ", "XX"], None]], "resilience_level": 3}, "resilience"),
        ("estimator", {"pubs": [[PARAM, ["Z", "X"], [[1.0], [2.0], [3.0]]]]}, "broadcast"),
        ("estimator", {"pubs": [[BELL, "ZZ"]], "options": {"default_precision": 0}}, "precision"),
        ("estimator", {"pubs": [[BELL, "ZZ"]], "options": {"resilience": {"zne": 1}}}, "zne"),
        ("other", {"pubs": [BELL]}, "program"),
    ],
)
def test_bad_input_is_job_input_error(sim, program, params, needle):
    with pytest.raises(JobInputError) as info:
        validate_job(program, params, sim)
    assert info.value.code == 1002
    assert needle in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        'OPENQASM 3.0;\ninclude "/etc/passwd";\nqubit q;\n',
        'OPENQASM 3.0;\ninclude "stdgates.inc"; include "x.inc";\nqubit q;\n',
        'OPENQASM 3.0;\ninclude\n"missing.inc";\nqubit q;\n',
        'OPENQASM 3.0;\n/* */ include "missing.inc";\nqubit q;\n',
        'OPENQASM 3.0;\ninclude "qelib1.inc";\nqreg q[1];\n',
    ],
)
def test_includes_other_than_stdgates_are_refused_before_parsing(sim, text):
    with pytest.raises(JobInputError, match="include"):
        validate_job("sampler", {"pubs": [text]}, sim)
    with pytest.raises(JobExecutionError, match="include"):
        run_job("sampler", {"pubs": [text]}, sim, seed=1)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (HEAD + "bit[2147483648] c;\nqubit q;\n", "bits"),
        (HEAD + "qubit[1000000000] q;\n", "qubits"),
        (HEAD + "qubit[10**9] q;\n", "integer literals"),
        (HEAD + "qreg q[100000];\n", "qubits"),
        (HEAD + "qubit[40] q;\n", "backend has 32"),
    ],
)
def test_oversized_declarations_are_refused(sim, text, needle):
    with pytest.raises(JobInputError, match=needle):
        validate_job("sampler", {"pubs": [text]}, sim)


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "qubit[2] q;\nfoo q[0];\n",
        HEAD + "qubit[2] q;\nh q[5];\n",
        "this is not qasm",
        HEAD + "qubit[1] q;\nrx(b) q[0];\n",
    ],
)
def test_bad_qasm_fails_the_job_with_the_parser_message(sim, text):
    params = {"pubs": [[text, None, 10]]}
    validate_job("sampler", params, sim)  # textual checks pass; the parser decides at run time
    with pytest.raises(JobExecutionError) as info:
        run_job("sampler", params, sim, seed=1)
    assert info.value.message.startswith("PUB 0:")
    assert info.value.reason_code == 1002


def test_should_stop_between_pubs_and_bindings(sim):
    calls = []

    def stop_on_third():
        calls.append(1)
        return len(calls) >= 3

    qc = QuantumCircuit(1)
    qc.h(0)
    qc.measure_all()
    text = export_circuit(qc).qasm
    with pytest.raises(JobStopped):
        run_job("sampler", {"pubs": [text, text, text]}, sim, seed=1, should_stop=stop_on_third)
    with pytest.raises(JobStopped):
        run_job(
            "estimator",
            {"pubs": [[PARAM, "Z", [[0.1]] * 5]]},
            sim,
            seed=1,
            should_stop=lambda: True,
        )
