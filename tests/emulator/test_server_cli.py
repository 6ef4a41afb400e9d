"""Starting the emulator: in-process helper, keep-alive latency, and the command line."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import requests

from .helpers import Api


def test_start_emulator_url_and_context_manager():
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator() as server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        assert requests.get(server.url + "/api/v1/versions", timeout=5).status_code == 200
    try:
        requests.get(server.url + "/api/v1/versions", timeout=2)
    except requests.ConnectionError:
        pass
    else:  # pragma: no cover
        raise AssertionError("server still answering after stop()")


def test_unknown_option_is_a_type_error():
    from qiskit_rest_provider.emulator import start_emulator

    try:
        start_emulator(no_such_option=1)
    except TypeError as exc:
        assert "no_such_option" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected TypeError")


def test_keep_alive_requests_are_not_delayed_by_nagle(api):
    # Without TCP_NODELAY *every* keep-alive answer waits ~40 ms for the delayed ACK. The
    # fastest of 20 requests tells that apart from a merely busy machine (which slows some
    # requests, not all), so this is a behaviour check, not a speed target.
    api.get("/backends/ibmq_qasm_simulator/status")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert api.get("/backends/ibmq_qasm_simulator/status").status_code == 200
        times.append(time.perf_counter() - started)
    assert min(times) < 0.03, f"fastest request {min(times) * 1000:.1f} ms"


def test_command_line_prints_url_and_stops_on_sigint():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qiskit_rest_provider.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--workers",
            "1",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:"), (
            line,
            proc.stderr.read() if proc.poll() else "",
        )
        api = Api(line)
        job = api.wait(api.submit())
        assert job["status"] == "Completed"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_command_line_help_lists_flags():
    out = subprocess.run(
        [sys.executable, "-m", "qiskit_rest_provider.emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for flag in (
        "--host",
        "--port",
        "--data-dir",
        "--workers",
        "--seed",
        "--noiseless",
        "--token-ttl",
        "--fault",
        "--accounts-file",
    ):
        assert flag in out


def test_importing_the_emulator_package_is_cheap():
    code = (
        "import sys, qiskit_rest_provider.emulator as e; "
        "heavy = ('fastapi', 'uvicorn', 'qiskit', 'qiskit_aer'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    assert out == "[]"


def test_command_line_errors_are_clean():
    for args in (
        ["--fault", "job=explode"],
        ["--fault", "nonsense"],
        ["--accounts-file", "/nonexistent/accounts.json"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "qiskit_rest_provider.emulator", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode in (1, 2) and "error:" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_busy_port_fails_cleanly_and_frees_the_data_dir(make_server, tmp_path):
    import pytest

    from qiskit_rest_provider.emulator import start_emulator

    taken = make_server()
    data_dir = str(tmp_path / "db")
    with pytest.raises(OSError):
        start_emulator(port=taken.port, data_dir=data_dir)
    make_server(data_dir=data_dir)  # the failed attempt did not keep the directory locked


def test_result_hold_out_of_range_is_refused():
    for value in ("-1", "nan", "61"):
        proc = subprocess.run(
            [sys.executable, "-m", "qiskit_rest_provider.emulator", "--result-hold", value],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2, (value, proc.stderr)
        assert "--result-hold must be between 0 and 60 seconds" in proc.stderr
