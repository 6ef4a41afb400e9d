"""``qiskit-rest`` end to end against a real emulator: in-process ``main(argv)`` calls, plus the
entry point in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import tomllib

from qiskit_rest_provider.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
BELL2 = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\n'
    "h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n"
)
BELL3 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] m;\n'
    "h q[0];\ncx q[0], q[1];\nm = measure q;\n"
)
UNMEASURED = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n'


@pytest.fixture
def conn(emulator):
    """Connection flags for a fresh instance of the session emulator (its own jobs)."""
    crn = f"crn:v1:bluemix:public:quantum-computing:us-east:a/cli:{uuid.uuid4().hex[:10]}::"
    return ["--url", emulator.url, "--token", "cli-key", "--instance", crn]


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


COMMANDS = [
    ["account", "save"],
    ["account", "list"],
    ["account", "delete"],
    ["backends"],
    ["backend"],
    ["jobs"],
    ["job"],
    ["result"],
    ["cancel"],
    ["run"],
    [],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: qiskit-rest {' '.join(command)}".rstrip())


def test_commands_that_print_data_take_json():
    commands = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    with_json = {name for name, p in commands.items() if "--json" in p.format_help()}
    assert with_json == {"backends", "backend", "jobs", "job", "result", "run"}


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "x.qasm"])  # --backend is required
    assert info.value.code == 2
    assert "the following arguments are required: --backend" in capsys.readouterr().err


def test_backends_table_and_json(conn, capsys):
    code, out, _ = run_cli(capsys, "backends", *conn)
    assert code == 0
    assert out.splitlines() == [
        "name                 qubits  status  queue",
        "-------------------  ------  ------  -----",
        "ibm_brisbane            127  active      0",
        "ibm_torino              133  active      0",
        "ibmq_qasm_simulator      32  active      0",
    ]
    code, out, _ = run_cli(capsys, "backends", "--device", "--min-qubits", "130", "--json", *conn)
    assert code == 0
    assert json.loads(out) == [
        {
            "name": "ibm_torino",
            "qubits": 133,
            "simulator": False,
            "operational": True,
            "status": "active",
            "queue": 0,
        }
    ]


def test_backend_summary_and_unknown_backend(conn, capsys):
    code, out, _ = run_cli(capsys, "backend", "ibm_torino", "--json", *conn)
    data = json.loads(out)
    assert code == 0
    assert (data["name"], data["qubits"], data["simulator"]) == ("ibm_torino", 133, False)
    assert data["basis_gates"] == ["cz", "id", "rz", "sx", "x"]
    code, out, _ = run_cli(capsys, "backend", "ibm_torino", *conn)
    assert "basis_gates         cz, id, rz, sx, x" in out.splitlines()
    code, out, err = run_cli(capsys, "backend", "ibm_torin", *conn)
    assert (code, out) == (3, "")
    assert err == (
        "qiskit-rest: error: Backend 'ibm_torin' was not found in this instance. Its backends: "
        "ibm_brisbane, ibm_torino, ibmq_qasm_simulator. Did you mean 'ibm_torino'?\n"
    )


def test_run_sample_then_jobs_job_result(conn, capsys, tmp_path):
    qasm = write(tmp_path, "bell.qasm", BELL2)
    code, out, err = run_cli(
        capsys,
        "run",
        qasm,
        "--backend",
        "ibmq_qasm_simulator",
        "--shots",
        "50",
        "--json",
        "--tag",
        "cli-test",
        *conn,
    )
    assert code == 0
    data = json.loads(out)
    job_id = data["id"]
    assert err == f"submitted sampler job {job_id} to ibmq_qasm_simulator\n"
    (pub,) = data["pubs"]
    assert pub["shots"] == 50 and pub["shape"] == []
    assert set(pub["registers"]["c"]) <= {"00", "11"} and sum(pub["registers"]["c"].values()) == 50

    code, out, _ = run_cli(
        capsys, "jobs", "--program", "sampler", "--tag", "cli-test", "--json", *conn
    )
    assert code == 0 and [j["id"] for j in json.loads(out)] == [job_id]
    assert json.loads(out)[0]["status"] == "DONE"
    code, out, _ = run_cli(capsys, "jobs", "--program", "estimator", "--json", *conn)
    assert (code, json.loads(out)) == (0, [])

    code, out, _ = run_cli(capsys, "job", job_id, "--json", *conn)
    job = json.loads(out)
    assert code == 0
    assert (job["id"], job["status"], job["program"], job["backend"]) == (
        job_id,
        "DONE",
        "sampler",
        "ibmq_qasm_simulator",
    )
    assert job["created"] and job["finished"] and "cli-test" in job["tags"]

    code, out, _ = run_cli(capsys, "result", job_id, *conn)
    lines = out.splitlines()
    assert code == 0
    assert lines[:3] == [
        "PUB 0, register c (50 shots):",
        "outcome  count  probability",
        "-------  -----  -----------",
    ]
    counts = pub["registers"]["c"]
    assert lines[3:] == [
        f"{bits}       {n:>5}  {round(n / 50, 4):>11}" for bits, n in counts.items()
    ]

    code, _, err = run_cli(capsys, "cancel", job_id, *conn)
    assert code == 1
    assert err.startswith("qiskit-rest: ") and f"{job_id} is already DONE" in err


def test_run_estimate_exact_values_and_qasm3(conn, capsys, tmp_path):
    qasm = write(tmp_path, "bell3.qasm", BELL3)
    code, out, _ = run_cli(
        capsys,
        "run",
        qasm,
        "--backend",
        "ibmq_qasm_simulator",
        "--precision",
        "0",
        "--observable",
        "ZZ",
        "--observable",
        "XX:0.5,ZI",
        *conn,
    )
    assert code == 0
    assert out.splitlines() == [
        "pub  index  value  std",
        "---  -----  -----  ---",
        "  0  0        1.0  0.0",
        "  0  1        0.5  0.0",
    ]


def test_run_on_a_device_transpiles_and_maps_the_observable(conn, capsys, tmp_path):
    qasm = write(tmp_path, "bell.qasm", UNMEASURED)
    code, out, _ = run_cli(
        capsys, "run", qasm, "--backend", "ibm_brisbane", "--observable", "ZZ", "--json", *conn
    )
    data = json.loads(out)
    assert code == 0 and data["program"] == "estimator"
    assert 0.5 < data["pubs"][0]["evs"] < 1.1  # a noisy device, mitigated: near 1


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (UNMEASURED, [], "measures nothing: add measurements to sample it, or pass --observable"),
        (BELL2, ["--observable", "ZZZ"], "Observable term 'ZZZ' must be 2 letters from I, X, Y, Z"),
        (BELL2, ["--observable", "ZZ:abc"], "Coefficient 'abc' of ZZ is not a number."),
        ("OPENQASM 3.0;\nqubit q;\nfoo q;\n", [], "is not valid OpenQASM"),
    ],
)
def test_run_input_errors_exit_2(conn, capsys, tmp_path, text, args, message):
    qasm = write(tmp_path, "c.qasm", text)
    code, out, err = run_cli(capsys, "run", qasm, "--backend", "ibmq_qasm_simulator", *args, *conn)
    assert (code, out) == (2, "")
    assert err.startswith("qiskit-rest: error: ") and message in err


def test_run_missing_file_exit_2(conn, capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", str(tmp_path / "nope.qasm"), "--backend", "x", *conn)
    assert code == 2 and "No such file or directory" in err


def test_run_no_wait_then_cancel(emulator, conn, capsys, tmp_path):
    qasm = write(tmp_path, "bell.qasm", BELL2)
    fault = emulator.faults.add("job:ibmq_qasm_simulator", "stuck", times=1)
    try:
        code, out, _ = run_cli(
            capsys, "run", qasm, "--backend", "ibmq_qasm_simulator", "--no-wait", *conn
        )
        job_id = out.strip()
        assert code == 0 and len(job_id) == 20
        code, out, _ = run_cli(capsys, "cancel", job_id, *conn)
        assert (code, out) == (0, f"cancelled job {job_id}\n")
    finally:
        emulator.faults.remove(fault)
        emulator.faults.release()


def test_failed_job_result_exits_1(emulator, conn, capsys, tmp_path):
    qasm = write(tmp_path, "bell.qasm", BELL2)
    fault = emulator.faults.add("job:ibmq_qasm_simulator", "fail", times=1, message="injected")
    try:
        code, _, err = run_cli(capsys, "run", qasm, "--backend", "ibmq_qasm_simulator", *conn)
    finally:
        emulator.faults.remove(fault)
    assert code == 1 and "injected" in err


def test_unknown_job_exits_3(conn, capsys):
    code, _, err = run_cli(capsys, "job", "nosuchjob0000000000", *conn)
    assert code == 3 and err.startswith("qiskit-rest: error: ")


def test_no_server_exits_4(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run_cli(
        capsys,
        "backends",
        "--url",
        f"http://127.0.0.1:{port}",
        "--token",
        "k",
        "--instance",
        "crn:x",
    )
    assert code == 4
    assert err.startswith(f"qiskit-rest: error: No server answers at http://127.0.0.1:{port} ")
    assert "the emulator, it may not be running" in err


def test_no_instance_exits_4(emulator, capsys, monkeypatch):
    monkeypatch.setenv("GLOBAL_SEARCH_URL", emulator.url + "/no-global-search")  # none found
    code, _, err = run_cli(capsys, "backends", "--url", emulator.url, "--token", "k")
    assert code == 4 and "no Service-CRN was sent" in err


def test_accounts_save_list_delete(capsys, tmp_path):
    path = str(tmp_path / "accounts.json")
    base = ["--accounts-file", path]
    assert run_cli(
        capsys,
        "account",
        "save",
        "--token",
        "SECRET-KEY",
        "--instance",
        "crn:v1:a",
        "--name",
        "work",
        *base,
    )[:2] == (0, "saved account 'work'\n")
    code, _, err = run_cli(capsys, "account", "save", "--token", "T", "--name", "work", *base)
    assert code == 2 and "already exists" in err
    code, out, _ = run_cli(capsys, "account", "list", "--json", *base)
    assert code == 0 and "SECRET-KEY" not in out
    assert json.loads(out) == {
        "work": {
            "channel": "ibm_quantum_platform",
            "url": "https://cloud.ibm.com",
            "instance": "crn:v1:a",
            "default": False,
            "token": "set",
        }
    }
    code, out, _ = run_cli(capsys, "account", "list", *base)
    assert "SECRET-KEY" not in out and out.splitlines()[2].split() == [
        "work",
        "ibm_quantum_platform",
        "crn:v1:a",
        "https://cloud.ibm.com",
    ]
    assert run_cli(capsys, "account", "delete", "--name", "work", *base)[:2] == (
        0,
        "deleted account 'work'\n",
    )
    code, _, err = run_cli(capsys, "account", "delete", "--name", "work", *base)
    assert code == 3 and err == "qiskit-rest: no saved account named 'work'\n"


def test_saved_account_is_used(emulator, capsys, tmp_path):
    path = str(tmp_path / "accounts.json")
    run_cli(
        capsys,
        "account",
        "save",
        "--token",
        "k",
        "--url",
        emulator.url,
        "--instance",
        "crn:v1:saved",
        "--name",
        "emu",
        "--accounts-file",
        path,
    )
    code, out, _ = run_cli(
        capsys, "backends", "--account", "emu", "--accounts-file", path, "--json"
    )
    assert code == 0 and len(json.loads(out)) == 3
    code, _, err = run_cli(capsys, "backends", "--account", "nope", "--accounts-file", path)
    assert code == 3 and "No saved account named 'nope'" in err


def test_emulator_subcommand_delegates_to_the_emulator_cli(capsys):
    with pytest.raises(SystemExit) as info:
        main(["emulator", "--help"])
    assert info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--noiseless" in help_text and "--fault ROUTE=KIND" in help_text


def test_console_scripts():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["qiskit-rest"] == "qiskit_rest_provider.cli:main"
    assert scripts["qiskit-rest-emulator"] == "qiskit_rest_provider.cli.emulator:main"


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("QISKIT_IBM_")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return env


def test_the_entry_point_in_a_process_of_its_own(emulator, conn):
    # The console script calls qiskit_rest_provider.cli:main, as `python -m` does here.
    done = subprocess.run(
        [sys.executable, "-m", "qiskit_rest_provider.cli", "backends", "--json", *conn],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [b["name"] for b in json.loads(done.stdout)] == [
        "ibm_brisbane",
        "ibm_torino",
        "ibmq_qasm_simulator",
    ]


def test_emulator_without_its_extra_names_it():
    code = (
        "import sys; sys.modules['uvicorn'] = None; from qiskit_rest_provider.cli import main; "
        "sys.exit(main(['emulator', '--port', '0']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert done.returncode == 1
    assert done.stderr.startswith(
        "qiskit-rest emulator: error: The emulator needs the 'emulator' extra"
    )


def test_help_does_not_load_qiskit():
    # `qiskit-rest --help` answers at once; commands load Qiskit when they need it.
    code = (
        "import sys; from qiskit_rest_provider.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('qiskit', 'numpy', 'requests') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert done.stdout.strip() == "[]", done.stderr
