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
    pytest.mark.filterwarnings("ignore:The NoiseLearner class is deprecated"),
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


@pytest.mark.parametrize("meas_type", ["kerneled", "avg_kerneled"])
def test_iq_data_sampler(service, meas_type):
    import numpy as np
    from qiskit import QuantumCircuit

    from qiskit_rest_provider.emulator.engine.iq import centroids

    device = service.backend("ibm_brisbane")
    qc = QuantumCircuit(2, 2)
    qc.x(1)
    qc.measure([0, 1], [0, 1])
    isa = generate_preset_pass_manager(1, backend=device, seed_transpiler=1).run(qc)
    physical = isa.layout.final_index_layout()
    sampler = SamplerV2(mode=device)
    sampler.options.execution.meas_type = meas_type
    shots = 3000
    iq = _finish(sampler.run([isa], shots=shots))[0].data.c
    assert iq.dtype == np.complex128
    assert iq.shape == ((shots, 2) if meas_type == "kerneled" else (2,))
    points = iq if meas_type == "kerneled" else iq[None, :]
    readout = [
        {p.name: p.value for p in q} for q in (device.properties().qubits[i] for i in physical)
    ]
    for bit, expected_state in ((0, 0), (1, 1)):
        c0, c1 = centroids("ibm_brisbane", physical[bit])
        ones = ((points[:, bit] - (c0 + c1) / 2) * np.conj(c1 - c0)).real > 0
        if meas_type == "avg_kerneled":
            assert bool(ones[0]) == bool(expected_state)
            continue
        key = "prob_meas1_prep0" if expected_state == 0 else "prob_meas0_prep1"
        error = readout[bit][key]
        wrong = ones.mean() if expected_state == 0 else 1 - ones.mean()
        assert abs(wrong - error) < 4 * np.sqrt(error / shots) + 2e-3, (bit, wrong, error)


def test_executor_runs_a_quantum_program(service):
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qiskit_ibm_runtime import Executor, QuantumProgram

    simulator = service.backend("ibmq_qasm_simulator")
    theta = Parameter("θ")
    qc = QuantumCircuit(2)
    qc.rx(theta, 0)
    qc.cx(0, 1)
    qc.measure_all()
    program = QuantumProgram(shots=100, passthrough_data={"note": "kept"})
    program.append_circuit_item(qc, circuit_arguments=np.array([[0.0], [np.pi], [np.pi / 2]]))
    program.append_circuit_item(QuantumCircuit(1, 1), circuit_arguments=np.zeros((0,)))
    job = Executor(simulator).run(program)
    result = _finish(job)
    assert job.primitive_id == "executor"
    assert len(result) == 2
    meas = result[0]["meas"]
    assert meas.shape == (3, 100, 2) and meas.dtype == np.bool_
    assert not meas[0].any() and meas[1].all()  # |00>, then |11> on the noiseless simulator
    assert (meas[2, :, 0] == meas[2, :, 1]).all() and 20 < meas[2, :, 0].sum() < 80
    assert result[1]["c"].shape == (100, 1) and not result[1]["c"].any()
    assert result.passthrough_data == {"note": "kept"}
    assert len(result.metadata.chunk_timing) == 2


def test_client_side_sampler_and_estimator_on_a_device(service):
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_ibm_runtime.executor_estimator import Estimator
    from qiskit_ibm_runtime.executor_sampler import Sampler

    device = service.backend("ibm_torino")
    pm = generate_preset_pass_manager(1, backend=device, seed_transpiler=1)
    counts = _finish(Sampler(mode=device).run([pm.run(_bell())], shots=400))[0].data.meas
    counts = counts.get_counts()
    assert sum(counts.values()) == 400
    assert counts.get("00", 0) + counts.get("11", 0) > 320  # a noisy Bell pair, twirled
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    isa = pm.run(bell)
    observables = [SparsePauliOp(p).apply_layout(isa.layout) for p in ("ZZ", "XX", "ZI")]
    result = _finish(Estimator(mode=device).run([(isa, observables)], precision=0.05))
    np.testing.assert_allclose(result[0].data.evs, [1.0, 1.0, 0.0], atol=0.15)


