"""Gate errors as sampled mixtures (devices/channels.py) and the trajectories that use them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Kraus, SuperOp
from qiskit.transpiler import InstructionProperties, QubitProperties, Target

from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.devices.channels import gate_noise, split_identity
from qiskit_rest_provider.emulator.devices.noise import build_noise_model
from qiskit_rest_provider.emulator.engine import trajectories
from qiskit_rest_provider.emulator.engine.trajectories import PubNoise, noisy_final_shots

# ibm_torino: 3 and 16 have T2 <= T1 (Aer: a mixture with reset), 4 and 5 T1 < T2 < 2*T1
# (a Kraus channel), 6 and 7 T2 = 2*T1 (pure amplitude damping: no identity part on its own).
_QUBITS = {"ibm_torino": [3, 4, 5, 6, 7, 16], "ibm_brisbane": [0, 1, 2, 7, 8, 9]}


@pytest.fixture(scope="module")
def backends():
    return default_backends()


@pytest.mark.parametrize("twirled", [False, True])
@pytest.mark.parametrize("name", sorted(_QUBITS))
def test_every_gate_mixture_is_the_aer_error_channel(backends, name, twirled):
    backend = backends[name]
    qubits = _QUBITS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = backend.noise_model(qubits, readout=False, twirled=twirled)
    checked = 0
    for gate, errors in model._local_quantum_errors.items():
        for local, error in errors.items():
            device = tuple(qubits[i] for i in local)
            mixture = backend.gate_noise(gate, device, twirled)
            want = SuperOp(error.to_quantumchannel()).data
            np.testing.assert_allclose(mixture.superop().data, want, atol=1e-12)
            assert mixture.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
            checked += 1
    assert checked >= 4 * len(qubits)  # sx, x, id, reset on every qubit, and the couplings
    assert backend.gate_noise("rz", (qubits[0],)) is None  # virtual: exact
    assert backend.gate_noise("measure", (qubits[0],)) is None  # Aer: no error either


def test_no_gate_noise_on_a_noiseless_backend():
    assert default_backends(noiseless=True)["ibm_torino"].gate_noise("sx", (0,)) is None


def test_the_likely_outcome_is_that_nothing_happens(backends):
    torino = backends["ibm_torino"]
    sx = torino.gate_noise("sx", (6,))  # pure amplitude damping + depolarizing
    assert sx.paulis == (("I",),)
    assert 0 < 1 - sx.singles[0][0].p_identity < 2e-3
    cz = torino.gate_noise("cz", (6, 7))  # both qubits pure amplitude damping
    assert cz.paulis[0] == ("I", "I") and cz.probabilities[0] > 0.99
    assert all(0 < 1 - s.p_identity < 2e-3 for s in cz.singles[0])
    # The dephasing branch, the 12 Paulis with X or Y, and what is left of ZZ.
    assert len(cz.paulis) == 1 + 12 + 1 and ("Z", "Z") in cz.paulis[1:]
    assert not {("Z", "I"), ("I", "Z"), ("I", "I")} & set(cz.paulis[1:])


def test_split_identity_takes_the_largest_identity_weight():
    pauli = [np.sqrt(0.9) * np.eye(2), np.sqrt(0.1) * np.diag([1.0, -1.0])]
    single = split_identity(pauli)
    assert single.p_identity == pytest.approx(0.9 * (1 - 1e-6), rel=1e-12)
    rest = SuperOp(single.remainder).data
    z = SuperOp(Kraus([np.diag([1.0, -1.0])])).data
    np.testing.assert_allclose(rest, (0.1 * z + 0.9e-6 * np.eye(4)) / (1 - single.p_identity))
    damping = [np.diag([1.0, np.sqrt(0.7)]), np.array([[0.0, np.sqrt(0.3)], [0.0, 0.0]])]
    single = split_identity(damping)  # an extreme channel: no identity part at all
    assert single.p_identity == 0.0
    np.testing.assert_allclose(
        SuperOp(single.remainder).data, SuperOp(Kraus(damping)).data, atol=1e-12
    )
    assert split_identity([np.eye(2)]).remainder is None


def _harsh_target() -> Target:
    """Three qubits, errors ~100x a device's, one of each T2 regime (cz pairs (0,1), (1,2))."""
    from qiskit.circuit import Measure, Parameter, Reset
    from qiskit.circuit.library import CZGate, RZGate, SXGate

    times = [(10e-6, 8e-6), (30e-6, 45e-6), (20e-6, 40e-6)]  # T2 < T1, < 2*T1, = 2*T1
    props = [QubitProperties(t1=t1, t2=t2) for t1, t2 in times]
    target = Target(num_qubits=3, qubit_properties=props)
    one = {(q,): InstructionProperties(duration=0.5e-6, error=0.05) for q in range(3)}
    target.add_instruction(SXGate(), one)
    target.add_instruction(RZGate(Parameter("t")), {(q,): None for q in range(3)})
    two = {p: InstructionProperties(duration=2e-6, error=0.3) for p in [(0, 1), (1, 2)]}
    target.add_instruction(CZGate(), two)
    target.add_instruction(Measure(), {(q,): None for q in range(3)})
    target.add_instruction(Reset(), {(q,): InstructionProperties(duration=1e-6) for q in range(3)})
    return target


