"""Property-based bad input: the emulator answers only 2xx/4xx and keeps working."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import BELL, SIM, Api, sampler_job

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "program_id",
        "backend",
        "params",
        "tags",
        "session_id",
        "log_level",
        "cost",
        "private",
        "start_session",
        "pubs",
        "options",
        "version",
    ]
)
FIELD_VALUES = st.one_of(
    JSON,
    st.just(SIM),
    st.just("sampler"),
    st.just("estimator"),
    st.just(BELL),
    st.just([[BELL, None, 10]]),
)
JOB_BODIES = st.dictionaries(KEYS, FIELD_VALUES, max_size=6)
PARAMS = st.dictionaries(
    st.sampled_from(
        ["pubs", "options", "version", "support_qiskit", "resilience_level", "precision", "shots"]
    ),
    st.one_of(JSON, st.just([[BELL, None, 10]]), st.just([[BELL]])),
    max_size=4,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _ok(status: int) -> bool:
    return 200 <= status < 300 or 400 <= status < 500


@FUZZ
@given(body=st.one_of(JSON, JOB_BODIES))
def test_post_jobs_never_5xx(api, body):
    r = api.post("/jobs", json=body)
    assert _ok(r.status_code), (r.status_code, r.text)


@FUZZ
@given(params=PARAMS, program=st.sampled_from(["sampler", "estimator"]))
def test_job_params_never_5xx_nor_hang(api, params, program):
    r = api.post("/jobs", json={"program_id": program, "backend": SIM, "params": params})
    assert _ok(r.status_code), (r.status_code, r.text)
    if r.status_code == 200:
        job = api.wait(r.json()["id"], timeout=30)
        assert job["status"] in ("Completed", "Failed")


@FUZZ
@given(
    body=JSON,
    path=st.sampled_from(["/sessions", "/jobs/x/tags", "/sessions/x"]),
    method=st.sampled_from(["POST", "PUT", "PATCH"]),
)
def test_other_bodies_never_5xx(api, body, path, method):
    r = api.request(method, path, data=json.dumps(body))
    assert _ok(r.status_code), (r.status_code, r.text)


@FUZZ
@given(
    body=JSON,
    query=st.dictionaries(
        st.sampled_from(["backend", "optimization_level", "ai", "ai_layout_mode", "use_ai"]),
        st.text(max_size=8),
        max_size=4,
    ),
)
def test_transpile_never_5xx(emulator, body, query):
    import requests

    r = requests.post(
        emulator.url + "/transpile",
        params=query,
        json=body,
        headers={"Authorization": "Bearer fuzz"},
        timeout=30,
    )
    assert _ok(r.status_code), (r.status_code, r.text)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_raw_bytes_never_5xx(api, raw):
    r = api.post("/jobs", data=raw, headers={"Content-Type": "application/json"})
    assert _ok(r.status_code)


def test_still_works_after_fuzzing(emulator):
    api = Api(emulator.url)
    assert api.wait(api.submit(sampler_job()))["status"] == "Completed"


SESSION_BODIES = st.dictionaries(
    st.sampled_from(
        [
            "mode",
            "backend",
            "backend_name",
            "max_ttl",
            "interactive_ttl",
            "instance",
            "accepting_jobs",
        ]
    ),
    st.one_of(JSON, st.just("batch"), st.just(SIM), st.just(60)),
    max_size=5,
)
TRANSPILE_BODIES = st.dictionaries(
    st.sampled_from(
        [
            "qasm_circuits",
            "qpy_circuits",
            "backend_coupling_map",
            "coupling_map",
            "qiskit_transpile_options",
            "ai_layout_mode",
            "optimization_preferences",
        ]
    ),
    st.one_of(JSON, st.just(BELL), st.just([[0, 1]]), st.just({"seed_transpiler": 1})),
    max_size=4,
)


@FUZZ
@given(body=SESSION_BODIES)
def test_session_bodies_never_5xx(api, body):
    r = api.post("/sessions", json=body)
    assert _ok(r.status_code), (r.status_code, r.text)
    if r.status_code == 200:
        r = api.request("PATCH", f"/sessions/{r.json()['id']}", json=body)
        assert _ok(r.status_code), (r.status_code, r.text)


@FUZZ
@given(body=TRANSPILE_BODIES, backend=st.sampled_from([None, SIM, "nope"]))
def test_transpile_bodies_never_5xx(emulator, body, backend):
    import requests

    r = requests.post(
        emulator.url + "/transpile",
        params={"backend": backend} if backend else {},
        json=body,
        headers={"Authorization": "Bearer fuzz"},
        timeout=30,
    )
    assert _ok(r.status_code), (r.status_code, r.text)
