"""Abstract circuit -> CloudTranspiler (emulator) -> EstimatorV2 on a noiseless device."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from qiskit_rest_provider import CloudTranspiler, EstimatorV2, SamplerV2
from qiskit_rest_provider.exceptions import TranspilerServiceError
from qiskit_rest_provider.service.transpiler import apply_layout_to_observables

pytest.importorskip("qiskit_qasm3_import")

THETA = Parameter("θ")
VALUES = [[0.7], [2.1]]
OBSERVABLE = SparsePauliOp.from_list([("ZZI", 1.0), ("XIX", 0.3), ("IYY", -0.5)])


def _abstract():
    circuit = QuantumCircuit(3, name="abstract")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.ry(THETA, 2)
    circuit.cx(1, 2)
    circuit.rz(0.25, 0)
    return circuit


def _exact():
    return StatevectorEstimator().run([(_abstract(), OBSERVABLE, VALUES)]).result()[0].data.evs


@pytest.fixture(scope="module")
def isa_circuits(noiseless):
    from qiskit_rest_provider import RuntimeService

    from .conftest import new_crn

    service = RuntimeService(token="transpile-key", url=noiseless.url, instance=new_crn())
    out = {}
    for level in range(4):
        transpiler = CloudTranspiler(
            backend_name="ibm_brisbane", optimization_level=level, ai="false", service=service
        )
        out[level] = transpiler.run(_abstract())
    return out


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_isa_circuits_have_device_width_and_layout(svc, isa_circuits, level):
    isa = isa_circuits[level]
    target = svc.backend("ibm_brisbane").target
    assert isa.num_qubits == 127
    assert isa.layout is not None and len(isa.layout.initial_index_layout()) == 127
    assert list(isa.parameters) == [THETA]  # the user's Parameter object, bindable as before
    for instruction in isa.data:
        qargs = tuple(isa.find_bit(q).index for q in instruction.qubits)
        assert target.instruction_supported(instruction.operation.name, qargs)


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_layout_applied_estimates_match_the_abstract_circuit(svc, isa_circuits, level):
    pub = (isa_circuits[level], OBSERVABLE, VALUES)
    # Exact values (precision=0) from a device only make sense because this emulator runs it
    # noiselessly; client-side validation rightly refuses precision=0 on devices, so it is off.
    estimator = EstimatorV2(mode=svc.backend("ibm_brisbane"), apply_layout=True, validate=False)
    result = estimator.run([pub], precision=0).result(timeout=120)[0]
    np.testing.assert_allclose(result.data.evs, _exact(), atol=1e-9, rtol=0)


def test_without_the_layout_widths_disagree(isa_circuits):
    with pytest.raises(ValueError, match="number of qubits"):
        EstimatorV2().run([(isa_circuits[1], OBSERVABLE, VALUES)])


def test_coupling_map_only_and_a_list_of_circuits(svc):
    line = [[i, i + 1] for i in range(4)]
    transpiler = CloudTranspiler(
        coupling_map=line,
        optimization_level=1,
        service=svc,
        qiskit_transpile_options={"basis_gates": ["cz", "rz", "sx", "x"], "seed_transpiler": 1},
    )
    ghz = QuantumCircuit(3)
    ghz.h(0)
    ghz.cx(0, 1)
    ghz.cx(1, 2)
    ghz.measure_all()
    outs = transpiler.run([ghz, ghz.copy()])
    assert len(outs) == 2 and all(o.num_qubits == 5 for o in outs)
    assert set(outs[0].count_ops()) <= {"cz", "rz", "sx", "x", "measure", "barrier"}
    assert [c.name for c in outs[0].cregs] == ["meas"]


def test_transpiled_circuit_runs_on_the_device(svc, isa_circuits):
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    isa = CloudTranspiler(backend_name="ibm_torino", service=svc, ai="false").run(circuit)
    counts = SamplerV2(mode=svc.backend("ibm_torino")).run([isa], shots=100).result()[0]
    assert set(counts.data.meas.get_counts()) <= {"000", "111"}


def test_failures_are_reported(svc):
    too_wide = QuantumCircuit(200)
    too_wide.h(range(200))
    with pytest.raises(TranspilerServiceError, match="failed"):
        CloudTranspiler(backend_name="ibm_brisbane", service=svc, timeout=60).run(too_wide)


def test_a_circuit_over_the_gate_limit_is_refused_at_submit(svc):
    from qiskit.circuit import Gate

    from qiskit_rest_provider.exceptions import BadRequestError

    body = QuantumCircuit(1)
    body.x(0)
    for i in range(41):  # g40 stands for 2**40 gates in a few kilobytes of OpenQASM
        gate = Gate(f"g{i}", 1, [])
        gate.definition = body
        body = QuantumCircuit(1)
        body.append(gate, [0])
        body.append(gate, [0])
    chain = QuantumCircuit(1)
    chain.append(gate, [0])
    with pytest.raises(BadRequestError, match=r"more gates than the allowed maximum of 1000000"):
        CloudTranspiler(backend_name="ibm_brisbane", service=svc, timeout=60).run(chain)


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_layout_applied_estimates_are_exact_on_the_noiseless_device(svc, isa_circuits, level):
    # precision=0 (exact) straight through the submit path, in case EstimatorV2.run refuses
    # exact estimates on devices: the emulator's noiseless devices compute them exactly.
    from qiskit.primitives.containers.estimator_pub import EstimatorPub

    from qiskit_rest_provider.codec.pubs import encode_estimator_pub
    from qiskit_rest_provider.primitives._submit import encode_pubs
    from qiskit_rest_provider.primitives.options import EstimatorOptions
    from qiskit_rest_provider.service.submission import submit_job

    pub = EstimatorPub.coerce(
        apply_layout_to_observables((isa_circuits[level], OBSERVABLE, VALUES)), 0.0
    )
    wire, specs = encode_pubs([pub], encode_estimator_pub)
    job = submit_job("estimator", svc.backend("ibm_brisbane"), wire, specs, EstimatorOptions())
    evs = job.result(timeout=120)[0].data.evs
    assert np.allclose(evs, _exact(), rtol=0, atol=1e-9)
