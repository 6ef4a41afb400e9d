"""The client against small servers that misbehave (real sockets on 127.0.0.1, port 0).

Each case asserts the typed error, a generous bound on memory or time (a safety bound, not a
benchmark) and, for redirects, that a second origin receives nothing at all.
"""

from __future__ import annotations

import json
import math
import time
import tracemalloc

import pytest

from qiskit_rest_provider import RuntimeService
from qiskit_rest_provider.api import JobsApi
from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result, result_budget
from qiskit_rest_provider.exceptions import (
    ApiTimeoutError,
    DecodeError,
    InvalidResponseError,
    JobTimeoutError,
    RateLimitError,
)
from qiskit_rest_provider.http import (
    LoggedOutError,
    RedirectRefusedError,
    ResponseTooLargeError,
    RetryPolicy,
    Transport,
)
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.service.job import PollPolicy, RuntimeJob

from .fake_server import fake_server, gzip_bomb

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc:def::"
API_KEY = "api-key-SECRET-1234"
CLASSIC_TOKEN = "classic-api-token-SECRET"
ACCESS = "access-token-SECRET-5678"
ONCE = RetryPolicy(max_attempts=1)
FAST = PollPolicy(warmup=(), initial=0.01, factor=1.0, max_interval=0.01)
MiB = 2**20


def _nothing(handler, request):
    handler.json(200, {"stolen": True})


def _no_secret(*texts: object) -> None:
    for text in texts:
        for secret in (API_KEY, CLASSIC_TOKEN, ACCESS):
            assert secret not in str(text)


# ------------------------------------------------------------------ credentials


def test_classic_302_to_another_origin_does_not_carry_the_access_token():
    with fake_server(_nothing) as other:

        def respond(handler, request):
            if request["path"] == "/api/users/loginWithToken":
                handler.json(200, {"id": ACCESS, "ttl": 3600})
            else:
                handler.send(302, headers={"Location": other.url + "/steal?token=x"})

        with fake_server(respond) as main:
            service = RuntimeService(
                channel="ibm_quantum", token=CLASSIC_TOKEN, url=main.url, retry=ONCE
            )
            with pytest.raises(RedirectRefusedError) as info:
                service.jobs()
    assert other.seen == []
    error = info.value
    assert error.status_code == 302
    assert error.location == other.url + "/steal"
    assert f"to {other.url}/steal, another origin" in str(error)
    assert "token=x" not in str(error)
    _no_secret(error, repr(error.__dict__))
    assert [p.split("?")[0] for p in main.paths()] == [
        "POST /api/users/loginWithToken",
        "GET /runtime/jobs",
    ]


def test_a_same_origin_redirect_is_followed_with_its_credential():
    def respond(handler, request):
        if request["path"].startswith("/api/v1/backends"):
            handler.send(307, headers={"Location": "/api/v1/moved/backends"})
        else:
            handler.json(200, {"devices": ["a"]})

    with fake_server(respond) as main:
        transport = Transport(main.url + "/api/v1", StaticBearer(ACCESS), retry=ONCE)
        assert transport.get_json("backends") == {"devices": ["a"]}
    assert main.paths() == ["GET /api/v1/backends", "GET /api/v1/moved/backends"]
    assert main.seen[1]["headers"]["Authorization"] == "Bearer " + ACCESS


def test_token_endpoint_307_to_another_origin_does_not_re_post_the_api_key():
    with fake_server(_nothing) as other:

        def respond(handler, request):
            handler.send(307, headers={"Location": other.url + "/identity/token"})

        with fake_server(respond) as main:
            service = RuntimeService(token=API_KEY, url=main.url, instance=CRN, retry=ONCE)
            with pytest.raises(RedirectRefusedError) as info:
                service.jobs()
    assert other.seen == []
    assert API_KEY.encode() in main.seen[0]["body"]  # it went to the configured origin only
    assert info.value.location == other.url + "/identity/token"
    _no_secret(info.value)


