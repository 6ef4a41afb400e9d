"""The seed notebook's requests, replayed as the notebook sends them (both dialects).

The notebook transpiles ``random_circuit(5, depth=3, seed=42)`` on the cloud transpiler (query
``use_ai=True``, ``coupling_map: []`` and ``qiskit_transpile_options: []`` in ``params``, which
``requests`` drops), then sends the transpiled text with its 5-qubit observable unchanged, and
a batch job with ``"transpilation": {"optimization_level": 1}`` in its options.
"""

from __future__ import annotations

import json
import time

import requests
from qiskit import qasm3
from qiskit.circuit.random import random_circuit

from .helpers import Api, assert_ibm_error

DEVICE = "ibm_brisbane"
OBSERVABLES = {"IIZII": 1, "XIZZZ": 2.3}
SEED_OPTIONS = {"default_precision": 0.1, "transpilation": {"optimization_level": 1}}


def _seed_transpile(url: str, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    params = {
        "backend": DEVICE,
        "use_ai": True,
        "optimization_level": 1,
        "coupling_map": [],
        "qiskit_transpile_options": [],
        "ai_layout_mode": "OPTIMIZE",
    }
    qasm = qasm3.dumps(random_circuit(5, depth=3, seed=42))
    r = requests.post(
        url + "/transpile", params=params, json={"qasm_circuits": qasm}, headers=headers, timeout=30
    )
    assert r.status_code == 200, r.text
    task = r.json()["task_id"]
    deadline = time.monotonic() + 60
    while (answer := requests.get(f"{url}/transpile/{task}", headers=headers, timeout=30).json())[
        "state"
    ] == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert answer["state"] == "SUCCESS", answer
    item = answer["result"][0]
    # as the service answered: the five qubits on $0..$4
    assert sorted(item["layout"]["initial"][:5]) == [0, 1, 2, 3, 4]
    return item["qasm"]


def _job(program_qasm: str, options: dict) -> dict:
    return {
        "program_id": "estimator",
        "backend": DEVICE,
        "hub": "ibm-q",
        "group": "open",
        "project": "main",
        "start_session": "False",
        "params": {"pubs": [[program_qasm, OBSERVABLES, None]], "options": options},
    }


def _wait(get) -> dict:
    deadline = time.monotonic() + 60
    while (body := get())["status"] not in ("Completed", "Failed", "Cancelled"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return body


def test_classic_notebook_verbatim(emulator):
    url, token = emulator.url, "seed-api-token"
    login = requests.post(url + "/api/users/loginWithToken", json={"apiToken": token}, timeout=10)
    headers = {
        "x-access-token": login.json()["id"],
        "Content-Type": "application/json",
        "x-qx-client-application": "qiskit-version-2/0.39.2/seed",
    }
    runtime = url + "/runtime"
    assert (
        DEVICE in requests.get(runtime + "/backends", headers=headers, timeout=10).json()["devices"]
    )
    isa = _seed_transpile(url, token)
    ids = []
    r = requests.post(
        runtime + "/jobs", json=_job(isa, {"default_precision": 0.1}), headers=headers, timeout=30
    )
    assert r.status_code == 200, r.text
    ids.append(r.json()["id"])
    session = requests.post(
        runtime + "/sessions",
        json={"mode": "batch", "backend": DEVICE, "instance": "ibm-q/open/main"},
        headers=headers,
        timeout=10,
    ).json()
    body = {**_job(isa, SEED_OPTIONS), "session_id": session["id"]}
    r = requests.post(runtime + "/jobs", json=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text  # the Classic service took options.transpilation
    ids.append(r.json()["id"])
    for job_id in ids:
        job = _wait(
            lambda job_id=job_id: requests.get(
                f"{runtime}/jobs/{job_id}", headers=headers, timeout=10
            ).json()
        )
        assert job["status"] == "Completed", job
        result = json.loads(
            requests.get(f"{runtime}/jobs/{job_id}/results", headers=headers, timeout=10).text
        )
        assert abs(result["results"][0]["data"]["evs"]) <= 3.3
    logs = requests.get(f"{runtime}/jobs/{ids[1]}/logs", headers=headers, timeout=10).text
    assert "WARNING Option 'options.transpilation' is ignored" in logs
    assert (
        "transpilation"
        not in requests.get(f"{runtime}/jobs/{ids[0]}/logs", headers=headers, timeout=10).text
    )
    closed = requests.delete(
        f"{runtime}/sessions/{session['id']}/close", headers=headers, timeout=10
    )
    assert closed.status_code == 204
    assert requests.post(url + "/api/users/logout", headers=headers, timeout=10).status_code == 204
    assert_ibm_error(requests.get(runtime + "/backends", headers=headers, timeout=10), 401, 1201)


def test_current_notebook_verbatim_and_strict_options(emulator):
    api = Api(emulator.url, api_key="seed-api-token")
    isa = _seed_transpile(emulator.url, "seed-api-token")
    strict = api.post("/jobs", json=_job(isa, SEED_OPTIONS))
    assert_ibm_error(strict, 400, 1002)
    assert "options.transpilation" in strict.text
    session = api.post("/sessions", json={"mode": "batch", "backend": DEVICE}).json()
    job_id = api.submit({**_job(isa, {"default_precision": 0.1}), "session_id": session["id"]})
    assert api.wait(job_id)["status"] == "Completed", api.get(f"/jobs/{job_id}/results").text
    patch = api.request("PATCH", f"/sessions/{session['id']}", json={"accepting_jobs": False})
    assert patch.status_code == 204
    assert api.post("/logout").status_code == 204
