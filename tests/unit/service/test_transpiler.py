"""CloudTranspiler over pinned HTTP; circuit + TranspileLayout reconstruction; observables."""

from __future__ import annotations

import json
import sys
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import responses
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import Parameter
from qiskit.circuit.library import ECRGate
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import CouplingMap, Target, generate_preset_pass_manager

from qiskit_rest_provider.codec.transpiler_layout import load_transpiled_qasm, rebuild_circuit
from qiskit_rest_provider.exceptions import InvalidInputError, TranspilerServiceError
from qiskit_rest_provider.service.transpiler import CloudTranspiler, apply_layout_to_observables

T_URL = "https://transpiler.test"
LINE = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]
TARGET = Target.from_configuration(["ecr", "rz", "sx", "x", "measure"], 6, CouplingMap(LINE))


def _abstract(measure=True):
    theta = Parameter("θ")
    circuit = QuantumCircuit(3, name="abstract")
    circuit.h(0)
    circuit.cx(0, 2)
    circuit.ry(theta, 1)
    circuit.cx(2, 1)
    if measure:
        circuit.measure_all()
    return circuit


def _service_item(circuit, level=1, seed=7):
    """What the service returns for ``circuit``: one-line QASM 3 + full-width layouts."""
    tc = generate_preset_pass_manager(level, target=TARGET, seed_transpiler=seed).run(circuit)
    return {
        "qasm": qasm3.dumps(tc).replace("\n", " ").strip(),
        "qpy": None,
        "layout": {
            "initial": tc.layout.initial_index_layout(),
            "final": tc.layout.final_index_layout(filter_ancillas=False),
        },
    }, tc


def _transpiler(**kwargs):
    kwargs.setdefault("backend_name", "ibm_line")
    return CloudTranspiler(url=T_URL, token="API-KEY", poll_interval=(0.0, 0.0), **kwargs)


def test_request_shape_and_polling(mocked):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    item, _ = _service_item(circuit)
    mocked.post(T_URL + "/transpile", json={"task_id": "t-1"})
    mocked.get(T_URL + "/transpile/t-1", json={"state": "PENDING", "result": None})
    mocked.get(T_URL + "/transpile/t-1", json={"state": "SUCCESS", "result": None})  # re-polled
    mocked.get(T_URL + "/transpile/t-1", json={"state": "SUCCESS", "result": [item]})
    out = _transpiler(
        optimization_level=2,
        ai="false",
        ai_layout_mode="optimize",
        qiskit_transpile_options={"seed_transpiler": 3},
    ).run(circuit)
    assert isinstance(out, QuantumCircuit)
    post = mocked.calls[0].request
    assert parse_qs(urlsplit(post.url).query) == {
        "backend": ["ibm_line"],
        "optimization_level": ["2"],
        "ai": ["false"],
        "ai_layout_mode": ["OPTIMIZE"],
    }
    body = json.loads(post.body)
    assert set(body) == {
        "qasm_circuits",
        "qpy_circuits",
        "optimization_preferences",
        "qiskit_transpile_options",
    }
    assert body["qpy_circuits"] is None and body["qiskit_transpile_options"] == {
        "seed_transpiler": 3
    }
    assert body["qasm_circuits"][0].startswith("OPENQASM 3.0;")
    assert post.headers["Authorization"] == "Bearer API-KEY"
    assert "Service-CRN" not in post.headers
    polls = [c for c in mocked.calls if c.request.method == "GET"]
    assert len(polls) == 3
    assert all(c.request.headers["Authorization"] == "Bearer API-KEY" for c in polls)


def test_coupling_map_goes_in_the_body(mocked):
    circuit = QuantumCircuit(2)
    circuit.cx(0, 1)
    item, _ = _service_item(circuit)
    mocked.post(T_URL + "/transpile", json={"task_id": "t"})
    mocked.get(T_URL + "/transpile/t", json={"state": "SUCCESS", "result": [item, item]})
    out = CloudTranspiler(
        coupling_map=CouplingMap(LINE), url=T_URL, token="k", use_fractional_gates=True
    ).run([circuit, circuit])
    assert isinstance(out, list) and len(out) == 2
    post = mocked.calls[0].request
    query = parse_qs(urlsplit(post.url).query)
    assert "backend" not in query and query["use_fractional_gates"] == ["true"]
    assert query["ai"] == ["auto"]
    assert json.loads(post.body)["backend_coupling_map"] == LINE


