"""Failure injection from tests (Python API) and from the command line."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests

from qiskit_rest_provider.emulator.faults import FaultInjector, parse_spec

from .helpers import Api, assert_ibm_error, sampler_job


@pytest.fixture(scope="module")
def server():
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(seed=7) as emu:
        yield emu


@pytest.fixture
def api(server):
    server.faults.clear()
    yield Api(server.url)
    server.faults.clear()


def _count(api):
    return api.get("/jobs").json()["count"]


def test_error_before_creation(server, api):
    fault = server.faults.add("POST /api/v1/jobs", "error", status=502, times=1)
    assert_ibm_error(api.post("/jobs", json=sampler_job()), 502, 1000)
    assert _count(api) == 0 and fault.hits == 1
    assert api.post("/jobs", json=sampler_job()).status_code == 200


def test_error_after_creation_creates_the_job(server, api):
    server.faults.add("POST /api/v1/jobs", "error_after", times=1)
    assert_ibm_error(api.post("/jobs", json=sampler_job(tags=["lost"])), 500)
    listing = api.get("/jobs", params={"tags": "lost"}).json()
    assert listing["count"] == 1  # the answer was lost, the job exists


def test_rate_limit_and_maintenance(server, api):
    server.faults.add("POST /api/v1/jobs", "rate_limit", retry_after=3, times=1)
    r = api.post("/jobs", json=sampler_job())
    assert_ibm_error(r, 429, 1202)
    assert r.headers["Retry-After"] == "3"
    server.faults.add("* /api/v1/*", "maintenance", times=1)
    assert_ibm_error(api.get("/backends"), 503)
    assert api.get("/backends").status_code == 200


def test_dropped_connections(server, api):
    server.faults.add("POST /api/v1/jobs", "drop", times=1)
    with pytest.raises(requests.ConnectionError):
        api.post("/jobs", json=sampler_job())
    assert _count(api) == 0
    server.faults.add("POST /api/v1/jobs", "drop_after", times=1)
    with pytest.raises(requests.ConnectionError):
        api.post("/jobs", json=sampler_job())
    assert _count(api) == 1
    assert api.post("/jobs", json=sampler_job()).status_code == 200  # server fine afterwards


def test_slow_responses(server, api):
    server.faults.add("GET /api/v1/backends", "delay", delay=0.3, times=1)
    started = time.perf_counter()
    assert api.get("/backends").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_route_globs_and_probability(server, api):
    job_id = api.submit()
    server.faults.add("GET /api/v1/jobs/*", "error", status=503, probability=0.5)
    codes = [api.get(f"/jobs/{job_id}").status_code for _ in range(40)]
    assert set(codes) == {200, 503}
    assert api.get("/backends").status_code == 200  # other routes untouched


def test_stuck_and_slow_jobs(server, api):
    server.faults.add("job", "stuck", times=1)
    stuck = api.submit()
    time.sleep(0.3)
    assert api.status(stuck) == "Running"
    server.faults.release()
    assert api.wait(stuck)["status"] == "Completed"
    server.faults.add("job:ibmq_qasm_simulator", "slow", delay=0.3, times=1)
    slow = api.submit()
    seen = []
    api.wait(slow, seen=seen)
    assert "Running" in seen


def test_bad_fault_specs():
    faults = FaultInjector()
    with pytest.raises(ValueError):
        faults.add("POST /api/v1/jobs", "stuck")
    with pytest.raises(ValueError):
        faults.add("job", "drop")
    assert parse_spec("POST /api/v1/jobs=error_after:status=500,times=3") == (
        "POST /api/v1/jobs",
        "error_after",
        {"status": 500, "times": 3},
    )
    assert parse_spec("job=fail:reason_code=1517,message=boom") == (
        "job",
        "fail",
        {"reason_code": 1517, "message": "boom"},
    )
    with pytest.raises(ValueError):
        parse_spec("nonsense")
    with pytest.raises(ValueError):
        parse_spec("job=fail:colour=red")


def test_fault_from_the_command_line():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qiskit_rest_provider.emulator",
            "--port",
            "0",
            "--fault",
            "GET /api/v1/versions=error:status=502,times=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert requests.get(url + "/api/v1/versions", timeout=10).status_code == 502
        assert requests.get(url + "/api/v1/versions", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
