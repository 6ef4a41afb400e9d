"""qiskit-ibm-runtime 0.51 (unmodified) on what it reads beyond the primitives: physical
qubits, calibration ids, usage, private results."""

from __future__ import annotations

import pytest

runtime = pytest.importorskip("qiskit_ibm_runtime")

from qiskit.providers.exceptions import QiskitBackendNotFoundError  # noqa: E402
from qiskit.transpiler import generate_preset_pass_manager  # noqa: E402
from qiskit_ibm_runtime import SamplerV2  # noqa: E402

from .test_official_client import _bell, _finish, _service  # noqa: E402

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.filterwarnings("ignore:The (Sampler|Estimator)V2 class is deprecated"),
]


@pytest.fixture(scope="module")
def server():
    """An emulator with device noise (the noise learner and IQ data need it)."""
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=11) as emu:
        yield emu


@pytest.fixture
def service(server, monkeypatch):
    return _service(server, monkeypatch)


@pytest.fixture
def simulator(service):
    return service.backend("ibmq_qasm_simulator")


def test_physical_qubits_and_calibration_id(service):
    assert service.backend("ibm_brisbane").physical_qubits == 127
    assert service.backend("ibmq_qasm_simulator").physical_qubits == 32
    with pytest.raises(QiskitBackendNotFoundError):
        service.backend("ibm_brisbane", calibration_id="no-such-calibration")


def test_usage_remaining_seconds(service):
    usage = service.usage()
    assert usage["usage_remaining_seconds"] == pytest.approx(
        usage["usage_limit_seconds"] - usage["usage_consumed_seconds"]
    )


def test_private_job_result_twice(simulator):
    sampler = SamplerV2(mode=simulator)
    sampler.options.environment.private = True
    job = sampler.run([_bell()], shots=8)
    assert sum(_finish(job)[0].data.meas.get_counts().values()) == 8
    assert job.result() is None  # read once and deleted: the service's answer gives None


def test_isa_job_with_the_calibration_id(service):
    device = service.backend("ibm_brisbane")
    calibration = next(
        d["calibration_id"]
        for d in service._active_api_client.list_backends()
        if d["name"] == "ibm_brisbane"
    )
    pinned = service.backend("ibm_brisbane", calibration_id=calibration)
    assert pinned.calibration_id == calibration
    isa = generate_preset_pass_manager(1, backend=device, seed_transpiler=1).run(_bell())
    result = _finish(SamplerV2(mode=pinned).run([isa], shots=16))
    assert sum(result[0].data.meas.get_counts().values()) == 16
