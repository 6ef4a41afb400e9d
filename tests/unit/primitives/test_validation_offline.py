"""Validation against the emulator's backends read offline: no server, exact errors.

What the end-to-end tests in test_validation.py show through a running emulator, pinned here
on ``RestBackend`` objects built from the same JSON (conftest.py): the ISA check reaching each
PUB with its index, every check of ``validate_sampler_pubs``/``validate_estimator_pubs`` naming
the PUB it refuses, the warning pointing at the caller's line, how deep measurements are looked
for, and the verdicts of qiskit-ibm-runtime 0.51's own checks on the same circuits.
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Instruction, Parameter
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit_ibm_runtime.utils.validations import validate_isa_circuits, validate_rzz_pubs

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.exceptions import IBMInputValueError, InvalidPubError
from qiskit_rest_provider.primitives import sampler as sampler_module
from qiskit_rest_provider.primitives import validation
from qiskit_rest_provider.primitives.validation import PubValidationError, PubValidator
from qiskit_rest_provider.service.backend import RestBackend

from .conftest import offline_backend

HINT = " (pass validate=False to the primitive to skip these checks)."
TRANSPILE = (
    "Transpile it for the backend first: isa = generate_preset_pass_manager("
    "backend=backend, optimization_level=1).run(circuit)"
)
BRISBANE_OPS = (
    "delay, ecr, for_loop, id, if_else, measure, reset, rz, switch_case, sx, while_loop, x"
)


def _refusal(call, *args, **kwargs) -> PubValidationError:
    with pytest.raises(PubValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


def _measured(width: int = 1) -> QuantumCircuit:
    qc = QuantumCircuit(width, 1)
    qc.measure(0, 0)
    return qc


def _non_native(width: int = 127) -> QuantumCircuit:
    qc = QuantumCircuit(width, 1)
    qc.h(3)
    qc.measure(3, 0)
    return qc


# --------------------------------------------------------------------------- the ISA check


def test_devices_refuse_a_non_native_gate_naming_pub_gate_qubits_and_fix(offline_brisbane):
    validator = PubValidator(offline_brisbane)
    validator.check_circuit(_measured(127), 0, needs_measure=True)  # native: measure only
    error = _refusal(validator.check_circuit, _non_native(), 1, needs_measure=True)
    assert str(error) == (
        f"PUB 1: h on qubits (3,) is not an instruction of ibm_brisbane (it has {BRISBANE_OPS})."
        f" {TRANSPILE}{HINT}"
    )
    assert (error.pub_index, error.instruction, error.qubits) == (1, "h", (3,))
    assert type(error) is PubValidationError and isinstance(error, IBMInputValueError)


def test_simulators_skip_the_isa_check_devices_do_not(offline_simulator, offline_brisbane):
    qc = QuantumCircuit(3, 1)
    qc.ccx(0, 1, 2)
    qc.append(Instruction("my_gate", 1, 0, []), [2])  # in no target at all
    qc.measure(2, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PubValidator(offline_simulator).check_circuit(qc, 0, needs_measure=True)
    error = _refusal(PubValidator(offline_brisbane).check_circuit, qc, 0)
    assert str(error).startswith("PUB 0: ccx on qubits (0, 1, 2) is not an instruction of ")


def test_each_distinct_circuit_of_a_job_is_checked(offline_simulator):
    validator = PubValidator(offline_simulator)
    validator.check_circuit(QuantumCircuit(2), 0)
    error = _refusal(validator.check_circuit, QuantumCircuit(33), 1)
    assert str(error) == (
        "PUB 1: the circuit has 33 qubits but ibmq_qasm_simulator has 32. Use a smaller circuit "
        f"or a larger backend{HINT}"
    )


# ----------------------------------------------------------- the warning and its caller line


# mutmut's instrumented copy wraps every function in two more frames, so no stacklevel can
# point at the caller there; its two stacklevel mutants are killed by a plain run of this test.
INSTRUMENTED = any("__mutmut_" in name for name in vars(validation))


@pytest.mark.skipif(INSTRUMENTED, reason="mutmut's trampolines add frames to every call")
def test_the_no_measurement_warning_points_at_the_users_run_call(offline_simulator, monkeypatch):
    # check_circuit <- validate_sampler_pubs <- SamplerV2.run <- the caller: stacklevel 4.
    monkeypatch.setattr(sampler_module, "submit_job", lambda *args: "submitted")
    sampler = SamplerV2(mode=offline_simulator)
    with pytest.warns(UserWarning) as caught:
        line = sys._getframe().f_lineno + 1
        assert sampler.run([QuantumCircuit(1, 1)], shots=5) == "submitted"
    assert [(w.category, w.filename, w.lineno) for w in caught] == [(UserWarning, __file__, line)]


# ------------------------------------------------------------ where measurements are looked


def _wrapped(circuit: QuantumCircuit, levels: int) -> QuantumCircuit:
    """``circuit`` as the definition of an instruction, ``levels`` times over."""
    for _ in range(levels):
        if any(inst.is_control_flow() for inst in circuit.data):
            # Qiskit will not turn such a circuit into an instruction; a definition may hold it.
            inst = Instruction("block", circuit.num_qubits, circuit.num_clbits, [])
            inst.definition = circuit
        else:
            inst = circuit.to_instruction()
        outer = QuantumCircuit(1, 1)
        outer.append(inst, [0], [0])
        circuit = outer
    return circuit


def test_measurements_are_looked_for_seventeen_definitions_deep():
    assert validation._measures(_wrapped(_measured(), 17))
    assert not validation._measures(_wrapped(_measured(), 18))


def _measure_in_a_block(levels_inside: int) -> QuantumCircuit:
    """An ``if`` block holding a measurement ``levels_inside`` definitions down."""
    qc = QuantumCircuit(1, 1)
    with qc.if_test((qc.clbits[0], 1)):
        if levels_inside:
            qc.append(_wrapped(_measured(), levels_inside - 1).to_instruction(), [0], [0])
        else:
            qc.measure(0, 0)
    return qc


def test_measurements_inside_control_flow_blocks_count_at_the_blocks_depth():
    assert validation._measures(_measure_in_a_block(1))  # a definition inside the block
    assert validation._measures(_wrapped(_measure_in_a_block(9), 8))  # 17 deep in all
    assert not validation._measures(_wrapped(_measure_in_a_block(10), 8))  # 18
    assert not validation._measures(_wrapped(_measure_in_a_block(9), 9))  # 18
    assert validation._measures(_wrapped(_measure_in_a_block(0), 17))
    unmeasured = QuantumCircuit(1, 1)
    with unmeasured.if_test((unmeasured.clbits[0], 1)):
        unmeasured.x(0)
        unmeasured.append(QuantumCircuit(1, 1).to_instruction(), [0], [0])
    assert not validation._measures(unmeasured)


# --------------------------------------------- every check of validate_*_pubs, on PUB 1


def _sampler_pubs(second: QuantumCircuit, values=None, shots: int = 10) -> list[SamplerPub]:
    first = SamplerPub.coerce(_measured(2), 10)
    return [first, SamplerPub.coerce(second if values is None else (second, values), shots)]


def test_validate_sampler_pubs_names_the_pub_of_each_check(offline_simulator, offline_brisbane):
    error = _refusal(
        validation.validate_sampler_pubs, _sampler_pubs(_measured(33)), offline_simulator
    )
    assert str(error).startswith("PUB 1: the circuit has 33 qubits but ibmq_qasm_simulator")
    error = _refusal(
        validation.validate_sampler_pubs, _sampler_pubs(_non_native()), offline_brisbane
    )
    assert str(error).startswith("PUB 1: h on qubits (3,) is not an instruction of ibm_brisbane")
    limit = offline_brisbane.configuration()["max_shots"]
    pubs = _sampler_pubs(_measured(127), shots=limit + 1)
    assert str(_refusal(validation.validate_sampler_pubs, pubs, offline_brisbane)) == (
        f"PUB 1: {limit + 1} shots exceed the {limit} that ibm_brisbane allows per PUB. "
        "Split the PUB or lower shots."
    )
    theta = Parameter("θ")
    rotated = _measured()
    rotated.rz(theta, 0)
    pubs = _sampler_pubs(rotated, values=[[0.5], [np.nan]])
    assert str(_refusal(validation.validate_sampler_pubs, pubs, offline_simulator)) == (
        "PUB 1: parameter values for ['θ'] contain NaN or infinity."
    )
    with pytest.warns(UserWarning) as caught:
        validation.validate_sampler_pubs(_sampler_pubs(QuantumCircuit(1, 1)), offline_simulator)
    assert [str(w.message)[:55] for w in caught] == [
        "PUB 1: the circuit has classical registers but no measu"
    ]


def test_a_backend_without_max_shots_takes_any_number(offline_simulator):
    config = offline_simulator.configuration().to_dict()
    del config["max_shots"]
    unlimited = RestBackend(None, config)  # type: ignore[arg-type]
    PubValidator(unlimited).check_shots(10**12, 0)
    assert PubValidator(offline_simulator).facts.max_shots == 10_000_000


def _estimator_pubs(second: QuantumCircuit, observable="Z", values=None, precision=None):
    first = EstimatorPub.coerce((QuantumCircuit(1), "Z"))
    items = (second, observable) if values is None else (second, observable, values)
    return [first, EstimatorPub.coerce(items, precision)]


def test_validate_estimator_pubs_names_the_pub_of_each_check(offline_simulator, offline_brisbane):
    error = _refusal(
        validation.validate_estimator_pubs,
        _estimator_pubs(QuantumCircuit(33), "Z" * 33),
        offline_simulator,
    )
    assert str(error).startswith("PUB 1: the circuit has 33 qubits but ibmq_qasm_simulator")
    pubs = _estimator_pubs(QuantumCircuit(127), "Z" * 127, precision=0.0)
    assert str(_refusal(validation.validate_estimator_pubs, pubs, offline_brisbane)) == (
        "PUB 1: precision must be > 0 on the device ibm_brisbane (0 = exact is for "
        "simulators). Pass e.g. precision=0.015625."
    )
    pubs = _estimator_pubs(QuantumCircuit(1), {"Z": math.inf})
    assert str(_refusal(validation.validate_estimator_pubs, pubs, offline_simulator)) == (
        "PUB 1: the observable has a NaN or infinite coefficient."
    )
    theta = Parameter("θ")
    rotated = QuantumCircuit(1)
    rotated.rz(theta, 0)
    pubs = _estimator_pubs(rotated, values=[[0.5], [-np.inf]])
    assert str(_refusal(validation.validate_estimator_pubs, pubs, offline_simulator)) == (
        "PUB 1: parameter values for ['θ'] contain NaN or infinity."
    )
    error = _refusal(
        validation.validate_estimator_pubs,
        _estimator_pubs(_non_native(), "Z" * 127),
        offline_brisbane,
    )
    assert str(error).startswith("PUB 1: h on qubits (3,) is not an instruction of ibm_brisbane")


@pytest.fixture(scope="module")
def fractional_torino() -> RestBackend:
    """``ibm_torino`` with fractional gates, as ``service.backend(..., use_fractional_gates)``."""
    device = offline_backend("ibm_torino")
    config = device.configuration().to_dict()
    config["basis_gates"] = [*config["basis_gates"], "rx", "rzz"]
    backend = RestBackend(None, config, use_fractional_gates=True)  # type: ignore[arg-type]
    backend._properties = device.properties()  # noqa: SLF001
    return backend


def _rzz(angle) -> QuantumCircuit:
    qc = QuantumCircuit(133, 1)
    edge = (0, 1)
    qc.rzz(angle, *edge)
    qc.measure(0, 0)
    return qc


def test_bound_rzz_angles_are_checked_per_pub_with_its_values(fractional_torino):
    theta = Parameter("t")
    circuit = _rzz(theta)
    good = SamplerPub.coerce((circuit, [[0.25], [1.5]]), 10)
    bad = SamplerPub.coerce((circuit, [[0.25], [2.5]]), 10)
    validation.validate_sampler_pubs([good, good], fractional_torino)
    error = _refusal(validation.validate_sampler_pubs, [good, bad], fractional_torino)
    assert str(error) == (
        "PUB 1: rzz(2.5,) on qubits (0, 1) with parameter values {'t': 2.5} is outside the "
        "angles ibm_torino supports for rzz (rzz: 0 to pi/2). Transpile with "
        f"generate_preset_pass_manager(backend=backend), which wraps them{HINT}"
    )
    estimator_circuit = circuit.remove_final_measurements(inplace=False)
    pubs = [
        EstimatorPub.coerce((estimator_circuit, "Z" * 133, [0.5]), 0.1),
        EstimatorPub.coerce((estimator_circuit, "Z" * 133, [-0.5]), 0.1),
    ]
    error = _refusal(validation.validate_estimator_pubs, pubs, fractional_torino)
    assert str(error).startswith(
        "PUB 1: rzz(-0.5,) on qubits (0, 1) with parameter values {'t': -0.5} is outside"
    )


# --------------------------------------------------------------------------- payload size


def test_payload_megabytes_are_rounded_from_the_exact_size():
    wire = [["x" * 1_549_994]]  # 1,550,000 bytes encoded
    with pytest.raises(InvalidPubError) as caught:
        validation.check_payload_size(wire, limit=1_500_000)
    assert str(caught.value) == (
        "The encoded PUBs take 1.6 MB; the service accepts at most 2 MB per job. Split them "
        "over several jobs."
    )


# ------------------------------------------------ the same verdicts as qiskit-ibm-runtime


def _theirs_refuses(circuit: QuantumCircuit, backend: RestBackend) -> bool:
    try:
        validate_isa_circuits([circuit], backend.target)
    except ValueError:
        return True
    return False


def _ours_refuses(circuit: QuantumCircuit, backend: RestBackend) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            validation.validate_sampler_pubs([SamplerPub.coerce(circuit, 10)], backend)
    except PubValidationError as error:
        assert isinstance(error, ValueError) and isinstance(error, IBMInputValueError)
        return True
    return False


def _isa_cases(torino: RestBackend) -> dict[str, tuple[QuantumCircuit, bool]]:
    edge = next(q for q in torino.target["cz"] if q)
    native = QuantumCircuit(133, 1)
    native.sx(edge[0])
    native.cz(*edge)
    native.rz(0.3, edge[1])
    native.barrier()
    native.delay(100, 0)
    native.reset(0)
    native.measure(edge[0], 0)
    not_native = _non_native(133)
    uncoupled = QuantumCircuit(133, 1)
    uncoupled.cz(0, 100)
    uncoupled.measure(0, 0)
    body = QuantumCircuit(2)
    body.cz(0, 1)
    coupled_block = QuantumCircuit(133, 1)
    coupled_block.measure(edge[0], 0)
    coupled_block.if_test((coupled_block.clbits[0], 1), body, list(edge), [])
    uncoupled_block = QuantumCircuit(133, 1)
    uncoupled_block.measure(0, 0)
    uncoupled_block.if_test((uncoupled_block.clbits[0], 1), body, [0, 100], [])
    too_wide = _measured(134)
    return {
        "native": (native, False),
        "not native": (not_native, True),
        "uncoupled": (uncoupled, True),
        "coupled block": (coupled_block, False),
        "uncoupled block": (uncoupled_block, True),
        "too wide": (too_wide, True),
    }


def test_isa_verdicts_match_qiskit_ibm_runtime(offline_torino):
    for name, (circuit, refused) in _isa_cases(offline_torino).items():
        assert _theirs_refuses(circuit, offline_torino) is refused, name
        assert _ours_refuses(circuit, offline_torino) is refused, name


def test_rzz_angle_verdicts_match_qiskit_ibm_runtime(fractional_torino):
    # Both let an angle round up to 1e-10 past pi/2; below 0 nothing is let through.
    for angle, refused in (
        (0.0, False),
        (0.7, False),
        (math.pi / 2, False),
        (math.pi / 2 + 1e-11, False),
        (math.pi / 2 + 1e-10, False),
        (math.pi / 2 + 1e-9, True),
        (5e-11, False),
        (-1e-11, True),
        (-1e-3, True),
        (math.pi / 2 + 1e-3, True),
        (3.0, True),
    ):
        pub = SamplerPub.coerce(_rzz(angle), 10)
        try:
            validate_rzz_pubs([pub])
            theirs = False
        except ValueError:
            theirs = True
        assert theirs is refused, angle
        assert _ours_refuses(_rzz(angle), fractional_torino) is refused, angle


def test_the_rust_isa_check_keeps_one_pass_per_thread_and_answers_each_circuit(offline_brisbane):
    import threading

    from qiskit_rest_provider.primitives._isa import facts_for

    facts = facts_for(offline_brisbane)
    native = QuantumCircuit(127)
    native.ecr(0, 1)
    native.rz(0.5, 1)
    native.measure_all()
    foreign = QuantumCircuit(127)
    foreign.h(0)
    answers = [facts.rust_says_isa(qc) for qc in (native, foreign, native, foreign)]
    assert answers == [True, False, True, False]  # each run overwrites the last answer
    mine = facts._passes.check
    assert facts.rust_says_isa(native) is True and facts._passes.check is mine
    theirs = []

    def other_thread():
        theirs.append((facts.rust_says_isa(foreign), facts._passes.check))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert theirs[0][0] is False
    assert theirs[0][1] is not mine  # never shared between threads
    assert facts._passes.check is mine
