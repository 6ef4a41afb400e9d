"""Instances: discovery from the API key through the emulator's Global Search stand-in,
instances(), plans_preference, jobs(instance=...)."""

from __future__ import annotations

import json

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider import InstanceResolutionError, RuntimeService, SamplerV2
from qiskit_rest_provider.service.instances import order_instances, search_urls

ONE = "crn:v1:bluemix:public:quantum-computing:us-east:a/acct:one::"
TWO = "crn:v1:bluemix:public:quantum-computing:eu-de:a/acct:two::"


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    from qiskit_rest_provider.emulator import start_emulator

    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    path.write_text(json.dumps({"accounts": [{"api_key": "two-key", "instances": [ONE, TWO]}]}))
    with start_emulator(host="127.0.0.1", port=0, accounts_file=str(path)) as server:
        yield server


def _bell():
    qc = QuantumCircuit(1)
    qc.x(0)
    qc.measure_all()
    return qc


def test_the_instance_is_discovered_from_the_key(two_instances, caplog):
    service = RuntimeService(token="two-key", url=two_instances.url)
    assert service.instance == ONE == service.active_instance()
    assert "No instance given: using 'one'" in caplog.text
    assert [item["crn"] for item in service.instances()] == [ONE, TWO]
    assert set(service.instances()[0]) == {"crn", "plan", "name", "tags", "pricing_type"}
    # Requests now carry the Service-CRN: a job runs.
    job = SamplerV2(mode=service.backend("ibmq_qasm_simulator")).run([_bell()], shots=5)
    assert job.result()[0].data.meas.get_counts() == {"1": 5}


def test_region_narrows_the_choice_and_jobs_of_another_instance(two_instances):
    eu = RuntimeService(token="two-key", url=two_instances.url, region="eu-de")
    assert eu.instance == TWO
    job = SamplerV2(mode=eu.backend("ibmq_qasm_simulator")).run([_bell()], shots=3)
    job.result()
    us = RuntimeService(token="two-key", url=two_instances.url, instance=ONE)
    assert job.job_id() not in [j.job_id() for j in us.jobs(limit=20)]
    theirs = us.jobs(limit=20, instance=TWO)
    assert job.job_id() in [j.job_id() for j in theirs]
    assert us.jobs(limit=20, instance="two")[0].job_id() == theirs[0].job_id()  # by name
    with pytest.raises(ValueError, match="not a valid instance name"):
        us.jobs(instance="three")


def test_plans_preference_filters():
    items = [
        {"crn": "a", "plan": "standard", "name": "a", "tags": ["x"], "pricing_type": "paid"},
        {"crn": "b", "plan": "open", "name": "b", "tags": [], "pricing_type": "free"},
        {"crn": "c", "plan": "premium", "name": "c", "tags": ["X"], "pricing_type": "subscription"},
    ]
    assert [i["crn"] for i in order_instances(items)] == ["b", "a", "c"]
    assert [i["crn"] for i in order_instances(items, ["premium", "standard"])] == ["c", "a"]
    assert [i["crn"] for i in order_instances(items, tags=["x"])] == ["a", "c"]
    assert order_instances(items, ["nope"]) == []


def test_search_urls(monkeypatch):
    assert search_urls(None) == (
        "https://api.global-search-tagging.cloud.ibm.com",
        "https://globalcatalog.cloud.ibm.com/api/v1",
    )
    assert search_urls("http://127.0.0.1:5") == (
        "http://127.0.0.1:5",
        "http://127.0.0.1:5/globalcatalog/api/v1",
    )
    monkeypatch.setenv("GLOBAL_SEARCH_URL", "http://gs/")
    assert search_urls(None)[0] == "http://gs"


def test_discovery_failure_leaves_no_instance_with_a_warning(two_instances, monkeypatch, caplog):
    monkeypatch.setenv("GLOBAL_SEARCH_URL", two_instances.url + "/nowhere")
    service = RuntimeService(token="two-key", url=two_instances.url)
    assert service.instance is None and "none could be discovered" in caplog.text
    with pytest.raises(InstanceResolutionError):
        service.instances()
