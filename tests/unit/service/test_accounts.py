"""Saved accounts: qiskit-ibm-runtime's file format, precedence, environment variables."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest
import responses

from qiskit_rest_provider.exceptions import AccountError
from qiskit_rest_provider.service import accounts
from qiskit_rest_provider.service.accounts import AccountAlreadyExistsError, AccountNotFoundError
from qiskit_rest_provider.service.runtime import RuntimeService

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc:def::"
CRN_EU = "crn:v1:bluemix:public:quantum-computing:eu-de:a/abc:ghi::"


def _file():
    return os.path.expanduser("~/.qiskit/qiskit-ibm.json")


def _read():
    with open(_file(), encoding="utf-8") as handle:
        return json.load(handle)


def test_save_writes_the_official_format():
    RuntimeService.save_account(token="APIKEY", instance=CRN, set_as_default=True)
    RuntimeService.save_account(
        token="K2",
        channel="ibm_cloud",
        name="work",
        region="eu-de",
        plans_preference=["open"],
        tags=["x"],
    )
    assert _read() == {
        "default-ibm-quantum-platform": {
            "channel": "ibm_quantum_platform",
            "instance": CRN,
            "is_default_account": True,
            "private_endpoint": False,
            "token": "APIKEY",
            "url": "https://cloud.ibm.com",
        },
        "work": {
            "channel": "ibm_cloud",
            "plans_preference": ["open"],
            "private_endpoint": False,
            "region": "eu-de",
            "tags": ["x"],
            "token": "K2",
            "url": "https://cloud.ibm.com",
        },
    }
    text = open(_file(), encoding="utf-8").read()
    assert text == json.dumps(_read(), sort_keys=True, indent=4)
    assert stat.S_IMODE(os.stat(_file()).st_mode) == 0o600


def test_unknown_keys_and_accounts_survive_a_save():
    os.makedirs(os.path.dirname(_file()))
    original = {
        "other": {"channel": "ibm_quantum_platform", "token": "T", "future_key": {"a": 1}},
        "legacy": {
            "channel": "ibm_quantum",
            "token": "L",
            "url": "https://auth.quantum.ibm.com/api",
        },
    }
    with open(_file(), "w", encoding="utf-8") as handle:
        json.dump(original, handle)
    RuntimeService.save_account(token="NEW", instance=CRN, name="mine")
    data = _read()
    assert data["other"] == original["other"]
    assert data["legacy"] == original["legacy"]
    assert data["mine"]["token"] == "NEW"
    # An account read and used keeps its unknown keys too.
    account = accounts.resolve_account(name="other")
    assert account.to_saved_format()["future_key"] == {"a": 1}


def test_existing_name_needs_overwrite():
    RuntimeService.save_account(token="A", instance=CRN)
    with pytest.raises(AccountAlreadyExistsError, match="overwrite=True"):
        RuntimeService.save_account(token="B", instance=CRN)
    RuntimeService.save_account(token="B", instance=CRN, overwrite=True)
    assert _read()["default-ibm-quantum-platform"]["token"] == "B"


def test_second_default_needs_overwrite():
    RuntimeService.save_account(token="A", instance=CRN, name="a", set_as_default=True)
    with pytest.raises(AccountAlreadyExistsError, match="already the default"):
        RuntimeService.save_account(token="B", instance=CRN, name="b", set_as_default=True)
    RuntimeService.save_account(
        token="B", instance=CRN, name="b", set_as_default=True, overwrite=True
    )
    data = _read()
    assert "is_default_account" not in data["a"]
    assert data["b"]["is_default_account"] is True


def test_saved_accounts_filters_and_delete():
    RuntimeService.save_account(token="A", instance=CRN)
    RuntimeService.save_account(token="B", channel="ibm_cloud", name="named")
    RuntimeService.save_account(token="C", channel="ibm_quantum", instance="h/g/p")
    assert set(RuntimeService.saved_accounts()) == {
        "default-ibm-quantum-platform",
        "named",
        "default-ibm-quantum",
    }
    assert set(RuntimeService.saved_accounts(channel="ibm_cloud")) == {"named"}
    assert set(RuntimeService.saved_accounts(default=False)) == {"named"}
    assert set(RuntimeService.saved_accounts(name="named")) == {"named"}
    assert _read()["default-ibm-quantum"]["url"] == "https://auth.quantum.ibm.com/api"
    assert RuntimeService.delete_account(name="named") is True
    assert RuntimeService.delete_account(name="named") is False
    assert RuntimeService.delete_account(channel="ibm_quantum") is True
    assert set(_read()) == {"default-ibm-quantum-platform"}


def test_custom_filename(tmp_path):
    path = str(tmp_path / "sub" / "accounts.json")
    RuntimeService.save_account(token="A", instance=CRN, filename=path, name="x")
    assert not os.path.exists(_file())
    assert RuntimeService.saved_accounts(filename=path)["x"]["token"] == "A"
    service = RuntimeService(filename=path, name="x")
    assert service.instance == CRN


def test_save_uses_channel_env(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_CHANNEL", "ibm_cloud")
    RuntimeService.save_account(token="A")
    assert _read()["default-ibm-cloud"]["channel"] == "ibm_cloud"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"token": ""}, "token"),
        ({"token": "A", "channel": "bogus"}, "channel"),
        ({"token": "A", "region": "mars"}, "region"),
    ],
)
def test_invalid_accounts_are_not_saved(kwargs, match):
    with pytest.raises(AccountError, match=match):
        RuntimeService.save_account(**kwargs)
    assert not os.path.exists(_file())


def test_corrupt_file_is_a_clear_error():
    os.makedirs(os.path.dirname(_file()))
    with open(_file(), "w") as handle:
        handle.write("{not json")
    with pytest.raises(AccountError, match="Could not read"):
        RuntimeService.saved_accounts()


# ------------------------------------------------------------------ precedence


def test_name_beats_everything(monkeypatch):
    RuntimeService.save_account(token="SAVED", instance=CRN, name="mine")
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "ENV")
    service = RuntimeService(name="mine")
    assert service.active_account()["token"] == "SAVED"


def test_explicit_token_beats_env_and_file(monkeypatch):
    RuntimeService.save_account(token="SAVED", instance=CRN)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "ENV")
    service = RuntimeService(token="EXPLICIT", instance=CRN)
    assert service.active_account()["token"] == "EXPLICIT"


def test_env_beats_the_file(monkeypatch):
    RuntimeService.save_account(token="SAVED", instance=CRN)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "ENV")
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", CRN_EU)
    monkeypatch.setenv("QISKIT_IBM_URL", "http://127.0.0.1:1")
    service = RuntimeService()
    assert service.active_account()["token"] == "ENV"
    assert service.instance == CRN_EU
    assert service.transport.base_url == "http://127.0.0.1:1/api/v1"


def test_env_channel(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "ENV")
    monkeypatch.setenv("QISKIT_IBM_CHANNEL", "ibm_quantum")
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "h/g/p")
    assert RuntimeService().channel == "ibm_quantum"


def test_default_flag_then_default_name_then_any_of_channel():
    RuntimeService.save_account(token="ANY", instance=CRN, name="zzz")
    assert RuntimeService().active_account()["token"] == "ANY"
    RuntimeService.save_account(token="NAMED", instance=CRN)  # default-ibm-quantum-platform
    assert RuntimeService().active_account()["token"] == "NAMED"
    RuntimeService.save_account(token="FLAG", instance=CRN, name="flagged", set_as_default=True)
    assert RuntimeService().active_account()["token"] == "FLAG"


def test_channel_argument_selects_its_accounts():
    RuntimeService.save_account(token="PLATFORM", instance=CRN)
    RuntimeService.save_account(token="CLOUD", channel="ibm_cloud", instance=CRN)
    assert RuntimeService(channel="ibm_cloud").active_account()["token"] == "CLOUD"
    assert RuntimeService(channel="ibm_quantum_platform").active_account()["token"] == "PLATFORM"


def test_nothing_found_says_what_to_do():
    with pytest.raises(AccountNotFoundError, match="QISKIT_IBM_TOKEN"):
        RuntimeService()
    with pytest.raises(AccountNotFoundError, match="nope"):
        RuntimeService(name="nope")


def test_arguments_override_the_saved_account():
    RuntimeService.save_account(token="SAVED", instance=CRN, url="https://cloud.ibm.com")
    service = RuntimeService(instance=CRN_EU, url="http://127.0.0.1:9", verify=False)
    assert service.instance == CRN_EU
    assert service.transport.base_url == "http://127.0.0.1:9/api/v1"
    assert service.active_account()["verify"] is False


def test_no_network_at_construction_from_any_source(monkeypatch):
    # With an instance known; without one, construction asks Global Search (issue 11).
    RuntimeService.save_account(token="SAVED", instance=CRN, name="n")
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "ENV")
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", CRN)
    with responses.RequestsMock() as rsps:
        RuntimeService()
        RuntimeService(name="n")
        RuntimeService(token="T", instance=CRN)
        RuntimeService(channel="ibm_quantum", token="T", instance="h/g/p")
        assert len(rsps.calls) == 0


def test_secrets_stay_out_of_reprs_and_logs(caplog):
    caplog.set_level(logging.DEBUG)
    RuntimeService.save_account(token="SUPERSECRET", instance=CRN, name="n")
    service = RuntimeService(name="n")
    account = accounts.resolve_account(name="n")
    assert "SUPERSECRET" not in repr(service)
    assert "SUPERSECRET" not in repr(account)
    assert "SUPERSECRET" not in repr(service.transport) + repr(service.transport.auth)
    assert "SUPERSECRET" not in caplog.text
    with_proxy = accounts.Account(token="t", proxies={"urls": {"https": "http://u:PROXYPW@p:1"}})
    assert "PROXYPW" not in repr(with_proxy)


def test_ntlm_proxies_are_refused_clearly():
    with pytest.raises(AccountError, match="NTLM"):
        RuntimeService(
            token="T", instance=CRN, proxies={"username_ntlm": "u", "password_ntlm": "p"}
        )


def test_official_proxies_form():
    service = RuntimeService(
        token="T", instance=CRN, proxies={"urls": {"https": "http://proxy.test"}}
    )
    assert service.transport._proxies == {"https": "http://proxy.test"}
