"""The seed notebook's request flow, in the Classic dialect and in the current one."""

from __future__ import annotations

import json
import time

import requests

from .helpers import SIM, Api, assert_ibm_error

# What the seed sends: random_circuit(5, depth=3, seed=42)-like, observables on 5 qubits.
CIRCUIT = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[5] q;\n'
    "h q[0];\ncx q[0], q[1];\nrz(0.3) q[2];\ncx q[2], q[3];\nry(1.1) q[4];\nx q[1];\n"
)
OBSERVABLES = {"IIZII": 1, "XIZZZ": 2.3}


def _wait(get, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = get()
        if body["status"] in ("Completed", "Failed", "Cancelled", "Cancelled - Ran too long"):
            return body
        time.sleep(0.02)
    raise AssertionError("not final")


DEVICE = "ibm_brisbane"


def _transpile(url, api_token, backend=SIM):
    headers = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    r = requests.post(
        url + "/transpile",
        params={
            "backend": backend,
            "use_ai": "True",
            "optimization_level": 1,
            "ai_layout_mode": "OPTIMIZE",
        },
        json={"qasm_circuits": CIRCUIT},
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    task = r.json()["task_id"]
    while (answer := requests.get(f"{url}/transpile/{task}", headers=headers, timeout=30).json())[
        "state"
    ] == "PENDING":
        time.sleep(0.05)
    assert answer["state"] == "SUCCESS", answer
    return answer["result"][0]


def test_classic_seed_flow(emulator):
    url, api_token = emulator.url, "seed-api-token"
    login = requests.post(
        url + "/api/users/loginWithToken", json={"apiToken": api_token}, timeout=10
    )
    assert login.status_code == 200
    assert {"id", "ttl", "created", "userId"} <= set(login.json())
    headers = {
        "x-access-token": login.json()["id"],
        "Content-Type": "application/json",
        "x-qx-client-application": "qiskit-version-2/0.39.2/seed",
    }
    runtime = url + "/runtime"
    devices = requests.get(runtime + "/backends", headers=headers, timeout=10).json()["devices"]
    assert SIM in devices and all(isinstance(d, str) for d in devices)

    transpiled = _transpile(url, api_token, DEVICE)
    assert len(transpiled["layout"]["initial"]) == 127
    isa_pub = [transpiled["qasm"], _pad(OBSERVABLES, transpiled), None]
    body = {
        "program_id": "estimator",
        "backend": DEVICE,
        "hub": "ibm-q",
        "group": "open",
        "project": "main",
        "start_session": "False",
        "params": {"pubs": [isa_pub], "options": {"default_precision": 0.01}},
    }
    r = requests.post(runtime + "/jobs", json=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    job_id = r.json()["id"]
    job = _wait(
        lambda: requests.get(f"{runtime}/jobs/{job_id}", headers=headers, timeout=10).json()
    )
    assert job["status"] == "Completed", job
    assert "reasonCode" in job["state"]
    result = json.loads(
        requests.get(f"{runtime}/jobs/{job_id}/results", headers=headers, timeout=10).text
    )
    assert "evs" in result["results"][0]["data"]

    session = requests.post(
        runtime + "/sessions",
        json={"mode": "batch", "backend": DEVICE, "instance": "ibm-q/open/main"},
        headers=headers,
        timeout=10,
    ).json()
    body["params"] = {"pubs": [isa_pub]}
    body["session_id"] = session["id"]
    r = requests.post(runtime + "/jobs", json=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    in_session = r.json()["id"]
    assert (
        requests.delete(
            f"{runtime}/sessions/{session['id']}/close", headers=headers, timeout=10
        ).status_code
        == 204
    )
    _wait(lambda: requests.get(f"{runtime}/jobs/{in_session}", headers=headers, timeout=10).json())

    assert requests.post(url + "/api/users/logout", headers=headers, timeout=10).status_code == 204
    after = requests.get(runtime + "/backends", headers=headers, timeout=10)
    assert_ibm_error(after, 401, 1201)
    assert after.json()["error"]["message"] == "Invalid credentials."  # legacy shape too
    assert_ibm_error(requests.post(url + "/api/users/logout", headers=headers, timeout=10), 401)


def test_classic_bad_login_and_isolation(emulator):
    url = emulator.url
    assert_ibm_error(requests.post(url + "/api/users/loginWithToken", json={}, timeout=10), 401)
    assert_ibm_error(requests.post(url + "/api/users/loginWithToken", data=b"{", timeout=10), 400)
    tokens = [
        requests.post(url + "/api/users/loginWithToken", json={"apiToken": t}, timeout=10).json()[
            "id"
        ]
        for t in ("alice", "bob")
    ]
    body = {
        "program_id": "sampler",
        "backend": SIM,
        "params": {"pubs": [[CIRCUIT + "bit[1] c;\nc[0] = measure q[0];\n", None, 10]]},
    }
    job = requests.post(
        url + "/runtime/jobs", json=body, headers={"x-access-token": tokens[0]}, timeout=30
    ).json()["id"]
    other = requests.get(
        f"{url}/runtime/jobs/{job}", headers={"x-access-token": tokens[1]}, timeout=10
    )
    assert_ibm_error(other, 404, 1291)
    me = requests.get(url + "/api/users/me", headers={"x-access-token": tokens[0]}, timeout=10)
    assert me.json()["urls"]["services"]["runtime"].endswith("/runtime")


def test_current_seed_flow(emulator):
    api = Api(emulator.url, api_key="seed-api-token")
    assert SIM in [d["name"] for d in api.get("/backends").json()["devices"]]
    transpiled = _transpile(emulator.url, "seed-api-token")
    body = {
        "program_id": "estimator",
        "backend": SIM,
        "params": {
            "pubs": [[transpiled["qasm"], _pad(OBSERVABLES, transpiled), None]],
            "options": {"default_precision": 0.01},
        },
    }
    job_id = api.submit(body)
    job = api.wait(job_id)
    assert job["status"] == "Completed", api.get(f"/jobs/{job_id}/results").text
    session = api.post("/sessions", json={"mode": "batch", "backend": SIM}).json()
    body["session_id"] = session["id"]
    in_session = api.submit(body)
    assert (
        api.request(
            "PATCH", f"/sessions/{session['id']}", json={"accepting_jobs": False}
        ).status_code
        == 204
    )
    assert api.wait(in_session)["status"] == "Completed"
    assert api.post("/logout").status_code == 204
    assert_ibm_error(api.get("/backends"), 401, 1201)


def _pad(observables, transpiled):
    """Applies the transpile layout to the seed's observables (as the seed does).

    The width is the device's: a ``$n`` circuit spans every physical qubit, although its text
    names only the touched ones.
    """
    from qiskit.quantum_info import SparsePauliOp

    width = len(transpiled["layout"]["initial"])
    op = SparsePauliOp.from_list(list(observables.items()))
    mapped = op.apply_layout(transpiled["layout"]["initial"][:5], num_qubits=width)
    return {label: float(coeff.real) for label, coeff in mapped.to_list()}