def test_noise_learner_returns_the_devices_noise_and_it_feeds_back(service):
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_ibm_runtime import EstimatorV2
    from qiskit_ibm_runtime.noise_learner import NoiseLearner
    from qiskit_ibm_runtime.results.noise_learner import NoiseLearnerResult

    device = service.backend("ibm_torino")
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    isa = generate_preset_pass_manager(1, backend=device, seed_transpiler=1).run(qc)
    learner = NoiseLearner(mode=device)
    learner.options.twirling_strategy = "active"
    result = _finish(learner.run([isa]))
    assert isinstance(result, NoiseLearnerResult)
    assert result.metadata["input_options"]["twirling_strategy"] == "active"
    assert len(result.data) == 2  # two layers of one CZ each
    properties = device.properties()
    for layer in result.data:
        ((_, (a, b)),) = [
            (inst.operation.name, tuple(layer.circuit.find_bit(q).index for q in inst.qubits))
            for inst in layer.circuit.data
        ]
        pair = (layer.qubits[a], layer.qubits[b])
        assert layer.qubits == sorted(pair)
        rates = layer.error.rates
        assert len(rates) == 15 and np.all(rates >= 0)
        # the learned channel's infidelity is the calibrated gate's: 1 - p_I = (d+1)/d * error
        infidelity = 1 - np.prod((1 + np.exp(-2 * rates)) / 2)
        gate_error = properties.gate_error("cz", list(pair))
        assert infidelity == pytest.approx(1.25 * gate_error, rel=0.1), (pair, gate_error)
    # fed back as the estimator's layer noise model (PEA), it is accepted and runs
    estimator = EstimatorV2(mode=device)
    estimator.options.resilience.zne_mitigation = True
    estimator.options.resilience.zne.amplifier = "pea"
    estimator.options.resilience.layer_noise_model = result
    estimator.options.default_shots = 200
    observable = SparsePauliOp("ZZI").apply_layout(isa.layout)
    isa_plain = isa.remove_final_measurements(inplace=False)
    evs = _finish(estimator.run([(isa_plain, observable)]))[0].data.evs
    assert abs(float(evs) - 1.0) < 0.5


def test_noise_learner_v3_learns_boxes(service):
    import numpy as np
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
    from qiskit_ibm_runtime import NoiseLearnerV3
    from samplomatic import InjectNoise, Twirl
    from samplomatic.utils import find_unique_box_instructions

    device = service.backend("ibm_torino")
    properties = device.properties()
    q, c = QuantumRegister(device.num_qubits, "q"), ClassicalRegister(2, "c")
    qc = QuantumCircuit(q, c)
    with qc.box([Twirl(), InjectNoise("gates")]):
        qc.cz(q[4], q[3])
    with qc.box([Twirl(), InjectNoise("meas")]):
        qc.measure(q[3], c[0])
        qc.measure(q[4], c[1])
    instructions = find_unique_box_instructions(qc.data)
    result = _finish(NoiseLearnerV3(device).run(instructions))
    maps = result.to_dict(instructions)
    gates, meas = maps["gates"], maps["meas"]
    assert gates.num_qubits == 2 and gates.num_terms == 15
    infidelity = 1 - np.prod((1 + np.exp(-2 * gates.rates)) / 2)
    assert infidelity == pytest.approx(1.25 * properties.gate_error("cz", [4, 3]), rel=0.1)
    assert meas.num_terms == 2
    for k, qubit in enumerate((3, 4)):  # indexed by ascending physical qubit
        flip = (1 - np.exp(-2 * meas.rates[k])) / 2
        readout = [
            properties.qubit_property(qubit)[key][0]
            for key in ("prob_meas1_prep0", "prob_meas0_prep1")
        ]
        assert flip == pytest.approx(sum(readout) / 2)
    assert result.data[1].metadata["learning_protocol"] == "trex"
