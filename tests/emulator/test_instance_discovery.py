"""Global Search / Global Catalog stand-ins: qiskit-ibm-runtime finds its instance by itself."""

from __future__ import annotations

import json
import warnings

import pytest
import requests

from .helpers import APIKEY_GRANT, assert_ibm_error, iam_token


def test_search_lists_the_default_instance(emulator):
    token = iam_token(emulator.url)
    r = requests.post(
        emulator.url + "/v3/resources/search",
        params={"limit": 100},
        json={"query": "service_name:quantum-computing"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    (item,) = r.json()["items"]
    assert item["crn"].startswith("crn:v1:") and item["doc"]["extensions"]
    plan = requests.get(
        f"{emulator.url}/globalcatalog/api/v1/{item['service_plan_unique_id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert plan["metadata"]["pricing"]["type"] == "free"
    assert_ibm_error(requests.post(emulator.url + "/v3/resources/search", json={}, timeout=10), 401)


def test_search_lists_an_accounts_instances(make_server, tmp_path):
    path = tmp_path / "accounts.json"
    crns = [
        "crn:v1:bluemix:public:quantum-computing:us-east:a/1:one::",
        "crn:v1:bluemix:public:quantum-computing:eu-de:a/1:two::",
    ]
    path.write_text(json.dumps({"accounts": [{"api_key": "k", "instances": crns}]}))
    server = make_server(accounts_file=str(path))
    token = requests.post(
        server.url + "/identity/token", data={"grant_type": APIKEY_GRANT, "apikey": "k"}, timeout=10
    )
    r = requests.post(
        server.url + "/v3/resources/search",
        json={},
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=10,
    )
    assert [i["crn"] for i in r.json()["items"]] == crns


def test_official_client_discovers_the_instance(emulator, monkeypatch):
    runtime = pytest.importorskip("qiskit_ibm_runtime")
    from qiskit import QuantumCircuit

    monkeypatch.delenv("QISKIT_FUNCTIONS_EXPERIMENTAL", raising=False)
    monkeypatch.setenv("IAM_URL", emulator.url)
    monkeypatch.setenv("GLOBAL_SEARCH_URL", emulator.url)
    monkeypatch.setenv("GLOBAL_CATALOG_URL", emulator.url + "/globalcatalog/api/v1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        service = runtime.QiskitRuntimeService(
            channel="ibm_quantum_platform",
            token="discovery-key",
            url=emulator.url,
            url_resolver=lambda url, *args, **kwargs: url + "/api/v1",
        )
        qc = QuantumCircuit(1)
        qc.x(0)
        qc.measure_all()
        job = runtime.SamplerV2(mode=service.backend("ibmq_qasm_simulator")).run([qc], shots=20)
        assert job.result()[0].data.meas.get_counts() == {"1": 20}
