"""Malformed bodies, odd values and hostile OpenQASM at the emulator: only 2xx/4xx, no hang.

Complements tests/emulator/test_fuzz.py (JSON-sendable bodies): here the bodies are raw text,
so they can carry what ``json=`` cannot (``NaN``, ``Infinity``, ``1e999``, 400-digit integers,
deep nesting, truncation), the OpenQASM is mutated or hostile, and the query strings, headers
and path segments are odd. Every request has a timeout; every accepted job must reach a final
state within a bound; afterwards the same server runs a Bell job correctly.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st

from .strategies import FUZZ, JSONISH

SIM = "ibmq_qasm_simulator"
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/property:fuzz::"
TIMEOUT = (5, 30)
FINAL = ("Completed", "Failed", "Cancelled", "Cancelled - Ran too long")
BELL = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\n'
    "h q[0];\ncx q[0], q[1];\nc = measure q;\n"
)
HOSTILE_QASM = [
    'OPENQASM 3.0;\ninclude "/etc/passwd";\nqubit q;\n',
    'OPENQASM 3.0;\ninclude "missing.inc";\nqubit q;\n',
    "OPENQASM 3.0;\nbit[2147483648] c;\nqubit q;\n",
    "OPENQASM 3.0;\nqubit[100000000] q;\n",
    "OPENQASM 2.0;\nqreg q[99999999999];\n",
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nbit c;\n'
    "for uint i in [0:1000000000] { h q; }\nc = measure q;\n",
    "OPENQASM 3.0;\ngate g a { g a; }\nqubit q;\ng q;\n",
    "OPENQASM 3.0;\nqubit q;\n" + "if (true) { " * 500 + "}" * 500,
    "OPENQASM 3.0;\nqubit q;\nU(" + "(" * 2000 + "0" + ")" * 2000 + ", 0, 0) q;\n",
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nbit c;\n'
    + "x q;\n" * 20_000
    + "c = measure q;",
    "OPENQASM 3.0;\nextern f(int) -> int;\ndefcal x $0 { }\nqubit q;\n",
    "OPENQASM 3.0;\nqubit[2] q;\nbit[2] c;\ncx q[0], q[0];\nc = measure q;\n",
    "OPENQASM 3.0;\nqubit q;\nbit c;\nrx(1e999) q;\nc = measure q;\n",
    "OPENQASM 3.0;\ninput float[64] θ;\nqubit q;\nbit c;\nrx(θ) q;\nc = measure q;\n",
    "",
    "\x00\xff\ufeff",
]


@pytest.fixture(scope="module")
def server():
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(workers=2, seed=21) as emu:
        yield emu


@pytest.fixture(scope="module")
def http(server):
    token = requests.post(
        server.url + "/identity/token",
        data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": "fuzz-key"},
        timeout=TIMEOUT,
    ).json()["access_token"]
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {token}", "Service-CRN": CRN, "IBM-API-Version": "2026-04-15"}
    )
    return session


def _ok(response: requests.Response) -> bool:
    return 200 <= response.status_code < 300 or 400 <= response.status_code < 500


def _post_job(server, http, text: str) -> requests.Response:
    return http.post(
        server.url + "/api/v1/jobs",
        data=text.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )


def _wait_final(server, http, job_id: str, bound: float = 30.0) -> str:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        status = http.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=TIMEOUT).json()["status"]
        if status in FINAL:
            return status
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} still not final after {bound} s (a hang)")


def _json_text(value) -> str:
    # allow_nan=True writes NaN / Infinity, which Python's json.loads on the server accepts.
    return json.dumps(value, allow_nan=True, default=repr)


ODD_LITERALS = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 400, "1" + "0" * 5000, '"\\ud800"']
)


def _job_text(program: str, pubs: str, extra: str = "") -> str:
    return (
        f'{{"program_id": "{program}", "backend": "{SIM}", '
        f'"params": {{"pubs": {pubs}, "version": 2{extra}}}}}'
    )


@FUZZ
@given(
    value=JSONISH,
    literal=ODD_LITERALS,
    where=st.sampled_from(["shots", "precision", "values", "obs", "version", "body"]),
    program=st.sampled_from(["sampler", "estimator"]),
    cut=st.none() | st.integers(0, 200),
)
@example(value=None, literal="[" * 100_000, where="body", program="sampler", cut=None)
@example(value=None, literal='{"a":' * 50_000, where="body", program="sampler", cut=None)
def test_raw_job_bodies(server, http, value, literal, where, program, cut):
    qasm = json.dumps(BELL)
    odd = literal if value is None else _json_text(value)
    if where == "body":
        text = odd
    elif program == "sampler":
        values = odd if where == "values" else "null"
        shots = odd if where in ("shots", "precision") else "10"
        text = _job_text(program, f"[[{qasm}, {values}, {shots}]]")
    else:
        obs = odd if where == "obs" else '{"ZZ": 1}'
        precision = odd if where == "precision" else "0.1"
        text = _job_text(program, f"[[{qasm}, {obs}, null, {precision}]]")
    if where == "version":
        text = text.replace('"version": 2', f'"version": {odd}')
    if cut is not None:
        text = text[:cut]
    response = _post_job(server, http, text)
    assert _ok(response), (response.status_code, response.text[:300])
    if response.status_code == 200:
        assert _wait_final(server, http, response.json()["id"]) in FINAL


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, length, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + length :]
    return text


QASM_NOISE = st.sampled_from(
    [";", "{", "}", "[", "]", "(", ")", "q", "$0", "$999", "measure", "if", "for", "gate",
     "1e999", "-", "π", "\n", "//", "/*", "include", "qubit[0]", "bit[-1]", "\x00", "input"]
)  # fmt: skip


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 5), QASM_NOISE | st.text(max_size=4)),
        max_size=4,
    ),
    program=st.sampled_from(["sampler", "estimator"]),
)
@example(edits=[], program="sampler")
def test_malformed_openqasm(server, http, edits, program):
    _submit_qasm(server, http, _mutate(BELL, edits), program)


@pytest.mark.parametrize("qasm", HOSTILE_QASM, ids=range(len(HOSTILE_QASM)))
def test_hostile_openqasm(server, http, qasm):
    _submit_qasm(server, http, qasm, "sampler")


def test_slow_parse_of_undefined_gates_is_bounded(server, http):
    qasm = "OPENQASM 3.0;\nqubit q;\nbit c;\n" + "x q;\n" * 200_000 + "c = measure q;\n"
    _submit_qasm(server, http, qasm, "sampler")


def _submit_qasm(server, http, qasm: str, program: str) -> None:
    pub = [qasm, None, 10] if program == "sampler" else [qasm, {"Z": 1}, None, 0.1]
    body = {"program_id": program, "backend": SIM, "params": {"pubs": [pub], "version": 2}}
    started = time.monotonic()
    response = _post_job(server, http, json.dumps(body))
    assert _ok(response), (response.status_code, response.text[:300])
    if response.status_code == 200:
        assert _wait_final(server, http, response.json()["id"]) in FINAL
    assert time.monotonic() - started < 35


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(
            [
                "limit",
                "offset",
                "skip",
                "sort",
                "tags",
                "backend",
                "program",
                "pending",
                "created_after",
                "created_before",
                "exclude_params",
                "session_id",
                "x",
            ]
        ),  # fmt: skip
        st.text(max_size=12) | ODD_LITERALS,
        max_size=4,
    ),
    segment=st.text(max_size=30),
    resource=st.sampled_from(
        [
            "jobs/{}",
            "jobs/{}/results",
            "jobs/{}/logs",
            "jobs/{}/metrics",
            "sessions/{}",
            "backends/{}/configuration",
            "backends/{}/properties",
            "backends/{}/status",
        ]
    ),  # fmt: skip
)
@example(query={"offset": "9" * 400}, segment="", resource="jobs/{}")  # was a 500 (SQLite)
@example(query={"limit": str(2**63)}, segment="x", resource="jobs/{}")
def test_odd_queries_and_paths(server, http, query, segment, resource):
    listing = http.get(server.url + "/api/v1/jobs", params=query, timeout=TIMEOUT)
    assert _ok(listing), (listing.status_code, listing.text[:300])
    path = resource.format(quote(segment, safe="") or "x")
    single = http.get(f"{server.url}/api/v1/{path}", params=query, timeout=TIMEOUT)
    assert _ok(single), (single.status_code, path, single.text[:300])


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(
    str.strip
)


@FUZZ
@given(
    auth=HEADER_TEXT,
    crn=HEADER_TEXT,
    version=HEADER_TEXT,
    form=st.dictionaries(st.sampled_from(["grant_type", "apikey", "refresh_token", "x"]),
                         st.text(max_size=20), max_size=3),
)  # fmt: skip
def test_odd_headers_and_token_forms(server, auth, crn, version, form):
    headers = {"Authorization": auth, "Service-CRN": crn, "IBM-API-Version": version}
    response = requests.get(server.url + "/api/v1/backends", headers=headers, timeout=TIMEOUT)
    assert _ok(response), (response.status_code, response.text[:300])
    token = requests.post(server.url + "/identity/token", data=form, timeout=TIMEOUT)
    assert _ok(token), (token.status_code, token.text[:300])


def test_still_runs_a_bell_job_correctly(server, http):
    body = {"program_id": "sampler", "backend": SIM, "params": {"pubs": [[BELL, None, 200]]}}
    response = _post_job(server, http, json.dumps(body))
    assert response.status_code == 200, response.text
    job_id = response.json()["id"]
    assert _wait_final(server, http, job_id) == "Completed"
    result = http.get(f"{server.url}/api/v1/jobs/{job_id}/results", timeout=TIMEOUT).json()
    samples = result["results"][0]["data"]["c"]["samples"]
    assert len(samples) == 200 and set(samples) <= {"0x0", "0x3"}
