"""The pytest plugin, run as a user's own suite would run it (pytester, in-process)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import numpy  # noqa: F401
import pytest
import qiskit.quantum_info  # noqa: F401
import qiskit.transpiler  # noqa: F401
import qiskit_aer  # noqa: F401
import tomllib

import qiskit_rest_provider

# In-process pytester runs drop the modules they imported when they end; numpy's core cannot be
# imported twice in a process and a re-imported module has new classes. So everything the user
# suites import is loaded here first.
for _info in pkgutil.walk_packages(qiskit_rest_provider.__path__, "qiskit_rest_provider."):
    # Private modules come in through their public importers (some cannot be imported first).
    if not any(part.startswith("_") for part in _info.name.split(".")):
        importlib.import_module(_info.name)

pytest_plugins = ["pytester"]

PLUGIN = "qiskit_rest_provider.testing.plugin"
ROOT = Path(__file__).resolve().parents[2]

USER_SUITE = """
import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qiskit_rest_provider.exceptions import PermissionDeniedError


def bell():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    return qc


def test_sampler_counts(rest_sampler):
    qc = bell()
    qc.measure_all()
    counts = rest_sampler.run([qc], shots=64).result()[0].data.meas.get_counts()
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 64


def test_estimator_exact(rest_estimator):
    evs = rest_estimator.run([(bell(), SparsePauliOp("ZZ"))]).result()[0].data.evs
    assert np.isclose(evs, 1.0)


def test_default_backend(rest_backend):
    assert rest_backend.name == "ibmq_qasm_simulator"


@pytest.mark.rest_backend("ibm_brisbane")
def test_marker_picks_backend(rest_backend):
    assert rest_backend.name == "ibm_brisbane"


@pytest.mark.parametrize("rest_backend", ["ibm_torino"], indirect=True)
def test_parameter_picks_backend(rest_backend):
    assert rest_backend.name == "ibm_torino"


def test_own_instance(rest_service, rest_sampler):
    qc = bell()
    qc.measure_all()
    job = rest_sampler.run([qc], shots=8)
    job.result()
    assert [j.job_id() for j in rest_service.jobs()] == [job.job_id()]


def test_inject_fault(rest_faults, rest_service):
    rest_faults.add("GET /api/v1/backends", "error", status=403)
    with pytest.raises(PermissionDeniedError):
        rest_service.backends()


def test_faults_gone_after_the_test(rest_faults, rest_service):
    assert rest_faults.faults == []
    assert "ibmq_qasm_simulator" in [b.name for b in rest_service.backends()]


@pytest.mark.rest_fault("job=fail:reason_code=1517,message=injected")
def test_marker_fault(rest_sampler):
    qc = bell()
    qc.measure_all()
    with pytest.raises(Exception, match="injected"):
        rest_sampler.run([qc], shots=8).result()


def test_emulator_is_loopback(rest_emulator):
    assert rest_emulator.url.startswith("http://127.0.0.1:")
    assert rest_emulator.port != 0


@pytest.mark.ibm_credentials
def test_needs_ibm():
    pass


def test_ibm_service(ibm_service):
    pass
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("-p", PLUGIN, "-p", "no:cacheprovider", "-rs", *args)


def test_a_users_suite(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_SUITE)
    result = run(pytester)
    result.assert_outcomes(passed=10, skipped=2)
    reason = "needs real IBM Quantum credentials: set QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE*"
    result.stdout.fnmatch_lines(
        [f"SKIPPED [[]1[]] test_user.py:74: {reason}", f"SKIPPED [[]1[]] test_user.py:79: {reason}"]
    )


def test_the_suite_in_docs_testing_md(pytester: pytest.Pytester):
    text = (ROOT / "docs" / "testing.md").read_text()
    code = text.split("## A user's test suite", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    pytester.makepyfile(test_docs=code)
    run(pytester).assert_outcomes(passed=5, skipped=1)


def test_device_backends_are_noiseless_by_default_and_noisy_on_request(pytester):
    pytester.makepyfile(
        test_noise="""
        import numpy as np
        import pytest
        from qiskit import QuantumCircuit
        from qiskit.quantum_info import SparsePauliOp
        from qiskit.transpiler import generate_preset_pass_manager


        @pytest.mark.rest_backend("ibm_brisbane")
        def test_ev(rest_backend, rest_estimator):
            qc = QuantumCircuit(2)
            qc.h(0)
            qc.cx(0, 1)
            isa = generate_preset_pass_manager(1, backend=rest_backend, seed_transpiler=1).run(qc)
            obs = SparsePauliOp("ZZ").apply_layout(isa.layout)
            ev = float(rest_estimator.run([(isa, obs)], precision=0.01).result()[0].data.evs)
            print("EV", ev)
            assert (ev == 1.0) == NOISELESS
        """.replace("NOISELESS", "True")
    )
    run(pytester).assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nrest_emulator_noiseless = false\n")
    (pytester.path / "test_noise.py").write_text(
        (pytester.path / "test_noise.py").read_text().replace("== True", "== False")
    )
    # A process of its own: the noisy path imports modules (scipy's) that cannot be imported
    # twice in one process, and in-process runs drop what they imported.
    pytester.runpytest_subprocess("-p", PLUGIN, "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_credentials_marker_runs_when_the_environment_has_an_account(pytester, monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "a-key")
    crn = "crn:v1:bluemix:public:quantum-computing:us-east:a/x:y::"
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", crn)
    pytester.makepyfile(
        test_creds="""
        import pytest

        @pytest.mark.ibm_credentials
        def test_needs_ibm():
            pass

        def test_service(ibm_service):
            assert ibm_service.instance.endswith("a/x:y::")
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_entry_point_names_the_plugin_module():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {PLUGIN: PLUGIN}


def test_plugin_import_is_cheap():
    # pytest loads the plugin in every session of anyone who installs the package.
    import subprocess

    code = (
        f"import sys, {PLUGIN}; "
        "heavy = [m for m in ('qiskit', 'fastapi', 'uvicorn', 'qiskit_aer') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