def test_a_303_to_the_same_origin_turns_a_post_into_a_get_without_its_body():
    def respond(handler, request):
        if request["method"] == "POST":
            handler.send(303, headers={"Location": "/api/v1/jobs/j1"})
        else:
            handler.json(200, {"id": "j1", "backend": "b"})

    with fake_server(respond) as main:
        transport = Transport(main.url + "/api/v1", StaticBearer(ACCESS), retry=ONCE)
        assert JobsApi(transport).create({"program_id": "sampler"})["id"] == "j1"
    assert main.paths() == ["POST /api/v1/jobs", "GET /api/v1/jobs/j1"]
    assert main.seen[1]["body"] == b"" and "Content-Type" not in main.seen[1]["headers"]


def test_endless_same_origin_redirects_stop():
    def respond(handler, request):
        handler.send(302, headers={"Location": "/again"})

    with fake_server(respond) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), retry=ONCE)
        with pytest.raises(RedirectRefusedError, match="redirected more than 5 times"):
            transport.request("GET", "start")
    assert len(main.seen) == 6


def test_classic_logout_ends_the_service():
    def respond(handler, request):
        if request["path"] == "/api/users/loginWithToken":
            handler.json(200, {"id": ACCESS, "ttl": 3600})
        elif request["path"] == "/api/users/logout":
            handler.send(204)
        else:
            handler.json(200, {"jobs": [], "count": 0})

    with fake_server(respond) as main:
        service = RuntimeService(channel="ibm_quantum", token=CLASSIC_TOKEN, url=main.url)
        assert service.jobs() == []
        service.logout()
        for call in (service.jobs, lambda: service.job("j1"), lambda: service.backend("b")):
            with pytest.raises(LoggedOutError) as info:
                call()
            assert str(info.value) == (
                "This service was logged out; create a new RuntimeService to send requests again."
            )
    assert [p.split("?")[0] for p in main.paths()] == [
        "POST /api/users/loginWithToken",
        "GET /runtime/jobs",
        "POST /api/users/logout",
    ]


# ------------------------------------------------------------------ memory


def _sampler_job(transport: Transport, shots: int = 4, bits: int = 2) -> RuntimeJob:
    spec = PubSpec(shape=(), cregs=(CregSpec("c", "c", bits),), shots=shots)
    return RuntimeJob("j1", jobs_api=JobsApi(transport), program="sampler", specs=[spec], poll=FAST)


def _completed_then(result_body: bytes, headers: dict[str, str] | None = None):
    def respond(handler, request):
        if request["path"].startswith("/jobs/j1/results"):
            handler.send(200, result_body, headers)
        else:
            handler.json(200, {"id": "j1", "state": {"status": "Completed"}})

    return respond


def _peak(call) -> tuple[BaseException, int]:
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as info:
            call()
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_result_stops_at_the_jobs_size():
    bomb = gzip_bomb()  # ~1 MB that expands to 1 GiB
    assert len(bomb) < 1.1 * MiB
    respond = _completed_then(bomb, {"Content-Encoding": "gzip"})
    with fake_server(respond) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), retry=ONCE))
        error, peak = _peak(job.result)
    assert isinstance(error, ResponseTooLargeError)
    assert "counted after decompression" in str(error)
    assert peak < 64 * MiB  # the job's budget (~9 MiB) plus chunks, never the gigabyte


def test_any_answer_is_capped_after_decompression():
    bomb = gzip_bomb(expanded=64 * MiB)
    with fake_server(lambda h, r: h.send(200, bomb, {"Content-Encoding": "gzip"})) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), retry=ONCE, max_response_bytes=MiB)
        error, peak = _peak(lambda: transport.request("GET", "backends"))
    assert isinstance(error, ResponseTooLargeError)
    assert f"limit of {MiB} bytes" in str(error)
    assert peak < 16 * MiB


def test_a_declared_length_over_the_cap_is_refused_before_reading():
    def respond(handler, request):
        handler.send_response(200)
        handler.send_header("Content-Length", str(10 * 2**30))
        handler.end_headers()
        handler.wfile.write(b"{")

    with fake_server(respond) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), retry=ONCE, max_response_bytes=MiB)
        with pytest.raises(ResponseTooLargeError):
            transport.request("GET", "backends")


