"""The transpiler task API: PENDING → SUCCESS with full-width layouts, FAILURE, bad requests."""

from __future__ import annotations

import time

import pytest
import requests
from qiskit import QuantumCircuit, qasm3
from qiskit.quantum_info import SparsePauliOp

from .helpers import BELL, SIM, assert_ibm_error

GHZ3 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[3] c;\nqubit[3] q;\n'
    "h q[0];\ncx q[0], q[1];\ncx q[1], q[2];\nc = measure q;\n"
)


@pytest.fixture
def devices(emulator):
    # The device catalogue lands separately; until then these tests wait for it.
    if not {"ibm_brisbane", "ibm_torino"} <= set(emulator.state.backends):
        pytest.skip("device backends not in the catalogue yet")


def _auth(key="transpile-key"):
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def _run(url, body, headers=None, timeout=60, **params):
    r = requests.post(
        url + "/transpile", params=params, json=body, headers=headers or _auth(), timeout=30
    )
    assert r.status_code == 200, r.text
    task_id = r.json()["task_id"]
    states = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        poll = requests.get(f"{url}/transpile/{task_id}", headers=headers or _auth(), timeout=30)
        assert poll.status_code == 200
        states.append(poll.json()["state"])
        if states[-1] in ("SUCCESS", "FAILURE"):
            return poll.json(), states
        time.sleep(0.05)
    raise AssertionError("task never finished")


def test_transpile_for_eagle_backend(emulator, devices):
    answer, _ = _run(
        emulator.url,
        {"qasm_circuits": [GHZ3, BELL]},
        backend="ibm_brisbane",
        optimization_level=1,
        ai="false",
        ai_layout_mode="OPTIMIZE",
    )
    assert answer["state"] == "SUCCESS"
    assert len(answer["result"]) == 2
    for item in answer["result"]:
        assert set(item) == {"qasm", "qpy", "layout"} and item["qpy"] is None
        assert "\n" not in item["qasm"] and "ecr" in item["qasm"]
        assert len(item["layout"]["initial"]) == 127 and len(item["layout"]["final"]) == 127


def test_layout_rebuilds_observable_mapping(emulator, devices):
    answer, _ = _run(
        emulator.url, {"qasm_circuits": GHZ3}, backend="ibm_torino", optimization_level=2
    )
    item = answer["result"][0]
    assert "cz" in item["qasm"]
    circuit = qasm3.loads(item["qasm"])
    used = {circuit.find_bit(q).index for inst in circuit.data for q in inst.qubits}
    initial = item["layout"]["initial"]
    assert used <= set(range(133)) and set(initial[:3]) <= used
    obs = SparsePauliOp("ZZZ")
    padded = obs.apply_layout(initial[:3], num_qubits=133)
    assert padded.num_qubits == 133


def test_keep_layout_mode_and_coupling_map_body(emulator):
    body = {"qasm_circuits": GHZ3, "backend_coupling_map": [[0, 1], [1, 2], [2, 3]]}
    answer, _ = _run(emulator.url, body, ai_layout_mode="KEEP", optimization_level=0)
    item = answer["result"][0]
    assert item["layout"]["initial"] == [0, 1, 2, 3]
    assert "h" in item["qasm"]  # bare coupling map: gates are only routed, not translated


def test_qasm2_in_qasm2_out_and_seed_query(emulator, devices):
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    from qiskit import qasm2

    answer, _ = _run(
        emulator.url,
        {"qasm_circuits": qasm2.dumps(qc)},
        backend="ibm_brisbane",
        use_ai="True",
        optimization_level=1,
        ai_layout_mode="OPTIMIZE",
    )
    assert answer["result"][0]["qasm"].startswith("OPENQASM 2.0;")


def test_pending_then_success(make_server):
    server = make_server(transpile_delay=0.3)
    answer, states = _run(server.url, {"qasm_circuits": BELL}, backend=SIM)
    assert states[0] == "PENDING" and states[-1] == "SUCCESS"


def test_transpile_error_is_failure(emulator):
    wide = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[5] q;\nh q[4];\ncx q[4], q[0];\n'
    answer, _ = _run(emulator.url, {"qasm_circuits": wide, "backend_coupling_map": [[0, 1]]})
    assert answer["state"] == "FAILURE" and isinstance(answer["result"], str)
    bad, _ = _run(
        emulator.url, {"qasm_circuits": "OPENQASM 3.0;\nqubit[1] q;\nfrob q[0];\n"}, backend=SIM
    )
    assert bad["state"] == "FAILURE"


def test_bad_transpile_requests(emulator):
    url = emulator.url + "/transpile"

    def post(body, **params):
        return requests.post(url, params=params, json=body, headers=_auth(), timeout=30)

    ok = {"qasm_circuits": BELL}
    assert_ibm_error(requests.post(url, json=ok, params={"backend": SIM}, timeout=30), 401)
    assert_ibm_error(post(ok), 400)  # neither backend nor coupling map
    assert_ibm_error(post(ok, backend="ibm_torin"), 400, 1007)
    assert_ibm_error(post(ok, backend=SIM, ai="maybe"), 400)
    assert_ibm_error(post(ok, backend=SIM, ai_layout_mode="shuffle"), 400)
    # FastAPI's own 422 is turned into the IBM-shaped 400.
    assert_ibm_error(post(ok, backend=SIM, optimization_level="high"), 400, 1002)
    assert_ibm_error(post(ok, backend=SIM, optimization_level=7), 400, 1002)
    assert_ibm_error(post({"qasm_circuits": []}, backend=SIM), 400)
    assert_ibm_error(post({"qasm_circuits": 5}, backend=SIM), 400)
    assert_ibm_error(post({"qasm_circuits": BELL, "backend_coupling_map": [[0]]}), 400)
    r = post(
        {"qasm_circuits": BELL, "qiskit_transpile_options": {"failing_option": 1}}, backend=SIM
    )
    assert "failing_option" in assert_ibm_error(r, 400)["message"]
    assert "failing_option" in r.json()["detail"]
    evil = 'OPENQASM 3.0;\ninclude "/etc/passwd";\nqubit q;\n'
    assert_ibm_error(post({"qasm_circuits": evil}, backend=SIM), 400)
    assert_ibm_error(requests.get(url + "/nope", headers=_auth(), timeout=30), 404, 1401)


def test_tasks_are_private_to_their_user(emulator):
    r = requests.post(
        emulator.url + "/transpile",
        params={"backend": SIM},
        json={"qasm_circuits": BELL},
        headers=_auth("alice"),
        timeout=30,
    )
    task_id = r.json()["task_id"]
    other = requests.get(f"{emulator.url}/transpile/{task_id}", headers=_auth("bob"), timeout=30)
    assert_ibm_error(other, 404, 1401)


def test_version_and_backends(emulator):
    assert "qiskit" in requests.get(emulator.url + "/version", timeout=10).json()
    names = requests.get(emulator.url + "/backends", headers=_auth(), timeout=10).json()
    assert SIM in names


def test_results_expire(make_server):
    server = make_server(transpile_result_ttl=0.3)
    answer, _ = _run(server.url, {"qasm_circuits": BELL}, backend=SIM)
    assert answer["state"] == "SUCCESS"
    task_id = requests.post(
        server.url + "/transpile",
        params={"backend": SIM},
        json={"qasm_circuits": BELL},
        headers=_auth(),
        timeout=30,
    ).json()["task_id"]
    time.sleep(1.0)
    r = requests.get(f"{server.url}/transpile/{task_id}", headers=_auth(), timeout=30)
    assert "expired" in assert_ibm_error(r, 404, 1401)["message"]
