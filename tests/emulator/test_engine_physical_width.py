"""Circuits written on physical qubits ("$n") span the whole device, as on IBM's service."""

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import run_job, validate_job


@pytest.mark.parametrize("initial_layout", [None, [60, 61, 62]])
def test_device_wide_observables_on_a_dollar_qubit_circuit(initial_layout):
    backend = default_backends(noiseless=True)["ibm_brisbane"]
    abstract = QuantumCircuit(3)
    abstract.h(0)
    abstract.cx(0, 1)
    abstract.ry(0.4, 2)
    abstract.cx(1, 2)
    pm = generate_preset_pass_manager(
        optimization_level=1, target=backend.target, seed_transpiler=2
    )
    isa = pm.run(abstract)
    text = qasm3.dumps(isa)  # the transpiler service's form: only touched "$n" qubits appear
    assert "$" in text and "qubit[" not in text
    observable = SparsePauliOp.from_list([("ZZI", 1.0), ("IXX", 0.5), ("YIY", -0.25)])
    wide = observable.apply_layout(isa.layout)
    assert wide.num_qubits == 127
    wire_observable = {label: float(np.real(c)) for label, c in wide.to_list()}
    params = {"pubs": [[text, wire_observable, None, 0]], "support_qiskit": True}
    stored = validate_job("estimator", params, backend)
    body = run_job("estimator", stored, backend, seed=1, noiseless=True)
    evs = decode_result(json.dumps(body), "estimator", [PubSpec(shape=())])[0].data.evs
    expected = Statevector(abstract).expectation_value(observable).real
    np.testing.assert_allclose(evs, expected, atol=1e-9)
