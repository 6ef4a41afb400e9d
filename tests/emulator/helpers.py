"""A thin ``requests`` client for the emulator tests (the tests talk HTTP, nothing else)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import requests

APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
SIM = "ibmq_qasm_simulator"
BELL = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\n'
    "h q[0];\ncx q[0], q[1];\nc = measure q;\n"
)
FINAL = ("Completed", "Failed", "Cancelled", "Cancelled - Ran too long")


def new_crn() -> str:
    """A fresh instance CRN, so each test sees only its own jobs."""
    return f"crn:v1:bluemix:public:quantum-computing:us-east:a/test:{uuid.uuid4().hex}::"


def iam_token(url: str, api_key: str = "test-key") -> str:
    r = requests.post(
        url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": api_key},
        headers={"Accept": "application/json"},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()["access_token"]


def sampler_job(shots: int = 64, circuit: str = BELL, **extra: Any) -> dict[str, Any]:
    body = {
        "program_id": "sampler",
        "backend": SIM,
        "params": {"pubs": [[circuit, None, shots]], "version": 2},
    }
    body.update(extra)
    return body


class Api:
    """Authenticated calls against one instance of one emulator."""

    def __init__(self, url: str, crn: str | None = None, api_key: str = "test-key") -> None:
        self.url = url
        self.crn = crn or new_crn()
        self.http = requests.Session()
        self.token = iam_token(url, api_key)
        self.http.headers.update(
            {
                "Authorization": f"Bearer {self.token}",
                "Service-CRN": self.crn,
                "IBM-API-Version": "2026-04-15",
            }
        )

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 30)
        return self.http.request(method, self.url + "/api/v1" + path, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def submit(self, body: dict[str, Any] | None = None, **extra: Any) -> str:
        r = self.post("/jobs", json=body or sampler_job(**extra))
        assert r.status_code == 200, r.text
        return r.json()["id"]

    def status(self, job_id: str) -> str:
        r = self.get(f"/jobs/{job_id}")
        assert r.status_code == 200, r.text
        return r.json()["status"]

    def wait(self, job_id: str, timeout: float = 30.0, seen: list[str] | None = None) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/jobs/{job_id}").json()
            if seen is not None and (not seen or seen[-1] != job["status"]):
                seen.append(job["status"])
            if job["status"] in FINAL:
                return job
            time.sleep(0.01)
        raise AssertionError(f"job {job_id} not final after {timeout} s")


def assert_ibm_error(response: requests.Response, status: int, code: int | None = None) -> dict:
    """Checks the IBM shape ``{"errors": [{code, message, solution, more_info}], "trace"}``."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) >= {"errors", "trace"}, body
    (error,) = body["errors"]
    assert set(error) == {"code", "message", "solution", "more_info"}, error
    assert isinstance(body["trace"], str) and body["trace"]
    if code is not None:
        assert error["code"] == code, error
    return error
