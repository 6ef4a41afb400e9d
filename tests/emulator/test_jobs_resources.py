"""Job listing (filters, paging), tags, delete, logs, metrics, usage, private, max time."""

from __future__ import annotations

import datetime as dt
import json
import time

from .helpers import SIM, Api, assert_ibm_error, sampler_job


def _ids(api, **params):
    body = api.get("/jobs", params=params).json()
    return [j["id"] for j in body["jobs"]], body


def test_list_filters_and_paging(api):
    first = api.submit(sampler_job(tags=["alpha", "both"]))
    api.wait(first)
    before_second = dt.datetime.now(dt.timezone.utc).isoformat()
    time.sleep(0.01)
    second = api.submit(sampler_job(tags=["beta", "both"]))
    api.wait(second)
    est = api.submit(
        {
            "program_id": "estimator",
            "backend": SIM,
            "params": {"pubs": [["OPENQASM 3.0;\nqubit[1] q;\nh q[0];\n", "Z"]]},
        }
    )
    api.wait(est)
    ids, body = _ids(api)
    assert ids == [est, second, first] and body["count"] == 3  # newest first by default
    assert "params" not in body["jobs"][0]  # exclude_params defaults to true on the list
    assert _ids(api, sort="ASC")[0] == [first, second, est]
    page, body = _ids(api, limit=1, offset=1)
    assert page == [second] and body["count"] == 3 and body["limit"] == 1 and body["offset"] == 1
    assert _ids(api, program="estimator")[0] == [est]
    assert _ids(api, tags="both")[0] == [second, first]
    assert api.get("/jobs", params=[("tags", "both"), ("tags", "alpha")]).json()["count"] == 1
    assert _ids(api, created_after=before_second)[0] == [est, second]
    assert _ids(api, created_before=before_second)[0] == [first]
    assert _ids(api, pending="true")[0] == []
    assert _ids(api, pending="false")[0] == [est, second, first]
    assert _ids(api, backend="ibm_nowhere")[0] == []
    assert "params" in api.get("/jobs", params={"exclude_params": "false"}).json()["jobs"][0]


def test_params_included_unless_excluded(api):
    job_id = api.submit()
    assert "params" in api.get(f"/jobs/{job_id}").json()
    assert "params" not in api.get(f"/jobs/{job_id}", params={"exclude_params": "true"}).json()


def test_the_view_without_params_is_the_whole_view_less_params(api):
    job_id = api.submit(sampler_job(tags=["t"]))
    api.wait(job_id)
    whole = api.get(f"/jobs/{job_id}").json()
    light = api.get(f"/jobs/{job_id}", params={"exclude_params": "true"}).json()
    assert whole["params"]["pubs"] and whole["status"] == "Completed"
    assert light == {k: v for k, v in whole.items() if k != "params"}
    listed = api.get("/jobs", params={"exclude_params": "false"}).json()["jobs"]
    assert listed == [whole]
    assert api.get("/jobs").json()["jobs"] == [light]


def test_tags_replace_and_clear(api):
    job_id = api.submit(sampler_job(tags=["a"]))
    assert api.request("PUT", f"/jobs/{job_id}/tags", json={"tags": ["x", "y"]}).status_code == 204
    assert api.get(f"/jobs/{job_id}").json()["tags"] == ["x", "y"]
    assert api.request("PUT", f"/jobs/{job_id}/tags", json={"tags": []}).status_code == 204
    assert api.get(f"/jobs/{job_id}").json()["tags"] == []
    assert_ibm_error(
        api.request("PUT", f"/jobs/{job_id}/tags", json={"tags": ["z"] * 9}), 400, 1204
    )
    assert_ibm_error(api.request("PUT", f"/jobs/{job_id}/tags", json=["x"]), 400)


def test_delete_only_final_jobs(make_server):
    api = Api(make_server(queue_delay=30).url)
    queued = api.submit()
    assert_ibm_error(api.request("DELETE", f"/jobs/{queued}"), 409, 1293)
    api.post(f"/jobs/{queued}/cancel")
    assert api.request("DELETE", f"/jobs/{queued}").status_code == 204
    assert_ibm_error(api.get(f"/jobs/{queued}"), 404, 1291)


def test_logs_metrics_usage(api):
    job_id = api.submit()
    api.wait(job_id)
    logs = api.get(f"/jobs/{job_id}/logs")
    assert logs.status_code == 200 and logs.headers["content-type"].startswith("text/plain")
    assert "Job queued" in logs.text and "Completed" in logs.text
    metrics = api.get(f"/jobs/{job_id}/metrics").json()
    assert metrics["usage"]["status"] == "complete"
    assert set(metrics["timestamps"]) == {"created", "running", "finished"}
    usage = api.get("/instances/usage").json()
    assert usage["instance_id"] == api.crn and usage["usage_consumed_seconds"] >= 0
    assert {"plan_id", "usage_period"} <= set(usage)
    assert api.get("/instance").json()["backends"]


def test_metrics_caller_from_client_header(api):
    r = api.post(
        "/jobs", json=sampler_job(), headers={"X-Qx-Client-Application": "qiskit-version-2/tests"}
    )
    metrics = api.get(f"/jobs/{r.json()['id']}/metrics").json()
    assert metrics["caller"] == "qiskit-version-2/tests"


def test_private_results_read_once(api):
    r = api.post("/jobs", json=sampler_job(private=True))
    assert r.json()["private"] is True
    job_id = r.json()["id"]
    job = api.wait(job_id)
    assert job["private"] is True and "params" not in job
    first = api.get(f"/jobs/{job_id}/results")
    assert first.status_code == 200 and json.loads(first.text)["results"]
    again = api.get(f"/jobs/{job_id}/results")  # read and deleted: empty, as on the service
    assert again.status_code == 204 and again.content == b""


def test_max_execution_time_gives_ran_too_long(make_server):
    server = make_server()
    server.faults.add("job", "stuck", times=1)
    api = Api(server.url)
    job = api.wait(api.submit(sampler_job(cost=1)), timeout=10)
    assert job["status"] == "Cancelled - Ran too long"
    assert job["state"] == {"status": "Cancelled", "reason": "Ran too long", "reason_code": 1305}
    assert api.get(f"/jobs/{job['id']}/results").status_code == 204


def test_tag_search(api):
    api.submit(sampler_job(tags=["experiment-a", "Nightly"]))
    api.submit(sampler_job(tags=["experiment-b"]))
    assert api.get("/tags", params={"type": "job", "search": "experiment"}).json() == {
        "tags": ["experiment-a", "experiment-b"]
    }
    assert api.get("/tags", params={"type": "job", "search": "NIGHT"}).json()["tags"] == ["Nightly"]
    assert_ibm_error(api.get("/tags", params={"type": "job", "search": "ab"}), 400)
    assert_ibm_error(api.get("/tags", params={"search": "abc"}), 400)