def test_failure_timeout_and_blips(mocked):
    circuit = QuantumCircuit(1)
    mocked.post(T_URL + "/transpile", json={"task_id": "f"})
    mocked.get(T_URL + "/transpile/f", json={"state": "FAILURE", "result": "does not fit"})
    with pytest.raises(TranspilerServiceError, match="does not fit"):
        _transpiler().run(circuit)
    mocked.replace(responses.POST, T_URL + "/transpile", json={"task_id": "slow"})
    mocked.get(T_URL + "/transpile/slow", json={"state": "PENDING", "result": None})
    transpiler = CloudTranspiler(
        backend_name="b", url=T_URL, token="k", timeout=0.05, poll_interval=(0.01, 0.01)
    )
    with pytest.raises(TranspilerServiceError, match="did not finish within 0.05 s"):
        transpiler.run(circuit)


def test_server_blip_while_polling_is_survived(mocked):
    circuit = QuantumCircuit(2)
    circuit.cx(0, 1)
    item, _ = _service_item(circuit)
    mocked.post(T_URL + "/transpile", json={"task_id": "b"})
    mocked.get(T_URL + "/transpile/b", status=520, body="cloudflare")
    mocked.get(T_URL + "/transpile/b", json={"state": "SUCCESS", "result": [item]})
    transpiler = _transpiler()
    transpiler._api._transport.retry = type(transpiler._api._transport.retry)(max_attempts=1)
    assert transpiler.run(circuit).num_qubits == 6


def test_errors_on_submit_are_typed(mocked):
    mocked.post(
        T_URL + "/transpile", status=401, json={"detail": "Invalid authentication credentials"}
    )
    with pytest.raises(Exception, match="Invalid authentication credentials"):
        _transpiler().run(QuantumCircuit(1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"backend_name": "b", "ai": "maybe"},
        {"backend_name": "b", "ai_layout_mode": "shuffle"},
        {"backend_name": "b", "optimization_level": 4},
        {"backend_name": "b", "timeout": 0},
    ],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(InvalidInputError):
        CloudTranspiler(url=T_URL, token="k", **kwargs)


def test_token_from_environment(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "ENVKEY")
    monkeypatch.setenv("QISKIT_IBM_TRANSPILER_URL", "http://t.local")
    transpiler = CloudTranspiler(backend_name="b")
    assert transpiler._api._transport.base_url == "http://t.local"
    assert transpiler._api._transport.auth.headers() == {"Authorization": "Bearer ENVKEY"}
    assert "ENVKEY" not in repr(transpiler)


# ------------------------------------------------------------------ reconstruction


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_rebuilt_layout_matches_the_local_pass_manager(level):
    circuit = _abstract()
    item, local = _service_item(circuit, level=level)
    names = ["p0"]  # export_circuit's wire name of the only parameter
    item["qasm"] = item["qasm"].replace("θ", "p0")
    rebuilt = rebuild_circuit(item, circuit, names)
    assert rebuilt.num_qubits == 6
    assert rebuilt.layout.initial_index_layout() == local.layout.initial_index_layout()
    assert rebuilt.layout.final_index_layout() == local.layout.final_index_layout()
    assert [c.name for c in rebuilt.cregs] == ["meas"]
    assert list(rebuilt.parameters) == list(circuit.parameters)  # the user's Parameter objects
    assert all(isinstance(i.operation, ECRGate) for i in rebuilt.data if i.operation.name == "ecr")
    observable = SparsePauliOp.from_list([("ZIZ", 1.0), ("XXI", 0.5), ("IYY", -0.25)])
    assert observable.apply_layout(rebuilt.layout) == observable.apply_layout(local.layout)


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_layout_applied_observables_give_the_abstract_values(level):
    circuit = _abstract(measure=False)
    item, _ = _service_item(circuit, level=level)
    item["qasm"] = item["qasm"].replace("θ", "p0")
    isa = rebuild_circuit(item, circuit, ["p0"])
    observable = SparsePauliOp.from_list([("ZIZ", 1.0), ("XXI", 0.5), ("IYY", -0.25)])
    values = [0.3]
    exact = StatevectorEstimator().run([(circuit, observable, values)]).result()[0].data.evs
    pub = apply_layout_to_observables((isa, observable, values))
    mapped = StatevectorEstimator().run([pub]).result()[0].data.evs
    assert np.allclose(mapped, exact, atol=1e-9)


