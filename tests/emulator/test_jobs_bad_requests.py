"""Every bad ``POST /jobs`` gets an IBM-shaped 4xx, never a 500, and the server keeps working."""

from __future__ import annotations

import pytest

from .helpers import BELL, SIM, assert_ibm_error, sampler_job

GOOD = sampler_job()


def _with(**changes):
    body = {**GOOD, "params": dict(GOOD["params"])}
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


BAD_BODIES = [
    ("not an object", [1, 2], 400, 1002),
    ("no program", _with(program_id=...), 400, 1002),
    ("program not a string", _with(program_id=5), 400, 1002),
    ("unknown program", _with(program_id="qaoa"), 404, 1295),
    ("no backend", _with(backend=...), 400, 1002),
    ("unknown backend", _with(backend="ibm_nowhere"), 404, 1007),
    ("backend not a string", _with(backend={"a": 1}), 400, 1002),
    ("program a list", _with(program_id=["sampler"]), 400, 1002),
    ("params not an object", _with(params=[1]), 400, 1002),
    ("no pubs", _with(params={}), 400, None),
    ("pubs not a list", _with(params={"pubs": "x"}), 400, None),
    (
        "evil include",
        _with(params={"pubs": [['OPENQASM 3.0;\ninclude "/etc/passwd";\n']]}),
        400,
        None,
    ),
    ("negative shots", _with(params={"pubs": [[BELL, None, -1]]}), 400, None),
    ("tags not a list", _with(tags="a"), 400, 1002),
    ("too many tags", _with(tags=[str(i) for i in range(9)]), 400, 1204),
    ("tag too long", _with(tags=["x" * 87]), 400, 1205),
    ("bad log level", _with(log_level="LOUD"), 400, 1002),
    ("cost negative", _with(cost=-1), 400, 1002),
    ("cost too big", _with(cost=10_801), 400, 1002),
    ("cost not int", _with(cost="10"), 400, 1002),
    ("private not bool", _with(private="yes"), 400, 1002),
    ("start_session true", _with(start_session=True), 400, 1208),
    ("unknown session", _with(session_id="nope"), 404, 1381),
    ("session id not str", _with(session_id=5), 400, 1002),
]


@pytest.mark.parametrize("name,body,status,code", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_job_bodies(api, name, body, status, code):
    assert_ibm_error(api.post("/jobs", json=body), status, code)


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"null", b'"str"', b"\xff\xfe", b"[" * 100_000, b'{"a": NaN'],
    ids=["empty", "truncated", "null", "string", "binary", "deep", "nan"],
)
def test_unparsable_bodies(api, raw):
    r = api.post("/jobs", data=raw, headers={"Content-Type": "application/json"})
    assert_ibm_error(r, 400)


def test_malformed_qasm_fails_the_request_or_the_job(api):
    r = api.post(
        "/jobs", json=_with(params={"pubs": [["OPENQASM 3.0;\nqubit[2] q;\nfrobnicate q[0];\n"]]})
    )
    if r.status_code == 200:
        job = api.wait(r.json()["id"])
        assert job["status"] == "Failed" and job["state"]["reason"]
    else:
        assert_ibm_error(r, 400)


def test_seed_style_body_is_accepted(api):
    # The seed's Classic-era keys ride along on the current API too and are ignored.
    body = _with(hub="ibm-q", group="open", project="main", start_session="False")
    assert api.post("/jobs", json=body).status_code == 200


def test_server_still_works_after_garbage(api):
    for _ in range(3):
        api.post("/jobs", data=b"\x00" * 10)
    job_id = api.submit()
    assert api.wait(job_id)["status"] == "Completed"


def test_bad_query_parameters(api):
    assert_ibm_error(api.get("/jobs", params={"pending": "maybe"}), 400)
    assert_ibm_error(api.get("/jobs", params={"created_after": "yesterday"}), 400)
    assert_ibm_error(api.get("/jobs", params={"sort": "UP"}), 400)
    assert_ibm_error(api.get("/jobs", params={"offset": "x"}), 400)
    assert_ibm_error(api.get("/jobs/x", params={"exclude_params": "x"}), 400)
    assert api.get("/jobs", params={"limit": "5000"}).json()["limit"] == 200  # silent fallback


def test_request_body_limit_is_413(make_server):
    from .helpers import Api

    api = Api(make_server(max_body_bytes=10_000).url)
    body = sampler_job(circuit=BELL + "// " + "x" * 20_000 + "\n")
    assert_ibm_error(api.post("/jobs", json=body), 413, 1211)
    # Without Content-Length (chunked) the limit holds too.
    r = api.post("/jobs", data=iter([b"{" + b" " * 6000, b" " * 6000 + b"}"]))
    assert_ibm_error(r, 413, 1211)
    assert api.post("/jobs", json=sampler_job()).status_code == 200


def test_wrong_backend_for_simulator_is_refused(api):
    body = sampler_job()
    body["backend"] = SIM
    assert api.post("/jobs", json=body).status_code == 200


def test_too_many_queued_jobs_is_429(make_server):
    from .helpers import Api

    api = Api(make_server(max_pending_jobs=2, queue_delay=30).url)
    api.submit()
    api.submit()
    r = api.post("/jobs", json=sampler_job())
    assert_ibm_error(r, 429, 1202)
    assert r.headers["Retry-After"] == "1"