def _circuit() -> QuantumCircuit:
    qc = QuantumCircuit(3, 3)
    qc.sx(0)
    qc.rz(0.3, 1)
    qc.sx(1)
    qc.cz(0, 1)
    qc.sx(2)
    qc.cz(1, 2)
    qc.sx(1)
    qc.cz(0, 1)
    qc.measure([0, 1, 2], [0, 1, 2])
    return qc


@pytest.mark.parametrize(
    ("twirled", "method"),
    [(False, "statevector"), (True, "statevector"), (False, "matrix_product_state")],
)
def test_trajectories_sample_the_density_matrix_distribution(twirled, method):
    from qiskit_aer import AerSimulator

    target = _harsh_target()
    model = build_noise_model(target, [(0.0, 0.0)] * 3, [0, 1, 2], twirled=twirled)
    exact = _circuit().remove_final_measurements(inplace=False)
    exact.save_probabilities()
    probs = AerSimulator(method="density_matrix", noise_model=model).run(exact).result()
    probs = np.asarray(probs.data(0)["probabilities"])

    def noise_of(name, qubits):
        return gate_noise(target, name, qubits, twirled=twirled)

    shots = 6000
    bools = noisy_final_shots(_circuit(), noise_of, shots, np.random.default_rng(7), method)
    outcomes = bools @ (1 << np.arange(3))
    counts = np.bincount(outcomes, minlength=8)
    expected = probs * shots
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 26.1  # chi-square, 7 degrees of freedom, p = 0.0005
    ideal = np.zeros(8)  # what the circuit gives without noise: far from the noisy counts
    ideal_probs = AerSimulator(method="density_matrix").run(exact).result().data(0)
    ideal[:] = ideal_probs["probabilities"]
    assert np.abs(ideal - probs).sum() > 0.1


def test_shots_keep_their_positions_and_every_shot_runs_once():
    target = _harsh_target()
    rng = np.random.default_rng(3)
    locations = trajectories._locations(
        _circuit(), lambda name, qubits: gate_noise(target, name, qubits)
    )
    groups = trajectories._group(locations, 500, rng)
    members = sorted(s for shots in groups.values() for s in shots)
    assert members == list(range(500))
    assert 1 < len(groups) < 500
    for key in groups:
        assert [k for k, _ in key] == sorted(k for k, _ in key)
        assert all(code > 0 for _, code in key)


def test_too_many_error_patterns_fall_back_to_aer_noise_model(backends, monkeypatch):
    torino = backends["ibm_torino"]
    built = []

    def model_of(active, **kwargs):
        built.append((tuple(active), kwargs))
        return torino.noise_model(active, **kwargs)

    qc = QuantumCircuit(2, 2)
    qc.sx(0)
    qc.cz(0, 1)
    qc.measure([0, 1], [0, 1])
    noise = PubNoise(model_of, torino.gate_noise, [4, 5])
    rng = np.random.default_rng(1)
    trajectories.measured_shots(qc, noise, 50, rng, "statevector")
    assert built == []  # sampled per gate: Aer's model never built
    monkeypatch.setattr(trajectories, "MAX_WORK", 0)
    bools = trajectories.measured_shots(qc, noise, 50, rng, "statevector")
    assert built == [((4, 5), {"readout": False, "twirled": False})]
    assert bools.shape == (50, 2)


