"""SQLite persistence: a restart keeps every job, result, session and token; none duplicated."""

from __future__ import annotations

import time

from .helpers import Api, sampler_job


def test_restart_keeps_finished_running_and_queued_jobs(tmp_path, make_server):
    data_dir = str(tmp_path / "db")
    first = make_server(data_dir=data_dir, workers=1)
    api = Api(first.url)
    done = api.submit(sampler_job(tags=["before"]))
    api.wait(done)
    result_before = api.get(f"/jobs/{done}/results").text
    first.faults.add("job", "stuck", times=1)  # holds the only worker: the rest stay queued
    pending = [api.submit() for _ in range(50)]
    while api.status(pending[0]) != "Running":
        time.sleep(0.01)
    cancelled = api.submit()
    api.post(f"/jobs/{cancelled}/cancel")
    session = api.post("/sessions", json={"mode": "batch"}).json()["id"]
    first.stop()

    second = make_server(data_dir=data_dir, workers=2)
    api.url = second.url  # the old token still works: the signing secret is persisted
    listing = api.get("/jobs").json()
    assert listing["count"] == 52
    assert {j["id"] for j in listing["jobs"]} == {done, cancelled, *pending}
    for job_id in pending:
        assert api.wait(job_id)["status"] == "Completed"
    assert api.get(f"/jobs/{done}/results").text == result_before
    assert api.get(f"/jobs/{done}").json()["tags"] == ["before"]
    assert api.status(cancelled) == "Cancelled"
    assert api.get(f"/sessions/{session}").status_code == 200
    assert api.get("/jobs").json()["count"] == 52  # nothing ran twice or appeared twice
    logs = api.get(f"/jobs/{pending[0]}/logs").text
    assert "Requeued after a server restart" in logs


def test_in_memory_mode_forgets(make_server):
    server = make_server()
    api = Api(server.url)
    api.submit()
    server.stop()
    again = make_server()
    assert Api(again.url, crn=api.crn).get("/jobs").json()["count"] == 0


def test_pending_transpile_task_survives_restart(tmp_path, make_server):
    import requests

    data_dir = str(tmp_path / "db")
    first = make_server(data_dir=data_dir, transpile_delay=30)
    headers = {"Authorization": "Bearer k"}
    qasm = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'
    task = requests.post(
        first.url + "/transpile",
        json={"qasm_circuits": qasm, "backend_coupling_map": [[0, 1]]},
        headers=headers,
        timeout=10,
    ).json()["task_id"]
    first.stop()
    second = make_server(data_dir=data_dir)
    deadline = time.monotonic() + 30
    while (
        state := requests.get(f"{second.url}/transpile/{task}", headers=headers, timeout=10).json()[
            "state"
        ]
    ) == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert state == "SUCCESS"


def test_one_emulator_per_data_dir(tmp_path, make_server):
    import pytest

    data_dir = str(tmp_path / "db")
    first = make_server(data_dir=data_dir)
    with pytest.raises(RuntimeError, match="another emulator"):
        make_server(data_dir=data_dir)
    first.stop()
    make_server(data_dir=data_dir)  # free again once the first one stopped
