"""Hostile requests (issue 12 §2) get an IBM-shaped 4xx, never a 500 or a hang."""

from __future__ import annotations

import logging
import socket
import sqlite3
import subprocess
import sys
import time

import pytest
import requests

from .helpers import APIKEY_GRANT, BELL, SIM, Api, assert_ibm_error, sampler_job

DEEP = "[" * 100_000 + "]" * 100_000
ONE_PARAM = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nbit[1] c;\nqubit[1] q;\n'
    "rx(a) q[0];\nc[0] = measure q[0];\n"
)
NO_MEASURE = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'


@pytest.mark.parametrize("path", ["/identity/token", "/api/users/loginWithToken"])
def test_deeply_nested_json_to_the_login_routes_is_a_400(emulator, path):
    r = requests.post(
        emulator.url + path, data=DEEP, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert r.status_code == 400, r.text
    assert "not valid JSON" in r.json()["errors"][0]["message"]


def test_deep_value_inside_a_login_object_is_a_400_not_a_500(emulator):
    body = '{"grant_type": ' + DEEP + ', "apikey": "k"}'
    r = requests.post(
        emulator.url + "/identity/token",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_ibm_error(r, 400)


def test_deep_json_job_body_is_a_400(api):
    assert_ibm_error(api.post("/jobs", data=DEEP), 400, 1002)


def test_too_many_tag_filters_is_a_400_naming_the_limit(api):
    r = api.get("/jobs", params=[("tags", f"t{i}") for i in range(1200)])
    error = assert_ibm_error(r, 400, 1002)
    assert "1200" in error["message"] and "limit 100" in error["message"]


def test_tag_filters_at_the_limit_and_repeated_are_served(api):
    job = api.submit(tags=["a", "b"])
    at_limit = api.get("/jobs", params=[("tags", f"t{i}") for i in range(100)])
    assert at_limit.status_code == 200 and at_limit.json()["count"] == 0
    repeated = api.get("/jobs", params=[("tags", "a")] * 101 + [("tags", "b")])
    assert repeated.status_code == 200, repeated.text  # 2 distinct filters
    assert [j["id"] for j in repeated.json()["jobs"]] == [job]


@pytest.mark.parametrize("where", ["backend", "tag", "program"])
def test_lone_surrogate_in_a_job_body_is_a_400(api, where):
    body = {
        "backend": sampler_job(backend="\ud800"),
        "tag": sampler_job(tags=["\udfff"]),
        "program": sampler_job(program_id="\ud800x"),
    }[where]
    raw = __import__("json").dumps(body)  # ensure_ascii: the surrogate travels as "\ud800"
    assert "\\ud" in raw
    r = api.post("/jobs", data=raw)
    error = assert_ibm_error(r, 400, 1002)
    assert "surrogate" in error["message"]


def test_a_surrogate_pair_is_valid_text(api):
    raw = __import__("json").dumps(sampler_job(tags=["\U0001f600"]))
    assert "\\ud83d\\ude00" in raw
    job = api.submit(__import__("json").loads(raw))
    assert api.get(f"/jobs/{job}").json()["tags"] == ["\U0001f600"]


def test_error_messages_escape_a_lone_surrogate():
    from qiskit_rest_provider.emulator.errors import error_body

    body = error_body(1002, "bad \ud800 name")
    assert body["errors"][0]["message"] == "bad \\ud800 name"
    body["errors"][0]["message"].encode("utf-8")


def _pub_error(api, program, pub):
    params = {"pubs": [BELL_PUB, pub], "version": 2}
    body = {"program_id": program, "backend": SIM, "params": params}
    if program == "estimator":
        body["params"]["pubs"][0] = [NO_MEASURE, "ZZ"]
    return assert_ibm_error(api.post("/jobs", json=body), 400, 1002)["message"]


BELL_PUB = [BELL, None, 10]


@pytest.mark.parametrize(
    ("program", "pub"),
    [
        ("sampler", [ONE_PARAM, [0.1, 0.2], 10]),  # too many
        ("sampler", [ONE_PARAM, [[0.1, 0.2]], 10]),
        ("sampler", [ONE_PARAM, [], 10]),  # too few
        ("sampler", [ONE_PARAM, None, 10]),
        ("sampler", [BELL, [0.5], 10]),
        ("estimator", [ONE_PARAM.replace("c[0] = measure q[0];\n", ""), "Z", [0.1, 0.2]]),
        ("estimator", [ONE_PARAM.replace("c[0] = measure q[0];\n", ""), "Z", [[]]]),
        ("estimator", [NO_MEASURE, "ZZ", [0.3]]),
    ],
)
def test_parameter_count_mismatch_is_a_400_naming_the_pub(api, program, pub):
    message = _pub_error(api, program, pub)
    assert message.startswith("PUB 1: ") and "parameter" in message


@pytest.mark.parametrize(
    ("program", "pub"),
    [("sampler", ["", None, 10]), ("sampler", "   \n"), ("estimator", ["", "Z"])],
)
def test_empty_openqasm_is_a_400_naming_the_pub(api, program, pub):
    assert _pub_error(api, program, pub) == "PUB 1: the OpenQASM circuit is empty."


def test_matching_parameter_values_still_run(api):
    from qiskit.quantum_info import Statevector

    body = sampler_job(circuit=ONE_PARAM, shots=10)
    body["params"]["pubs"] = [[ONE_PARAM, 0.0, 10], [ONE_PARAM, [[0.0], [3.141592653589793]], 10]]
    job = api.wait(api.submit(body))
    assert job["status"] == "Completed"
    assert Statevector.from_label("0").probabilities_dict() == {"0": 1.0}


def test_logout_revokes_the_refresh_token(emulator):
    r = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": "logout-key"},
        timeout=10,
    ).json()
    headers = {"Authorization": f"Bearer {r['access_token']}"}
    assert requests.post(emulator.url + "/api/v1/logout", headers=headers, timeout=10).ok
    again = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": "refresh_token", "refresh_token": r["refresh_token"]},
        timeout=10,
    )
    assert_ibm_error(again, 400, 1201)