def _ghz_job(backend, n, shots):
    from qiskit import transpile

    from qiskit_rest_provider.codec.circuits import export_circuit

    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    qc.measure_all()
    isa = transpile(qc, target=backend.target, optimization_level=1, seed_transpiler=1)
    return {"pubs": [[export_circuit(isa).qasm, None, shots]]}


def _fractions(result, n):
    samples = result["results"][0]["data"]["meas"]["samples"]
    ones = hex((1 << n) - 1)
    return np.array([samples.count("0x0"), samples.count(ones)]) / len(samples)


def test_a_wide_noisy_sampler_job_samples_gates_itself_as_aer_would(monkeypatch):
    from qiskit_rest_provider.emulator.engine import run_job

    torino = default_backends()["ibm_torino"]  # fresh: empty caches
    params = _ghz_job(torino, 11, 1000)  # 11 active qubits: past density matrices
    ours = run_job("sampler", params, torino, seed=11)
    assert not torino._noise  # no Aer noise model was built for it
    assert ours == run_job("sampler", params, torino, seed=11)  # seeded: reproducible
    monkeypatch.setattr(trajectories, "MAX_WORK", 0)  # Aer's own noise sampling, as before
    theirs = run_job("sampler", params, torino, seed=12)
    assert torino._noise
    mine, aer = _fractions(ours, 11), _fractions(theirs, 11)
    assert 0.25 < mine[0] < 0.5 and 0.2 < mine[1] < 0.5  # readout and gate errors: ~70 %
    # Same distribution: each fraction within 4 standard errors of the other run's.
    assert np.all(np.abs(mine - aer) < 4 * np.sqrt(2 * 0.25 / 1000))


def test_a_wide_noisy_estimator_job_samples_gates_itself_as_aer_would(monkeypatch):
    from qiskit import transpile

    from qiskit_rest_provider.codec.circuits import export_circuit
    from qiskit_rest_provider.emulator.engine import run_job

    torino = default_backends()["ibm_torino"]
    qc = QuantumCircuit(11)
    qc.h(0)
    for q in range(10):
        qc.cx(q, q + 1)
    isa = transpile(qc, target=torino.target, optimization_level=1, seed_transpiler=1)
    layout = isa.layout.final_index_layout()
    chars = ["I"] * torino.num_qubits
    for q in (0, 10):
        chars[torino.num_qubits - 1 - layout[q]] = "Z"
    body = {"pubs": [[export_circuit(isa).qasm, ["".join(chars)], None, 0.03]]}
    body["resilience_level"] = 0
    ours = run_job("estimator", body, torino, seed=5)
    assert not torino._noise  # gates sampled by the engine: no Aer noise model
    monkeypatch.setattr(trajectories, "MAX_WORK", 0)
    theirs = run_job("estimator", body, torino, seed=6)
    assert torino._noise
    (mine,), (aer,) = (r["results"][0]["data"]["evs"] for r in (ours, theirs))
    (std,) = ours["results"][0]["data"]["stds"]
    assert 0.7 < mine < 0.98  # <Z0 Z10> = 1 without noise; readout and gate errors lower it
    assert abs(mine - aer) < 4 * np.sqrt(2) * std


def test_measurement_twirling_needs_randomizations():
    from qiskit_rest_provider.emulator.engine.noisy import twirl_flips
    from qiskit_rest_provider.emulator.engine.resilience import ShotPlan

    with pytest.raises(ValueError, match="randomizations"):
        twirl_flips(ShotPlan(100, None, None), 2, np.random.default_rng(0))
    flips = twirl_flips(ShotPlan(6, 2, 3), 4, np.random.default_rng(0))
    assert flips.shape == (6, 4) and (flips[:3] == flips[0]).all() and (flips[3:] == flips[3]).all()


