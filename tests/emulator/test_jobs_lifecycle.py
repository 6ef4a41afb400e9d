"""Jobs: submit, the Queued → Running → final state machine, results, cancel, 404s."""

from __future__ import annotations

import json

from .helpers import BELL, SIM, Api, assert_ibm_error, sampler_job


def test_sampler_job_end_to_end(api):
    job_id = api.submit(shots=100)
    job = api.wait(job_id)
    assert job["status"] == "Completed" and job["state"]["status"] == "Completed"
    assert job["program"] == {"id": "sampler"} and job["backend"] == SIM
    assert {"id", "created", "cost", "tags", "session_id", "params", "state"} <= set(job)
    r = api.get(f"/jobs/{job_id}/results")
    assert r.status_code == 200
    result = json.loads(r.text)
    samples = result["results"][0]["data"]["c"]["samples"]
    assert len(samples) == 100 and set(samples) <= {"0x0", "0x3"}


def test_tagged_results_when_support_qiskit(api):
    body = sampler_job()
    body["params"]["support_qiskit"] = True
    job_id = api.submit(body)
    api.wait(job_id)
    assert json.loads(api.get(f"/jobs/{job_id}/results").text)["__type__"] == "PrimitiveResult"


def test_estimator_job(api):
    body = {
        "program_id": "estimator",
        "backend": SIM,
        "params": {"pubs": [[BELL.replace("c = measure q;", ""), {"ZZ": 1.0}, None, 0]]},
    }
    job_id = api.submit(body)
    assert api.wait(job_id)["status"] == "Completed", api.get(f"/jobs/{job_id}/results").text
    evs = json.loads(api.get(f"/jobs/{job_id}/results").text)["results"][0]["data"]["evs"]
    assert abs(evs - 1.0) < 1e-9


def test_status_passes_through_queued_and_running(make_server):
    server = make_server(queue_delay=0.3, run_delay=0.3)
    api = Api(server.url)
    job_id = api.submit()
    seen: list[str] = []
    api.wait(job_id, seen=seen)
    assert seen == ["Queued", "Running", "Completed"]
    r = api.get(f"/jobs/{job_id}/metrics").json()
    assert r["timestamps"]["created"] < r["timestamps"]["running"] < r["timestamps"]["finished"]


def test_results_204_while_not_final(make_server):
    api = Api(make_server(queue_delay=5).url)
    job_id = api.submit()
    r = api.get(f"/jobs/{job_id}/results")
    assert r.status_code == 204 and r.content == b""


def test_cancel_queued_and_running_and_final(make_server):
    api = Api(make_server(queue_delay=0.0, run_delay=30, workers=1).url)
    running, queued = api.submit(), api.submit()
    while api.status(running) != "Running":
        pass
    assert api.status(queued) == "Queued"
    assert api.post(f"/jobs/{queued}/cancel").status_code == 204
    assert api.post(f"/jobs/{running}/cancel").status_code == 204
    for job_id in (queued, running):
        job = api.wait(job_id, timeout=5)
        assert job["status"] == "Cancelled"
        assert api.get(f"/jobs/{job_id}/results").status_code == 204
    assert_ibm_error(api.post(f"/jobs/{queued}/cancel"), 409, 1292)


def test_failed_job_reports_reason_and_error_text(make_server):
    server = make_server()
    server.faults.add(
        "job", "fail", reason_code=1517, message="Injected: qubit 3 is broken", times=1
    )
    api = Api(server.url)
    job = api.wait(api.submit())
    assert job["status"] == "Failed"
    assert job["state"]["reason"] == "Injected: qubit 3 is broken"
    assert job["state"]["reason_code"] == 1517
    r = api.get(f"/jobs/{job['id']}/results")
    assert r.status_code == 200 and "qubit 3 is broken" in r.text
    assert api.wait(api.submit())["status"] == "Completed"  # times=1: the next job is fine


def test_unknown_job_404_everywhere(api):
    for method, path in [
        ("GET", "/jobs/nope"),
        ("GET", "/jobs/nope/results"),
        ("POST", "/jobs/nope/cancel"),
        ("DELETE", "/jobs/nope"),
        ("GET", "/jobs/nope/logs"),
        ("GET", "/jobs/nope/metrics"),
    ]:
        assert_ibm_error(api.request(method, path), 404, 1291)


def test_other_instance_sees_404(emulator, api):
    job_id = api.submit()
    other = Api(emulator.url)
    assert_ibm_error(other.get(f"/jobs/{job_id}"), 404, 1291)
    assert_ibm_error(other.post(f"/jobs/{job_id}/cancel"), 404, 1291)
    assert other.get("/jobs").json()["count"] == 0
