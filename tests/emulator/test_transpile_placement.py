"""Transpile tasks: coupling maps, transpile options, layout modes and the compact-layout rule."""

from __future__ import annotations

import re

import pytest
import requests
from qiskit import QuantumCircuit, qasm3
from qiskit.transpiler import CouplingMap, generate_preset_pass_manager

from qiskit_rest_provider.emulator import layout
from qiskit_rest_provider.emulator.devices import default_backends

from .helpers import SIM, assert_ibm_error
from .test_transpile import _auth, _run

LINE7 = [[i, i + 1] for i in range(6)]


def _toffoli_circuit() -> str:
    qc = QuantumCircuit(7)
    qc.h(0)
    qc.ccx(2, 5, 6)
    qc.cx(1, 4)
    qc.rzz(0.3, 0, 6)
    return qasm3.dumps(qc)


def _multi_qubit_gates(qasm: str) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    for statement in qasm.split(";"):
        match = re.match(r"\s*(\w+)(?:\([^)]*\))?\s+(\$\d+(?:\s*,\s*\$\d+)+)\s*$", statement)
        if match and match.group(1) not in ("measure", "barrier"):
            qubits = tuple(int(q) for q in re.findall(r"\$(\d+)", match.group(2)))
            out.append((match.group(1), qubits))
    return out


def _on_edges(qasm: str, edges: list[list[int]]) -> None:
    allowed = {frozenset(e) for e in edges}
    gates = _multi_qubit_gates(qasm)
    assert gates, qasm
    for name, qubits in gates:
        assert len(qubits) == 2 and frozenset(qubits) in allowed, (name, qubits)


@pytest.mark.parametrize(
    "where",
    ["query (requests' flat form)", "query (JSON)", "body", "transpile options"],
)
def test_coupling_map_is_honoured(emulator, where):
    body: dict = {"qasm_circuits": _toffoli_circuit()}
    params: dict = {"backend": SIM, "optimization_level": 1, "ai": "false"}
    if where.startswith("query (r"):
        params["coupling_map"] = LINE7  # requests sends coupling_map=0&coupling_map=1&...
    elif where == "query (JSON)":
        params["coupling_map"] = str(LINE7)
    elif where == "body":
        body["backend_coupling_map"] = LINE7
    else:
        body["qiskit_transpile_options"] = {"coupling_map": LINE7, "seed_transpiler": 3}
    answer, _ = _run(emulator.url, body, **params)
    assert answer["state"] == "SUCCESS", answer
    item = answer["result"][0]
    _on_edges(item["qasm"], LINE7)
    assert "ccx" not in item["qasm"]
    assert sorted(item["layout"]["initial"]) == list(range(7))


def test_coupling_map_without_backend_keeps_two_qubit_gates(emulator):
    answer, _ = _run(
        emulator.url,
        {"qasm_circuits": _toffoli_circuit(), "backend_coupling_map": LINE7},
        optimization_level=1,
    )
    qasm = answer["result"][0]["qasm"]
    _on_edges(qasm, LINE7)
    assert "rzz(0.3)" in qasm  # the simulator's basis: the input's 2-qubit gates survive