def test_each_outcome_acts_on_the_right_qubits():
    from qiskit_rest_provider.emulator.devices.channels import GateNoise, Single

    flip = Kraus([np.array([[0, 1], [1, 0]])])
    always = Single(0.0, flip, flip.to_instruction())  # the remainder happens every time
    outcomes = [
        # Pauli on the gate's qargs in order, single-qubit channels, measured (q0, q1, q2)
        (("X", "I"), (None, None), (0, 1, 0)),  # X on qarg 0 = circuit qubit 1
        (("I", "Y"), (None, None), (0, 0, 1)),
        (("I", "I"), (None, always), (0, 0, 1)),
        (("Z", "X"), (always, None), (0, 1, 1)),
    ]
    for letters, singles, want in outcomes:
        noise = GateNoise(2, np.array([1.0]), (letters,), (singles,))

        def noise_of(name, qubits, noise=noise):
            return noise if (name, qubits) == ("cz", (1, 2)) else None

        qc = QuantumCircuit(3, 3)
        qc.cz(1, 2)
        qc.measure([0, 1, 2], [0, 1, 2])
        bools = noisy_final_shots(qc, noise_of, 20, np.random.default_rng(0), "statevector")
        assert (bools == np.array(want, dtype=bool)).all(), (letters, singles)


def test_mid_circuit_measurements_and_resets_sample_aer_distribution():
    from qiskit_aer import AerSimulator
    from scipy.stats import chi2

    target = _harsh_target()
    readout = [(0.05, 0.1), (0.02, 0.08), (0.1, 0.03)]
    qc = QuantumCircuit(3, 5)
    qc.sx(0)
    qc.sx(1)
    qc.cz(0, 1)
    qc.sx(0)
    qc.measure(0, 3)  # mid-circuit: its readout error is part of the simulation
    qc.reset(0)
    qc.sx(2)
    qc.cz(1, 2)
    qc.sx(1)
    qc.cz(0, 1)
    qc.measure(1, 4)
    qc.measure([0, 1, 2], [0, 1, 2])
    model = build_noise_model(target, readout, [0, 1, 2])
    shots = 8000
    aer = AerSimulator(method="density_matrix", noise_model=model)
    memory = aer.run(qc, shots=shots, memory=True, seed_simulator=5).result().get_memory()
    theirs = np.bincount([int(m, 2) for m in memory], minlength=32)

    noise = PubNoise(None, lambda n, q, t: gate_noise(target, n, q), [0, 1, 2], readout=readout)
    bools = trajectories.measured_shots(qc, noise, shots, np.random.default_rng(9), "statevector")
    ours = np.bincount(bools @ (1 << np.arange(5)), minlength=32)
    seen = (ours + theirs) > 0
    statistic = float(np.sum((ours - theirs)[seen] ** 2 / (ours + theirs)[seen]))
    assert statistic < chi2.ppf(1 - 5e-4, seen.sum() - 1)  # two samples, one distribution
    assert noise._model is None  # only readout errors went to Aer


def test_control_flow_is_left_to_aer():
    qc = QuantumCircuit(2, 2)
    qc.sx(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    qc.measure(1, 1)
    target = _harsh_target()
    out = noisy_final_shots(
        qc, lambda n, q: gate_noise(target, n, q), 10, np.random.default_rng(0), "statevector"
    )
    assert out is None


def test_the_aer_model_has_each_simulated_qubits_own_readout_error(backends):
    torino = backends["ibm_torino"]
    qubits = [40, 3, 17]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = torino.noise_model(qubits, readout=True)
    readout = torino.readout_errors()
    assert sorted(model._local_readout_errors) == [(0,), (1,), (2,)]
    for local, device in enumerate(qubits):
        p10, p01 = readout[device]
        matrix = model._local_readout_errors[(local,)].probabilities
        np.testing.assert_allclose(matrix, [[1 - p10, p10], [p01, 1 - p01]])
