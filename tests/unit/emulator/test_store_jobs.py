"""The store's job transitions: one statement to start, one transaction to finish."""

from __future__ import annotations

import json
import sqlite3

import pytest

from qiskit_rest_provider.emulator.execution import worker_request
from qiskit_rest_provider.emulator.store import Store

PARAMS = {"pubs": [["OPENQASM 3.0;", None, 10]], "version": 2, "note": "é\u2603"}


@pytest.fixture
def store():
    store = Store(None)
    yield store
    store.close()


def _job(store: Store, job_id: str = "j1", **extra) -> dict:
    row = {
        "id": job_id,
        "instance": "crn:i",
        "user_id": "u",
        "dialect": "current",
        "program": "sampler",
        "backend": "ibmq_qasm_simulator",
        "status": "Queued",
        "params": PARAMS,
        "tags": ["t1"],
        "session_id": None,
        "log_level": "WARNING",
        "cost": 5,
        "private": False,
        "created_ts": 100.0,
        "caller": "",
        "logs": "queued\n",
        **extra,
    }
    row["seq"] = store.insert_job(row)
    return row


def test_a_light_row_is_the_full_row_without_params_and_logs(store):
    _job(store)
    full = store.get_job("j1")
    light = store.get_job("j1", light=True)
    assert full["params"] == PARAMS and full["logs"] == "queued\n"
    assert light == {k: v for k, v in full.items() if k not in ("params", "logs")}
    assert store.get_job("nope", light=True) is None


def test_a_light_listing_is_the_full_listing_without_params_and_logs(store):
    for i in range(3):
        _job(store, f"j{i}")
    args = {"descending": True, "limit": 2, "offset": 0}
    full, count = store.list_jobs(["instance = ?"], ["crn:i"], **args)
    light, light_count = store.list_jobs(["instance = ?"], ["crn:i"], light=True, **args)
    assert count == light_count == 3
    assert [r["id"] for r in full] == ["j2", "j1"]
    assert light == [{k: v for k, v in r.items() if k not in ("params", "logs")} for r in full]


def test_the_row_to_run_keeps_the_stored_params_text(store):
    job = _job(store)
    row = store.job_to_run("j1")
    assert json.loads(row["params"]) == PARAMS
    assert "logs" not in row
    assert (row["seq"], row["status"], row["cost"]) == (job["seq"], "Queued", 5)
    assert store.job_to_run("nope") is None


def test_the_worker_request_is_the_job_with_its_params(store):
    _job(store)
    row = store.job_to_run("j1")
    request = json.loads(worker_request(row, 7, True))
    assert request == {
        "program": "sampler",
        "backend": "ibmq_qasm_simulator",
        "seed": 7,
        "noiseless": True,
        "params": PARAMS,
    }
    row["params"] = None
    assert json.loads(worker_request(row, None, False))["params"] is None


def test_start_moves_only_a_queued_job(store):
    _job(store)
    assert store.start_job("j1", 101.5, "started")
    job = store.get_job("j1")
    assert job["status"] == "Running"
    assert (job["running_ts"], job["logs"]) == (101.5, "queued\nstarted\n")
    assert not store.start_job("j1", 102.0, "again")
    job = store.get_job("j1")
    assert (job["running_ts"], job["logs"]) == (101.5, "queued\nstarted\n")
    assert not store.start_job("nope", 1.0, "x")


def test_finish_records_outcome_result_and_log_of_a_running_job(store):
    _job(store)
    store.start_job("j1", 101.0, "started")
    assert store.finish_job("j1", "Failed", "boom", 1500, 103.5, "finished", "the text")
    job = store.get_job("j1")
    assert (job["status"], job["reason"], job["reason_code"]) == ("Failed", "boom", 1500)
    assert (job["finished_ts"], job["run_seconds"]) == (103.5, 2.5)
    assert job["logs"] == "queued\nstarted\nfinished\n"
    assert store.get_result("j1") == "the text"


def test_finish_without_a_result_and_without_a_start_time(store):
    _job(store, status="Running")
    assert store.finish_job("j1", "Completed", None, None, 50.0, "done")
    job = store.get_job("j1")
    assert (job["status"], job["reason"], job["run_seconds"]) == ("Completed", None, 0.0)
    assert store.get_result("j1") is None


def test_finish_after_a_cancel_keeps_the_cancel_but_stores_the_result(store):
    _job(store)
    store.start_job("j1", 101.0, "started")
    assert store.update_job("j1", status="Cancelled", reason="Cancelled by the user")
    assert not store.finish_job("j1", "Completed", None, None, 103.0, "finished", "{}")
    job = store.get_job("j1")
    assert (job["status"], job["reason"], job["finished_ts"]) == (
        "Cancelled",
        "Cancelled by the user",
        None,
    )
    assert job["logs"] == "queued\nstarted\n"
    assert store.get_result("j1") == "{}"