def _ghz(n: int) -> str:
    qc = QuantumCircuit(n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    return qasm3.dumps(qc)


def test_optimize_places_small_circuits_on_the_lowest_good_qubits(emulator):
    answer, _ = _run(
        emulator.url,
        {"qasm_circuits": [_ghz(3), _ghz(5)]},
        backend="ibm_brisbane",
        optimization_level=1,
        ai_layout_mode="OPTIMIZE",
    )
    first, second = answer["result"]
    assert sorted(first["layout"]["initial"][:3]) == [0, 1, 2]
    assert sorted(second["layout"]["initial"][:5]) == [0, 1, 2, 3, 4]
    assert max(int(q) for q in re.findall(r"\$(\d+)", second["qasm"])) == 4


def test_keep_uses_the_given_layout_and_improve_starts_from_it(emulator):
    given = [20, 21, 22]
    for mode in ("KEEP", "IMPROVE"):
        answer, _ = _run(
            emulator.url,
            {
                "qasm_circuits": _ghz(3),
                "qiskit_transpile_options": {"initial_layout": given, "seed_transpiler": 1},
            },
            backend="ibm_brisbane",
            optimization_level=1,
            ai_layout_mode=mode,
        )
        assert answer["result"][0]["layout"]["initial"][:3] == given, mode
    answer, _ = _run(
        emulator.url, {"qasm_circuits": _ghz(3)}, backend="ibm_brisbane", ai_layout_mode="keep"
    )
    assert answer["result"][0]["layout"]["initial"][:3] == [0, 1, 2]


@pytest.mark.parametrize(
    ("options", "query", "fragment"),
    [
        ({"backend": "ibm_brisbane"}, {}, "'backend' is not supported"),
        ({"callback": None}, {}, "'callback' is not supported"),
        ({"no_such_option": 1}, {}, "unexpected keyword argument 'no_such_option'"),
        (None, {"qiskit_transpile_options": "seed_transpiler"}, "must be a JSON object"),
        (None, {"coupling_map": [0, 1, 2]}, "in pairs"),
        (None, {"ai_layout_mode": "sideways"}, "'ai_layout_mode' must be one of"),
    ],
)
def test_unsupported_values_are_refused_clearly(emulator, options, query, fragment):
    body = {"qasm_circuits": _ghz(2)}
    if options is not None:
        body["qiskit_transpile_options"] = options
    r = requests.post(
        emulator.url + "/transpile",
        params={"backend": SIM, **query},
        json=body,
        headers=_auth(),
        timeout=30,
    )
    error = assert_ibm_error(r, 400)
    assert fragment in error["message"]


def test_compact_rule_pieces():
    brisbane = default_backends(noiseless=True)["ibm_brisbane"]
    target = brisbane.target
    assert layout.compact_qubits(target, 5) == [0, 1, 2, 3, 4]
    assert layout.compact_qubits(target, 200) is None
    assert layout.compact_qubits(default_backends()[SIM].target, 2) is None  # all-to-all
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    sub = layout.sub_target(target, [0, 1, 2])
    assert sub.num_qubits == 3 and CouplingMap(sub.build_coupling_map()).size() == 3
    isa = generate_preset_pass_manager(1, target=sub, seed_transpiler=1).run(qc)
    full = layout.embed(isa, [0, 1, 2], target.num_qubits)
    assert full.num_qubits == 127
    assert full.layout.initial_index_layout()[:3] == [
        [0, 1, 2][p] for p in isa.layout.initial_index_layout()
    ]
    assert full.layout.final_index_layout()[:3] == isa.layout.final_index_layout()
    # ESP: the product of (1 - error) over the gates; a worse qubit set scores lower
    value = layout.esp(full, target)
    expected = 1.0
    for inst in full.data:
        props = target[inst.operation.name].get(tuple(full.find_bit(q).index for q in inst.qubits))
        if props is not None and props.error is not None:
            expected *= 1 - props.error
    assert value == pytest.approx(expected) and 0.9 < value < 1.0


def test_a_coupling_maps_basis_keeps_only_gates_routing_can_turn_around():
    from qiskit_rest_provider.emulator.transpile import _basis_for_coupling_map

    basis = ["rz", "sx", "cx", "csx", "cy", "ch", "ccx", "rzz", "ecr", "custom_gate"]
    assert _basis_for_coupling_map(None, {"basis_gates": basis}) == [
        "rz",
        "sx",
        "cx",
        "rzz",
        "ecr",
        "custom_gate",
    ]
    # Without a basis of its own the simulator's is used, minus the same gates.
    default = _basis_for_coupling_map(None, {})
    assert "cx" in default and "rzz" in default and "h" in default
    assert not {"csx", "cy", "ch", "cp", "crx", "ccx", "cswap"} & set(default)
