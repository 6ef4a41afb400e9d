"""Transpile tasks cannot stall the emulator: bounded input, killable workers, time limit."""

from __future__ import annotations

import base64
import io
import os
import time

import pytest
import requests

from .helpers import BELL, SIM, Api, assert_ibm_error

LIMIT = "Circuit has more gates than the allowed maximum of 1000000."


def _auth():
    return {"Authorization": "Bearer limits-key", "Content-Type": "application/json"}


def _submit(url, body, **params):
    params.setdefault("backend", SIM)
    return requests.post(url + "/transpile", params=params, json=body, headers=_auth(), timeout=30)


def _task(url, body, **params):
    r = _submit(url, body, **params)
    assert r.status_code == 200, r.text
    return r.json()["task_id"]


def _poll(url, task_id):
    r = requests.get(f"{url}/transpile/{task_id}", headers=_auth(), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _wait(url, task_id, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = _poll(url, task_id)
        if answer["state"] != "PENDING":
            return answer
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} still PENDING after {timeout} s")


def chain(depth: int, version: int = 3) -> str:
    """``g{i+1}`` calls ``g{i}`` twice: ``2**(depth + 1)`` gates from a few hundred bytes."""
    head = ["OPENQASM 3.0;", 'include "stdgates.inc";', "qubit[2] q;"]
    if version == 2:
        head = ["OPENQASM 2.0;", 'include "qelib1.inc";', "qreg q[2];"]
    lines = [*head, "gate g0 a, b { cx a, b; h a; }"]
    lines += [f"gate g{i + 1} a, b {{ g{i} a, b; g{i} b, a; }}" for i in range(depth)]
    return "\n".join([*lines, f"g{depth} q[0], q[1];"])


@pytest.mark.parametrize(
    "text",
    [
        chain(40),
        chain(40, version=2),
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\n'
        "for int i in [0:9999999] { x q[0]; }\n",
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[200];\n' + "h q;\n" * 5001,
    ],
    ids=["qasm3-chain", "qasm2-chain", "qasm3-loop", "qasm2-broadcast-25KB"],
)
def test_the_bound_refuses_at_submit_with_the_services_message(emulator, text):
    r = _submit(emulator.url, {"qasm_circuits": [BELL, text]})
    error = assert_ibm_error(r, 400, 1002)
    assert error["message"].startswith(LIMIT) and "Circuit 1," in error["message"]
    assert r.json()["detail"] == error["message"]  # what transpiler clients read


def test_a_chain_under_the_bound_is_accepted(emulator):
    answer = _wait(emulator.url, _task(emulator.url, {"qasm_circuits": chain(3, version=2)}))
    assert answer["state"] == "SUCCESS"
    assert answer["result"][0]["qasm"].startswith("OPENQASM 2.0;")


def test_a_qpy_circuit_over_the_bound_fails_before_transpiling(emulator):
    from qiskit import QuantumCircuit, qpy

    qc = QuantumCircuit(1)
    with qc.for_loop(range(2_000_000)):
        qc.x(0)
    buf = io.BytesIO()
    qpy.dump(qc, buf)
    task = _task(emulator.url, {"qpy_circuits": base64.b64encode(buf.getvalue()).decode()})
    answer = _wait(emulator.url, task)
    assert answer["state"] == "FAILURE" and LIMIT in answer["result"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_warm(server, count):
    deadline = time.monotonic() + 120
    while server.state.transpiler.warm() < count:
        assert time.monotonic() < deadline, "the transpiler workers never warmed up"
        time.sleep(0.05)


def test_a_task_past_the_time_limit_fails_while_other_tasks_and_jobs_complete(make_server):
    server = make_server(workers=1, transpile_workers=2, transpile_timeout=3)
    url = server.url
    assert _wait(url, _task(url, {"qasm_circuits": BELL}))["state"] == "SUCCESS"
    _wait_warm(server, 2)
    # 2**17 gates once unrolled: under the bound, but a minute or more of transpiling.
    hostile = _task(url, {"qasm_circuits": chain(16)})
    small = _wait(url, _task(url, {"qasm_circuits": BELL}))
    assert small["state"] == "SUCCESS"
    api = Api(url)
    assert api.wait(api.submit())["status"] == "Completed"
    assert _poll(url, hostile)["state"] == "PENDING"  # the others did not wait for it
    busy = [pid for pid in server.state.transpiler.pids() if pid]
    answer = _wait(url, hostile)
    assert answer["state"] == "FAILURE"
    assert answer["result"] == (
        "The transpilation ran longer than the emulator's limit of 3 s per task "
        "(--transpile-timeout) and was stopped."
    )
    row = server.state.store.get_task(hostile)
    # stopped within about a second of its 3 s limit (server timestamps), not after minutes
    assert 3.0 <= row["finished_ts"] - row["created_ts"] < 4.5
    _wait_warm(server, 2)
    assert _wait(url, _task(url, {"qasm_circuits": BELL}))["state"] == "SUCCESS"
    killed = [pid for pid in busy if not _alive(pid)]
    assert len(killed) == 1  # its worker, and only its worker, was killed...
    after = server.state.transpiler.pids()
    assert killed[0] not in after and all(after)  # ...and replaced


def test_stopping_the_server_kills_a_running_task(make_server):
    server = make_server(workers=1, transpile_workers=1)
    task = _task(server.url, {"qasm_circuits": chain(16)})
    deadline = time.monotonic() + 60
    while not any(server.state.transpiler.pids()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    (pid,) = server.state.transpiler.pids()
    server.stop()
    assert not _alive(pid)
    assert server.state.transpiler.pids() == [None]
    assert task  # stays PENDING in the (closed) store: resumed by a restart on a data dir


def test_a_task_over_the_memory_ceiling_fails_naming_it(make_server):
    server = make_server(workers=1, transpile_workers=1, max_job_memory_mb=150)
    # Unrolling 2**17 gates takes far more than 150 MiB (and minutes: only the ceiling ends it).
    answer = _wait(server.url, _task(server.url, {"qasm_circuits": chain(16)}), timeout=120)
    assert answer == {
        "state": "FAILURE",
        "result": "The transpilation needed more than the emulator's memory limit of 150 MiB "
        "per task (--max-job-memory).",
    }
    assert _wait(server.url, _task(server.url, {"qasm_circuits": BELL}))["state"] == "SUCCESS"


def test_an_idle_worker_that_died_is_replaced_before_the_next_task(make_server):
    import signal

    server = make_server(workers=1, transpile_workers=1)
    assert _wait(server.url, _task(server.url, {"qasm_circuits": BELL}))["state"] == "SUCCESS"
    (pid,) = server.state.transpiler.pids()
    os.kill(pid, signal.SIGKILL)  # e.g. the kernel's OOM killer, between two tasks
    while _alive(pid):
        time.sleep(0.01)
    answer = _wait(server.url, _task(server.url, {"qasm_circuits": BELL}))
    assert answer["state"] == "SUCCESS" and answer["result"][0]["layout"]["initial"] == [0, 1]
    assert server.state.transpiler.pids() != [pid]


def test_pending_tasks_past_the_limit_get_a_429(make_server):
    # The tasks stay PENDING for 30 s: the third finds the queue full.
    server = make_server(workers=1, transpile_workers=1, max_pending_jobs=2, transpile_delay=30)
    url = server.url
    first, second = _task(url, {"qasm_circuits": BELL}), _task(url, {"qasm_circuits": BELL})
    refused = _submit(url, {"qasm_circuits": BELL})
    error = assert_ibm_error(refused, 429, 1202)
    assert error["message"] == "Too many pending transpile tasks."
    assert refused.headers["Retry-After"] == "1"
    assert [_poll(url, t)["state"] for t in (first, second)] == ["PENDING", "PENDING"]
    assert server.state.store.count_pending_tasks() == 2  # the refused one was not stored