def test_a_gzip_body_within_the_cap_is_read():
    import gzip

    body = gzip.compress(json.dumps({"devices": ["x"] * 1000}).encode())
    with fake_server(lambda h, r: h.send(200, body, {"Content-Encoding": "gzip"})) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), retry=ONCE)
        assert transport.get_json("backends") == {"devices": ["x"] * 1000}
        assert main.seen[0]["headers"]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("register", "message"),
    [
        ({"samples": ["0x1"] * 4, "num_bits": 1e9}, "num_bits 1000000000.0 is not a width"),
        ({"samples": ["0x1"] * 4, "num_bits": math.nan}, "num_bits nan is not a width"),
        ({"samples": ["0x1"] * 4, "num_bits": "2"}, "num_bits is not a number"),
        ({"samples": ["0x1"] * 4, "num_bits": 3}, "declares 3 bits; the circuit's register has 2"),
        ({"samples": [["0x1"] * 4] * 3, "num_bits": 2}, r"shape \(3, 4\); the PUB's shape is \(\)"),
        ({"samples": ["0x1"] * 3 + ["0x" + "f" * 10**6], "num_bits": 2}, "wider than its register"),
    ],
)
def test_declared_sizes_are_checked_against_the_pub_before_allocating(register, message):
    body = json.dumps({"results": [{"data": {"c": register}}]}).encode()
    with fake_server(_completed_then(body)) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), retry=ONCE))
        tracemalloc.start()
        try:
            with pytest.raises(DecodeError, match=message):
                job.result()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8 * len(body) + 32 * MiB


def test_more_samples_than_the_job_can_hold_are_refused_before_converting():
    spec = PubSpec(shape=(), cregs=(CregSpec("c", "c", 2),), shots=4)
    budget = result_budget("sampler", [spec])
    assert budget == 8 * MiB + MiB + 4 * (2 + 1 + 1) * 32
    fits = budget // 5 - 1  # 5 bytes per converted 2-bit sample
    register = {"samples": ["0x1"] * fits, "num_bits": 2}
    result = decode_result({"results": [{"data": {"c": register}}]}, "sampler", [spec])
    assert result[0].data.c.num_shots == fits  # twirling may run more shots than the PUB's
    register["samples"] = ["0x1"] * (budget // 5 + 1)
    with pytest.raises(DecodeError, match="more than the job's result can"):
        decode_result({"results": [{"data": {"c": register}}]}, "sampler", [spec])


def test_a_tagged_array_bomb_is_not_inflated():
    import base64
    import io
    import zlib

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.zeros((64 * MiB, 1), dtype=np.uint8))  # 64 MiB for a 4-shot job
    packed = base64.b64encode(zlib.compress(buffer.getvalue(), 6)).decode()
    del buffer
    array = {"__type__": "ndarray", "__value__": packed}
    bit_array = {"__type__": "BitArray", "__value__": {"array": array, "num_bits": 2}}
    data_bin = {"__type__": "DataBin", "__value__": {"fields": {"c": bit_array}, "shape": []}}
    body = json.dumps(
        {
            "__type__": "PrimitiveResult",
            "__value__": {
                "pub_results": [{"__type__": "SamplerPubResult", "__value__": {"data": data_bin}}],
                "metadata": {},
            },
        }
    ).encode()
    with fake_server(_completed_then(body)) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), retry=ONCE))
        error, peak = _peak(job.result)
    assert isinstance(error, DecodeError) and "expands beyond" in str(error)
    assert peak < 64 * MiB


# ------------------------------------------------------------------ time


def _drip(handler, request):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(1000):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.5)


def _drip_headers(handler, request):
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


@pytest.mark.parametrize("respond", [_drip, _drip_headers])
def test_a_dripping_server_cannot_outlast_the_timeout(respond):
    with fake_server(respond) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), timeout=(1, 1))
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError, match="did not complete within its deadline of 2.0 s"):
            transport.request("GET", "jobs/j1")
        elapsed = time.monotonic() - started
    assert elapsed < 6  # (1 + 1) s and no retry of a deadline; dripping alone would last 500 s


