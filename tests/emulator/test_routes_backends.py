"""``/api/v1/backends`` and its sub-resources, as the official client reads them."""

from __future__ import annotations

from .helpers import SIM, assert_ibm_error


def test_list_backends_has_required_fields(api):
    r = api.get("/backends", params={"include_mocks": "True"})
    assert r.status_code == 200
    devices = r.json()["devices"]
    names = [d["name"] for d in devices]
    assert {SIM, "ibm_brisbane", "ibm_torino"} <= set(names)
    for device in devices:
        assert {"name", "status", "queue_length"} <= set(device)
        assert device["status"]["name"] in ("online", "paused", "offline")


def _devices(api):
    return [d["name"] for d in api.get("/backends").json()["devices"] if d["name"] != SIM]


def test_configuration_properties_status(api):
    for name in [SIM, *_devices(api)]:
        config = api.get(f"/backends/{name}/configuration").json()
        assert config["backend_name"] == name
        assert config["n_qubits"] >= 1 and "basis_gates" in config
        status = api.get(f"/backends/{name}/status").json()
        assert status["state"] is True and status["status"] == "active"
        assert isinstance(status["length_queue"], int)
    for name in _devices(api):
        props = api.get(f"/backends/{name}/properties").json()
        assert props["qubits"] and props["gates"]
    assert api.get(f"/backends/{SIM}/properties").json() == {}  # 200 with {}: client needs it


def test_unknown_backend_is_404(api):
    for sub in ("configuration", "properties", "status"):
        assert_ibm_error(api.get(f"/backends/ibm_nowhere/{sub}"), 404, 1007)