def test_logout_revokes_tokens_refreshed_before_it(emulator):
    first = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": "logout-key"},
        timeout=10,
    ).json()
    refreshed = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        timeout=10,
    ).json()
    other = requests.post(  # another login of the same key: its own family
        emulator.url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": "logout-key"},
        timeout=10,
    ).json()
    headers = {"Authorization": f"Bearer {first['access_token']}"}
    assert requests.post(emulator.url + "/api/v1/logout", headers=headers, timeout=10).ok
    crn = {"Service-CRN": "crn:v1:x:a/t:logout::"}
    for token, expected in ((refreshed["access_token"], 401), (other["access_token"], 200)):
        r = requests.get(
            emulator.url + "/api/v1/backends",
            headers={"Authorization": f"Bearer {token}", **crn},
            timeout=10,
        )
        assert r.status_code == expected
    for token, expected in ((refreshed["refresh_token"], 400), (other["refresh_token"], 200)):
        r = requests.post(
            emulator.url + "/identity/token",
            data={"grant_type": "refresh_token", "refresh_token": token},
            timeout=10,
        )
        assert r.status_code == expected


def _get_with_host(url: str, host: str) -> requests.Response:
    return requests.get(url + "/api/v1/versions", headers={"Host": host}, timeout=10)


def test_unknown_host_header_is_refused(emulator):
    port = emulator.port
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.nip.io", "localhost.evil"):
        assert_ibm_error(_get_with_host(emulator.url, host), 400, 1002)
    for host in (
        f"127.0.0.1:{port}",
        "127.0.0.1",
        f"localhost:{port}",
        "LOCALHOST",
        "app.localhost",
        f"[::1]:{port}",
        "10.1.2.3",
    ):
        assert _get_with_host(emulator.url, host).status_code == 200, host


def test_allowed_hosts_widen_the_host_check(make_server):
    server = make_server(allowed_hosts=["emu.internal"])
    assert _get_with_host(server.url, f"emu.internal:{server.port}").status_code == 200
    assert _get_with_host(server.url, "other.internal").status_code == 400
    anything = make_server(allowed_hosts=["*"])
    assert _get_with_host(anything.url, "other.internal").status_code == 200


