"""Sessions and batches: create, read, close (queued jobs run), cancel (queued jobs don't)."""

from __future__ import annotations

from .helpers import SIM, Api, assert_ibm_error, sampler_job


def _session(api, **body):
    r = api.post("/sessions", json={"mode": "batch", "backend": SIM, **body})
    assert r.status_code == 200, r.text
    return r.json()


def test_create_and_read(api):
    created = _session(api, max_ttl=600, instance=api.crn)  # 0.51 sends the legacy "instance"
    assert created["mode"] == "batch" and created["state"] == "open"
    assert created["accepting_jobs"] is True and created["max_ttl"] == 600
    got = api.get(f"/sessions/{created['id']}").json()
    assert got["id"] == created["id"] and got["backend_name"] == SIM
    dedicated = _session(api, mode="dedicated")
    assert dedicated["mode"] == "dedicated"


def test_jobs_in_session_and_gentle_close(make_server):
    api = Api(make_server(run_delay=0.2, workers=1).url)
    session = _session(api)
    jobs = [api.submit(sampler_job(session_id=session["id"])) for _ in range(3)]
    assert api.get(f"/jobs/{jobs[0]}").json()["session_id"] == session["id"]
    r = api.request("PATCH", f"/sessions/{session['id']}", json={"accepting_jobs": False})
    assert r.status_code == 204
    assert_ibm_error(api.post("/jobs", json=sampler_job(session_id=session["id"])), 400, 1382)
    for job_id in jobs:  # queued jobs of a closed session still run
        assert api.wait(job_id)["status"] == "Completed"
    final = api.get(f"/sessions/{session['id']}").json()
    assert final["state"] == "closed" and final["accepting_jobs"] is False
    assert final["activated_at"] and final["closed_at"]
    assert api.get("/jobs", params={"session_id": session["id"]}).json()["count"] == 3


def test_cancel_session_cancels_queued_jobs(make_server):
    api = Api(make_server(run_delay=0.5, workers=1).url)
    session = _session(api)
    jobs = [api.submit(sampler_job(session_id=session["id"])) for _ in range(3)]
    while api.status(jobs[0]) != "Running":
        pass
    assert api.request("DELETE", f"/sessions/{session['id']}/close").status_code == 204
    assert api.wait(jobs[0])["status"] == "Completed"  # running jobs finish
    assert [api.wait(j)["status"] for j in jobs[1:]] == ["Cancelled", "Cancelled"]
    assert api.get(f"/sessions/{session['id']}").json()["state"] == "closed"


def test_session_backend_is_enforced_and_set_by_first_job(api):
    session = api.post("/sessions", json={"mode": "batch"}).json()
    assert session["backend_name"] is None
    api.submit(sampler_job(session_id=session["id"]))
    assert api.get(f"/sessions/{session['id']}").json()["backend_name"] == SIM


def test_bad_session_requests(emulator, api):
    assert_ibm_error(api.post("/sessions", json={"mode": "party"}), 400)
    assert_ibm_error(api.post("/sessions", json={"mode": "batch", "max_ttl": 0}), 400)
    assert_ibm_error(api.post("/sessions", json={"mode": "batch", "backend": "ibm_x"}), 404, 1007)
    assert_ibm_error(api.post("/sessions", json=[1]), 400)
    assert_ibm_error(api.post("/sessions", json={"mode": "batch", "backend": [1]}), 400)
    assert_ibm_error(api.post("/sessions", json={"mode": ["batch"]}), 400)
    assert_ibm_error(api.get("/sessions/nope"), 404, 1381)
    assert_ibm_error(api.request("PATCH", "/sessions/nope", json={"accepting_jobs": False}), 404)
    assert_ibm_error(api.request("DELETE", "/sessions/nope/close"), 404, 1381)
    session = _session(api)
    assert_ibm_error(api.request("PATCH", f"/sessions/{session['id']}", json={"x": 1}), 400)
    other = Api(emulator.url)
    assert_ibm_error(other.get(f"/sessions/{session['id']}"), 404, 1381)
    assert_ibm_error(other.post("/jobs", json=sampler_job(session_id=session["id"])), 404, 1381)


def test_session_states_and_max_ttl(make_server):
    api = Api(make_server().url)
    session = _session(api, max_ttl=1)
    assert session["state"] == "open"
    api.wait(api.submit(sampler_job(session_id=session["id"])))
    assert api.get(f"/sessions/{session['id']}").json()["state"] == "inactive"  # no pending jobs
    import time

    time.sleep(1.1)
    expired = api.get(f"/sessions/{session['id']}").json()
    assert expired["state"] == "closed" and expired["state_reason"] == "max_ttl expired"
    assert_ibm_error(api.post("/jobs", json=sampler_job(session_id=session["id"])), 400, 1382)