def test_missing_optional_importer_is_a_clear_error(monkeypatch):
    item, _ = _service_item(_abstract(), level=1)
    monkeypatch.setitem(sys.modules, "qiskit_qasm3_import", None)  # import now fails
    with pytest.raises(TranspilerServiceError, match="pip install qiskit-qasm3-import"):
        load_transpiled_qasm(item["qasm"])


def test_qasm2_results_are_read():
    from qiskit import qasm2

    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    tc = generate_preset_pass_manager(1, target=TARGET, seed_transpiler=1).run(circuit)
    item = {
        "qasm": qasm2.dumps(tc),
        "qpy": None,
        "layout": {
            "initial": tc.layout.initial_index_layout(),
            "final": tc.layout.final_index_layout(filter_ancillas=False),
        },
    }
    rebuilt = rebuild_circuit(item, circuit)
    assert rebuilt.count_ops() == tc.count_ops()


def test_bad_items_are_refused():
    circuit = QuantumCircuit(1)
    with pytest.raises(TranspilerServiceError, match="without qasm"):
        rebuild_circuit({"qasm": None, "layout": {}}, circuit)
    with pytest.raises(TranspilerServiceError, match="includes"):
        load_transpiled_qasm('OPENQASM 3.0; include "/etc/passwd";')
    with pytest.raises(TranspilerServiceError, match="Inconsistent layout"):
        rebuild_circuit(
            {
                "qasm": 'OPENQASM 3.0; include "stdgates.inc"; x $3;',
                "layout": {"initial": [0, 1], "final": [0, 1]},
            },
            circuit,
        )


def test_apply_layout_to_observables_cases():
    circuit = _abstract(measure=False)
    item, _ = _service_item(circuit)
    isa = rebuild_circuit({**item, "qasm": item["qasm"].replace("θ", "p0")}, circuit, ["p0"])
    physical = SparsePauliOp("Z" + "I" * 5)
    # Already physical: unchanged.
    pub = apply_layout_to_observables((isa, physical, [0.1]))
    assert pub.observables.num_qubits == 6
    # only_if_narrower leaves same-width observables alone.
    assert (
        apply_layout_to_observables(
            (isa, physical, [0.1]), only_if_narrower=True
        ).observables.num_qubits
        == 6
    )
    # Abstract width: mapped.
    assert apply_layout_to_observables((isa, "ZZZ", [0.1])).observables.num_qubits == 6
    with pytest.raises(InvalidInputError, match="act on 2 qubits"):
        apply_layout_to_observables((isa, "ZZ", [0.1]))
    # No layout: unchanged.
    plain = QuantumCircuit(2)
    assert apply_layout_to_observables((plain, "ZZ")).observables.num_qubits == 2


def test_the_service_retry_policy_is_the_transpiler_one():
    from qiskit_rest_provider import RuntimeService
    from qiskit_rest_provider.http import RetryPolicy

    policy = RetryPolicy(max_attempts=2, backoff=0.0)
    service = RuntimeService(token="k", url="https://q.test", instance="crn:x", retry=policy)
    with_service = CloudTranspiler(backend_name="b", service=service, url=T_URL, token="k")
    assert with_service._api._transport.retry is policy
    own = RetryPolicy(max_attempts=7)
    assert (
        CloudTranspiler(backend_name="b", url=T_URL, token="k", retry=own)._api._transport.retry
        is own
    )
    assert (
        CloudTranspiler(backend_name="b", url=T_URL, token="k")._api._transport.retry
        == RetryPolicy()
    )