def test_finish_of_a_deleted_job_stores_nothing(store):
    _job(store, status="Cancelled")
    store.delete_job("j1")
    assert not store.finish_job("j1", "Completed", None, None, 1.0, "finished", "{}")
    assert store.get_result("j1") is None


class _FailingUpdates:
    """The store's connection, but UPDATE statements fail (as on a full disk)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, *args):
        if sql.startswith("UPDATE"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)


def test_a_failed_finish_rolls_back_the_result(store):
    _job(store)
    store.start_job("j1", 101.0, "started")
    real = store._db
    store._db = _FailingUpdates(real)
    with pytest.raises(sqlite3.OperationalError):
        store.finish_job("j1", "Completed", None, None, 103.0, "finished", "{}")
    store._db = real
    assert store.get_result("j1") is None
    assert store.get_job("j1")["status"] == "Running"
    assert store.finish_job("j1", "Completed", None, None, 103.0, "finished", "{}")  # usable


class _NoSql:
    """A connection that must not be used (a light row must come from memory)."""

    def execute(self, *args):
        raise AssertionError("SQLite was asked")


def _from_memory(store: Store, job_id: str):
    real, store._db = store._db, _NoSql()
    try:
        return store.get_job(job_id, light=True)
    finally:
        store._db = real


def test_a_light_row_once_read_comes_from_memory_as_a_copy(store):
    _job(store)
    first = store.get_job("j1", light=True)
    first["status"] = "changed"
    again = _from_memory(store, "j1")
    assert again["status"] == "Queued" and again == store.get_job("j1", light=True)
    assert store.get_job("nope", light=True) is None
    assert "nope" not in store._light  # an unknown id is not remembered


@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.update_job("j1", status="Cancelled"),
        lambda s: s.update_job("j1", expect_status=["Queued"], status="Cancelled"),
        lambda s: s.update_job("j1", tags=["new"]),
        lambda s: s.start_job("j1", 5.0, "started"),
        lambda s: (
            s.update_job("j1", status="Running"),
            s.finish_job("j1", "Failed", "x", 1, 6.0, "f"),
        ),
        lambda s: s.take_result("j1"),
        lambda s: (
            s.update_job("j1", status="Cancelled"),
            s.get_job("j1", light=True),  # remembered again, then deleted
            s.delete_job("j1"),
        ),
    ],
    ids=["update", "conditional", "tags", "start", "finish", "take_result", "delete"],
)
def test_every_write_to_a_job_drops_its_light_row(store, write):
    _job(store)
    _job(store, "other")
    store.get_job("j1", light=True)
    store.get_job("other", light=True)
    write(store)
    assert store.get_job("j1", light=True) == (
        None
        if store.get_job("j1") is None
        else {k: v for k, v in store.get_job("j1").items() if k not in ("params", "logs")}
    )
    assert "j1" in store._light or store.get_job("j1") is None
    assert _from_memory(store, "other")["id"] == "other"  # others stay


def test_a_failed_write_drops_the_light_row_too(store):
    _job(store)
    store.get_job("j1", light=True)
    store.update_job("j1", status="Running")
    store.get_job("j1", light=True)
    real = store._db
    store._db = _FailingUpdates(real)
    with pytest.raises(sqlite3.OperationalError):
        store.finish_job("j1", "Completed", None, None, 103.0, "finished", "{}")
    store._db = real
    assert "j1" not in store._light


def test_the_light_rows_are_bounded(store):
    store.LIGHT_ROWS = 3
    for i in range(7):
        _job(store, f"j{i}")
        assert store.get_job(f"j{i}", light=True)["id"] == f"j{i}"
        assert 1 <= len(store._light) <= 3


def test_a_job_cancelled_just_before_its_start_never_reaches_a_worker(store):
    from qiskit_rest_provider.emulator.config import EmulatorConfig
    from qiskit_rest_provider.emulator.faults import FaultInjector
    from qiskit_rest_provider.emulator.runner import Runner

    _job(store)
    runner = Runner(store, {}, EmulatorConfig(workers=1), FaultInjector())
    real_start = store.start_job

    def cancel_first(job_id, ts, line):  # the user's cancel wins the race
        store.update_job(job_id, status="Cancelled", reason="Cancelled by the user")
        return real_start(job_id, ts, line)

    store.start_job = cancel_first

    class Slot:
        def run(self, request, should_stop):
            raise AssertionError("the job was handed to a worker")

    runner._run_one("j1", Slot())
    job = store.get_job("j1")
    assert (job["status"], job["running_ts"], job["logs"]) == ("Cancelled", None, "queued\n")
    assert store.get_result("j1") is None
