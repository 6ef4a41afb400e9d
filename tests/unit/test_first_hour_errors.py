"""First-hour mistakes: each error names the fix (issue 16, item 5)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys

import pytest
import requests

from qiskit_rest_provider import RuntimeService
from qiskit_rest_provider.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    BackendNotFoundError,
    PermissionDeniedError,
)
from qiskit_rest_provider.http import ClassicAuth, RetryPolicy, Transport
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.http.unreachable import (
    EMULATOR_HINT,
    is_loopback,
    is_refused,
    unreachable_message,
)
from qiskit_rest_provider.log_config import configure_from_env
from qiskit_rest_provider.service.hints import NO_INSTANCE

from .conftest import API, URL

ONE_TRY = RetryPolicy(max_attempts=1)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ no instance


def test_no_instance_says_no_service_crn_was_sent(emulator, monkeypatch):
    # No instance, and none discoverable (Global Search unreachable): the refusal is explained.
    monkeypatch.setenv("GLOBAL_SEARCH_URL", emulator.url + "/no-global-search")
    service = RuntimeService(token="a-valid-key", url=emulator.url)
    with pytest.raises(AuthenticationError) as info:
        service.backends()
    assert info.value.message.startswith(NO_INSTANCE + " (GET " + emulator.url + "/api/v1/backends")
    assert "Invalid credentials" in info.value.message  # the server's own words stay, after
    assert info.value.status_code == 401
    assert "QISKIT_IBM_INSTANCE" in NO_INSTANCE and "instance=" in NO_INSTANCE


def test_no_instance_explains_a_403_too(mocked, token):
    mocked.post(URL + "/identity/token", json={"access_token": token, "expires_in": 3600})
    mocked.get(API + "/backends", status=403, json={"errors": [{"code": 1200}]})
    with pytest.raises(PermissionDeniedError, match="^No instance was given"):
        RuntimeService(token="k", url=URL).backends()


def test_with_an_instance_the_message_is_unchanged(mocked, token):
    mocked.post(URL + "/identity/token", json={"access_token": token, "expires_in": 3600})
    mocked.get(API + "/backends", status=403, json={"errors": [{"code": 1200}]})
    with pytest.raises(PermissionDeniedError) as info:
        RuntimeService(token="k", url=URL, instance="crn:v1:x").backends()
    assert "No instance" not in info.value.message


def test_a_wrong_key_is_not_blamed_on_the_instance(mocked):
    mocked.post(URL + "/identity/token", status=400, json={"errorMessage": "bad key"})
    with pytest.raises(AuthenticationError) as info:
        RuntimeService(token="wrong", url=URL).backends()
    assert "No instance" not in info.value.message
    assert info.value.message.endswith("Check the API key.")


# ------------------------------------------------------------------ unknown backend


def test_unknown_backend_lists_the_existing_ones_and_the_closest(emulator):
    service = RuntimeService(token="k", url=emulator.url, instance="crn:v1:first-hour")
    with pytest.raises(BackendNotFoundError) as info:
        service.backend("ibm_brisban")
    assert info.value.message == (
        "Backend 'ibm_brisban' was not found in this instance. Its backends: ibm_brisbane, "
        "ibm_torino, ibmq_qasm_simulator. Did you mean 'ibm_brisbane'?"
    )
    assert info.value.status_code == 404


def test_unknown_backend_without_a_close_name_and_an_empty_instance(mocked, service):
    mocked.get(API + "/backends/zzz/configuration", status=404, json={"errors": [{"code": 1007}]})
    mocked.get(API + "/backends", json={"devices": []})
    with pytest.raises(BackendNotFoundError) as info:
        service.backend("zzz")
    assert info.value.message == "Backend 'zzz' was not found in this instance. It has no backends."


def test_unknown_backend_keeps_the_original_error_when_the_listing_fails(mocked, service):
    mocked.get(API + "/backends/zzz/configuration", status=404, json={"errors": [{"code": 1007}]})
    mocked.get(API + "/backends", status=400)
    with pytest.raises(BackendNotFoundError) as info:
        service.backend("zzz")
    assert info.value.message.startswith("Backend 'zzz' was not found: GET ")


# ------------------------------------------------------------------ nothing listening


def test_refused_token_service_on_loopback_says_the_emulator_may_not_run():
    url = f"http://127.0.0.1:{_closed_port()}"
    service = RuntimeService(token="k", url=url, instance="crn:v1:x", retry=ONE_TRY)
    with pytest.raises(ApiConnectionError) as info:
        service.backends()
    assert info.value.message == (
        f"No server answers at {url} (connection refused while calling the token service "
        f"{url}/identity/token). {EMULATOR_HINT}"
    )


def test_refused_api_request_names_the_url():
    url = f"http://127.0.0.1:{_closed_port()}"
    transport = Transport(url + "/api/v1", StaticBearer("t"), retry=ONE_TRY)
    with pytest.raises(ApiConnectionError) as info:
        transport.request("GET", "backends", params={"q": "secret-ish"})
    assert info.value.message == (
        f"No server answers at {url} (connection refused while calling GET "
        f"{url}/api/v1/backends). {EMULATOR_HINT}"
    )


def test_refused_classic_login():
    url = f"http://localhost:{_closed_port()}/api"
    with pytest.raises(ApiConnectionError, match="^No server answers at http://localhost:"):
        ClassicAuth("tok", url).headers()


def test_remote_refusal_and_other_failures():
    refused = requests.ConnectionError("NewConnectionError: [Errno 111] Connection refused")
    assert unreachable_message("GET", "https://quantum.example.com/api/v1/jobs?x=1", refused) == (
        "No server answers at https://quantum.example.com (connection refused while calling GET "
        "https://quantum.example.com/api/v1/jobs). Check the URL (url= / QISKIT_IBM_URL) and your "
        "network or proxy settings."
    )
    unreachable = requests.ConnectionError("NewConnectionError: [Errno 101] Network unreachable")
    assert unreachable_message("GET", "http://[::1]:1/x", unreachable) == (
        f"No server answers at http://[::1]:1 (no connection while calling GET http://[::1]:1/x). "
        f"{EMULATOR_HINT}"
    )
    timeout = requests.ReadTimeout("read timed out")
    assert not is_refused(timeout)
    assert unreachable_message("the token service", "https://iam.example/t", timeout) == (
        "Could not reach the token service at https://iam.example/t: ReadTimeout."
    )


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:8080", True),
        ("http://api.localhost", True),
        ("http://127.0.0.1:1", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:80", True),
        ("http://10.0.0.1", False),
        ("https://quantum.cloud.ibm.com/api", False),
        ("http://localhost.example.com", False),
    ],
)
def test_loopback_urls(url, loopback):
    assert is_loopback(url) is loopback


# ------------------------------------------------------------------ the emulator extra

MISSING_UVICORN = "import sys; sys.modules['uvicorn'] = None; "
EXTRA_MESSAGE = (
    "ModuleNotFoundError: The emulator needs the 'emulator' extra, which is not installed "
    "(missing: uvicorn); install it with: python -m pip install 'qiskit-rest-provider[emulator]'"
)


@pytest.mark.parametrize(
    "code",
    [
        "from qiskit_rest_provider.emulator import start_emulator",
        "import runpy; runpy.run_module('qiskit_rest_provider.emulator', run_name='__main__')",
    ],
)
def test_without_the_extra_the_error_names_it(code):
    done = subprocess.run(
        [sys.executable, "-c", MISSING_UVICORN + code], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert EXTRA_MESSAGE in done.stderr
    assert "No module named" not in done.stderr


def test_missing_requirements_lists_distribution_names(monkeypatch):
    from qiskit_rest_provider.emulator import _extra

    assert _extra.missing_requirements() == []
    monkeypatch.setitem(sys.modules, "qiskit_aer", None)
    monkeypatch.setitem(sys.modules, "fastapi", None)
    assert _extra.missing_requirements() == ["fastapi", "qiskit-aer"]
    with pytest.raises(ModuleNotFoundError) as info:
        _extra.require_emulator_extra()
    assert info.value.name == "fastapi"


# ------------------------------------------------------------------ logging from the environment


@pytest.fixture
def package_logger():
    logger = logging.getLogger("qiskit_rest_provider")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_log_level_variable_turns_logging_on(package_logger, capsys):
    handler = configure_from_env({"QISKIT_REST_LOG_LEVEL": " info "})
    assert package_logger.level == logging.INFO and handler in package_logger.handlers
    logging.getLogger("qiskit_rest_provider.service.job").info("job %s is %s", "j1", "RUNNING")
    logging.getLogger("qiskit_rest_provider.http").debug("hidden")
    err = capsys.readouterr().err
    assert err.endswith(" INFO qiskit_rest_provider.service.job: job j1 is RUNNING\n")
    assert "hidden" not in err


def test_log_file_variable(package_logger, tmp_path):
    path = tmp_path / "rest.log"
    handler = configure_from_env(
        {"QISKIT_REST_LOG_LEVEL": "DEBUG", "QISKIT_REST_LOG_FILE": str(path)}
    )
    logging.getLogger("qiskit_rest_provider.http").debug("to the file")
    handler.close()
    assert path.read_text().endswith(" DEBUG qiskit_rest_provider.http: to the file\n")


def test_no_variable_or_a_bad_level_changes_nothing(package_logger):
    before = list(package_logger.handlers)
    assert configure_from_env({}) is None
    with pytest.warns(UserWarning, match="QISKIT_REST_LOG_LEVEL='LOUD' is not a logging level"):
        assert configure_from_env({"QISKIT_REST_LOG_LEVEL": "loud"}) is None
    assert package_logger.handlers == before


def test_the_variable_is_read_on_import(tmp_path):
    code = (
        "import logging, qiskit_rest_provider; "
        "logging.getLogger('qiskit_rest_provider.x').warning('seen'); "
        "logging.getLogger('qiskit_rest_provider.x').info('unseen')"
    )
    env = {"QISKIT_REST_LOG_LEVEL": "WARNING", "PATH": "", "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stderr.endswith(" WARNING qiskit_rest_provider.x: seen\n"), done.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**env, "QISKIT_REST_LOG_LEVEL": ""},
    )
    assert quiet.stderr == ""
