"""Small service behaviours the official client relies on: physical qubits, calibration ids,
private results read twice, usage limits, and queue/run delays (CLI and per backend)."""

from __future__ import annotations

import pytest

from qiskit_rest_provider.emulator.__main__ import build_parser, parse_backend_delays

from .helpers import SIM, Api, assert_ibm_error, sampler_job

DEVICE = "ibm_brisbane"


def test_backends_list_physical_qubits_and_calibration_ids(api):
    devices = {d["name"]: d for d in api.get("/backends").json()["devices"]}
    assert devices[SIM]["physical_qubits"] == 32
    assert devices[DEVICE]["physical_qubits"] == 127
    assert "calibration_id" not in devices[SIM]
    assert len(devices[DEVICE]["calibration_id"]) == 24
    assert devices["ibm_torino"]["calibration_id"] != devices[DEVICE]["calibration_id"]


def test_unknown_calibration_id_is_not_found(api):
    known = {d["name"]: d for d in api.get("/backends").json()["devices"]}[DEVICE]["calibration_id"]
    for resource in ("configuration", "properties"):
        ok = api.get(f"/backends/{DEVICE}/{resource}", params={"calibration_id": known})
        assert ok.status_code == 200
        assert_ibm_error(
            api.get(f"/backends/{DEVICE}/{resource}", params={"calibration_id": "nope"}), 404, 1296
        )
    assert_ibm_error(api.post("/jobs", json=sampler_job(calibration_id="nope")), 404, 1296)
    assert_ibm_error(api.post("/jobs", json=sampler_job(calibration_id=7)), 400, 1002)


def test_private_result_second_read_is_empty(api):
    job_id = api.submit(private=True)
    api.wait(job_id)
    assert api.get(f"/jobs/{job_id}/results").status_code == 200
    again = api.get(f"/jobs/{job_id}/results")
    assert again.status_code == 204 and again.content == b""


def test_usage_reports_limit_and_allocation(make_server):
    api = Api(make_server(usage_limit_seconds=600.0).url)
    usage = api.get("/instances/usage").json()
    assert usage["usage_limit_seconds"] == 600.0
    assert usage["usage_allocation_seconds"] == 600.0
    assert usage["usage_limit_reached"] is False
    spent = Api(make_server(usage_limit_seconds=0.0).url)
    assert spent.get("/instances/usage").json()["usage_limit_reached"] is True


def test_per_backend_delays_let_clients_see_queued_and_running(make_server):
    server = make_server(backend_delays={SIM: (0.3, 0.3)}, workers=1)
    api = Api(server.url)
    seen: list[str] = []
    api.wait(api.submit(), seen=seen)
    assert seen == ["Queued", "Running", "Completed"]
    assert server.state.config.delays("ibm_torino") == (0.0, 0.0)


def test_delay_flags():
    args = build_parser().parse_args(
        ["--queue-delay", "2", "--run-delay", "0.5", "--backend-delay", "ibm_brisbane=30,5"]
    )
    assert (args.queue_delay, args.run_delay) == (2.0, 0.5)
    assert parse_backend_delays(args.backend_delay) == {"ibm_brisbane": (30.0, 5.0)}
    for bad in ("ibm_brisbane=30", "=1,2", "x=a,b", "x=-1,2", "x=1,2,3"):
        with pytest.raises(ValueError, match="BACKEND=QUEUE,RUN"):
            parse_backend_delays([bad])
