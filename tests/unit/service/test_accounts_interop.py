"""Accounts saved by either package are read by the other (when qiskit-ibm-runtime is installed)."""

from __future__ import annotations

import os

import pytest

from qiskit_rest_provider.service.runtime import RuntimeService

official = pytest.importorskip("qiskit_ibm_runtime")
management = pytest.importorskip("qiskit_ibm_runtime.accounts.management")

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc:def::"


@pytest.fixture
def account_file(tmp_path, monkeypatch):
    # qiskit-ibm-runtime fixes its default path at import time, so both use an explicit file.
    path = str(tmp_path / "qiskit-ibm.json")
    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", path)
    return path


def _text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_same_bytes_for_the_same_accounts(tmp_path, account_file):
    kwargs = [
        {"token": "APIKEY", "instance": CRN, "set_as_default": True},
        {
            "token": "K2",
            "channel": "ibm_cloud",
            "name": "work",
            "region": "eu-de",
            "plans_preference": ["open"],
            "tags": ["x"],
            "proxies": {"urls": {"https": "http://p:1"}},
        },
    ]
    ours = str(tmp_path / "ours.json")
    for item in kwargs:
        official.QiskitRuntimeService.save_account(filename=account_file, **item)
        RuntimeService.save_account(filename=ours, **item)
    assert _text(ours) == _text(account_file)


def test_official_accounts_work_here(account_file):
    official.QiskitRuntimeService.save_account(
        filename=account_file, token="OFFICIAL", instance=CRN, name="theirs", set_as_default=True
    )
    service = RuntimeService(filename=account_file, name="theirs")
    assert service.active_account()["token"] == "OFFICIAL"
    assert RuntimeService(filename=account_file).instance == CRN
    ours = RuntimeService.saved_accounts(filename=account_file)
    theirs = official.QiskitRuntimeService.saved_accounts(filename=account_file)
    assert set(ours) == set(theirs)
    # Theirs re-renders through its Account model (adds verify, drops is_default_account);
    # ours lists the records as stored.
    for key in ("token", "instance", "channel", "url"):
        assert ours["theirs"][key] == theirs["theirs"][key]


def test_our_accounts_work_there(account_file):
    RuntimeService.save_account(filename=account_file, token="OURS", instance=CRN, name="mine")
    listed = official.QiskitRuntimeService.saved_accounts(filename=account_file)
    assert listed["mine"]["token"] == "OURS" and listed["mine"]["instance"] == CRN
    account = management.AccountManager.get(filename=account_file, name="mine")
    assert account.token == "OURS" and account.channel == "ibm_quantum_platform"
    assert os.stat(account_file).st_mode & 0o077 == 0  # ours is owner-only