def test_result_timeout_is_an_upper_bound_even_against_a_dripping_server():
    def respond(handler, request):
        if request["path"].startswith("/jobs/j1/results"):
            _drip(handler, request)
        else:
            handler.json(200, {"id": "j1", "state": {"status": "Completed"}})

    with fake_server(respond) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), timeout=(2, 2)))
        started = time.monotonic()
        with pytest.raises(JobTimeoutError, match="within the 1.5 s timeout"):
            job.result(timeout=1.5)
        elapsed = time.monotonic() - started
    assert elapsed < 5


def test_a_result_read_at_the_first_poll_is_bounded_by_the_result_timeout():
    def respond(handler, request):
        if request["path"].startswith("/jobs/j1/results"):
            _drip(handler, request)
        else:
            handler.json(200, {"id": "j1", "state": {"status": "Running"}})

    with fake_server(respond) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), timeout=(2, 2))
        spec = PubSpec(shape=(), cregs=(CregSpec("c", "c", 2),), shots=4)
        job = RuntimeJob(
            "j1",
            jobs_api=JobsApi(transport),
            program="sampler",
            specs=[spec],
            submitted_at=time.monotonic(),
            results_first=True,  # a just-submitted job on this machine reads its result first
        )
        started = time.monotonic()
        with pytest.raises(JobTimeoutError, match="within the 1.5 s timeout"):
            job.result(timeout=1.5)
        elapsed = time.monotonic() - started
    assert elapsed < 3.5  # the attempt's own limit (connect + read) would be 4 s
    assert main.paths() == ["GET /jobs/j1/results"]


def test_a_stalled_status_poll_is_bounded_by_the_wait_timeout():
    with fake_server(_drip) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), timeout=(5, 60)))
        started = time.monotonic()
        with pytest.raises(JobTimeoutError):
            job.wait_for_final_state(timeout=1)
        assert time.monotonic() - started < 4


@pytest.mark.parametrize("value", ["nan", "NaN", "-5", "garbage", "inf", "1e9", ""])
def test_retry_after_of_any_form_never_crashes(value):
    def respond(handler, request):
        handler.json(429, {"errors": [{"message": "slow down"}]}, {"Retry-After": value})

    policy = RetryPolicy(max_attempts=2, backoff=0.001, max_backoff=0.001, max_total=0.1)
    with fake_server(respond) as main:
        transport = Transport(main.url, StaticBearer(ACCESS), retry=policy)
        started = time.monotonic()
        with pytest.raises(RateLimitError) as info:
            transport.request("GET", "jobs")
        assert time.monotonic() - started < 3
    hint = info.value.retry_after
    assert hint is None or 0 <= hint <= 300


# ------------------------------------------------------------------ typed errors


def test_a_non_json_job_status_is_a_typed_error():
    respond = lambda h, r: h.send(200, b"<html>oops</html>", {"Content-Type": "text/html"})  # noqa: E731
    with fake_server(respond) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), retry=ONCE))
        with pytest.raises(InvalidResponseError, match=r"not JSON \(text/html, 17 bytes\)"):
            job.status()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"id": "j1", "state": "Completed"}, "'state' is an object with a 'status'; .* string"),
        ({"id": "j1", "state": {"status": 3}}, r"state.status is not a string"),
        ({"id": 7, "state": {"status": "Running"}}, "'id' is not a string"),
        ({"id": "j1", "tags": "abc"}, "'tags' is not a list of strings"),
        ([], "JSON list, not an object as the API defines"),
    ],
)
def test_malformed_job_objects_are_typed_errors(answer, message):
    with fake_server(lambda h, r: h.json(200, answer)) as main:
        job = _sampler_job(Transport(main.url, StaticBearer(ACCESS), retry=ONCE))
        with pytest.raises(InvalidResponseError, match=message):
            job.status()


@pytest.mark.parametrize("answer", [{}, {"id": None}, {"id": ""}, {"id": 5}])
def test_a_submit_answer_without_an_id_is_a_typed_error(answer):
    with fake_server(lambda h, r: h.json(200, answer)) as main:
        jobs = JobsApi(Transport(main.url, StaticBearer(ACCESS), retry=ONCE))
        with pytest.raises(InvalidResponseError, match="answered without a job id"):
            jobs.create({"program_id": "sampler"})