def test_host_check_rules(emulator):
    from qiskit_rest_provider.emulator.middleware import HostCheck

    check = HostCheck("emu.lan", ["Extra.Lan"])
    assert check.allows(None)
    assert check.allows(b"emu.lan:1") and check.allows(b"extra.lan") and check.allows(b"[::1]")
    assert not check.allows(b"emu.lan.evil") and not check.allows(b"[evil]")
    assert not check.allows(b"evil:") and not check.allows(b"x.localhost.evil")
    port = emulator.port  # any port of an allowed host: here a live one
    assert check.allows(f"127.0.0.1:{port}".encode()) and check.allows(f"[fe80::1]:{port}".encode())
    assert not HostCheck("127.0.0.1").allows(b"emu.lan")


def test_a_half_sent_request_head_is_timed_out(make_server):
    server = make_server(header_timeout=0.3)
    for first_bytes in (b"GET /api/v1/versions HTTP/1.1\r\nHost: 127.0.0.1\r\n", b""):
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            if first_bytes:
                sock.sendall(first_bytes)
            assert sock.recv(1024) == b""  # closed by the server (a hang raises socket.timeout)
    # a complete request on a fresh connection is still served
    assert requests.get(server.url + "/api/v1/versions", timeout=10).status_code == 200


def test_a_kept_alive_connection_is_not_cut_by_the_head_deadline(make_server):
    server = make_server(header_timeout=0.2)
    http = requests.Session()
    for _ in range(3):
        assert http.get(server.url + "/api/v1/versions", timeout=10).status_code == 200


def test_logged_paths_escape_control_characters(make_server, caplog):
    caplog.set_level(logging.INFO, logger="qiskit_rest_provider.emulator.middleware")
    server = make_server(log_requests=True)
    requests.get(server.url + "/api/v1/x%0a2026-01-01 FORGED%0d%1b", timeout=10)
    deadline = time.monotonic() + 10
    while not (lines := [r.getMessage() for r in caplog.records if "FORGED" in r.getMessage()]):
        assert time.monotonic() < deadline  # logged just after the answer went out
        time.sleep(0.01)
    (line,) = lines
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert "/api/v1/x\\x0a2026-01-01 FORGED\\x0d\\x1b" in line


def test_printable():
    from qiskit_rest_provider.emulator.middleware import printable

    assert printable("a\nb\x00c\x7f\x9fé\t") == "a\\x0ab\\x00c\\x7f\\x9fé\\x09"
    assert printable("/plain/path ~") == "/plain/path ~"


def test_corrupt_database_ends_start_up_with_a_clear_message(tmp_path):
    db = tmp_path / "emulator.sqlite3"
    db.write_bytes(b"this is not a database" * 200)
    proc = subprocess.run(
        [sys.executable, "-m", "qiskit_rest_provider.emulator", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert str(db) in proc.stderr and "move it" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_corrupt_database_releases_the_data_directory(tmp_path):
    from qiskit_rest_provider.emulator.store import Store, StoreDamaged

    (tmp_path / "emulator.sqlite3").write_bytes(b"\x00garbage" * 600)
    with pytest.raises(StoreDamaged, match="cannot be used"):
        Store(str(tmp_path))
    (tmp_path / "emulator.sqlite3").unlink()
    Store(str(tmp_path)).close()  # the directory lock was released


def test_full_storage_is_an_ibm_shaped_error_and_heals(make_server, tmp_path):
    server = make_server(data_dir=str(tmp_path))
    api = Api(server.url)
    db = server.state.store._db
    with server.state.store._lock:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers as on a full disk
    big = sampler_job(tags=["x" * 80] * 8)
    big["params"]["pubs"] = [[BELL + "// " + "pad " * 20_000, None, 10]]
    r = api.post("/jobs", json=big)
    error = assert_ibm_error(r, 507, 1214)
    assert "storage is full" in error["message"] and r.headers["Retry-After"] == "5"
    with server.state.store._lock:
        db.execute("PRAGMA max_page_count = 1073741823")
    assert api.wait(api.submit(big))["status"] == "Completed"


def test_storage_full_recognises_sqlite_and_os_errors():
    import errno

    from qiskit_rest_provider.emulator.store import storage_full

    assert storage_full(sqlite3.OperationalError("database or disk is full"))
    assert storage_full(OSError(errno.ENOSPC, "No space left on device"))
    assert not storage_full(OSError(errno.EACCES, "denied"))
    assert not storage_full(sqlite3.OperationalError("database is locked"))
    assert not storage_full(ValueError("is full"))
