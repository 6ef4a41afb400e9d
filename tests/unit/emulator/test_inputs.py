"""The emulator's input checks (``engine/inputs.py``): every refusal with its exact message,
every accepted form with its exact canonical PUB task."""

from __future__ import annotations

import base64
import io
import math
import zlib

import numpy as np
import pytest
from qiskit import QuantumCircuit, qpy
from qiskit.circuit import Parameter

from qiskit_rest_provider.codec.circuits import export_circuit, read_header
from qiskit_rest_provider.emulator.engine import inputs
from qiskit_rest_provider.emulator.engine.errors import JobInputError
from qiskit_rest_provider.emulator.engine.inputs import (
    PROGRAMS,
    PubTask,
    _check_observables,
    _check_precision,
    _check_shots,
    _qpy_to_qasm,
    check_top_level,
    parse_pubs,
)
from qiskit_rest_provider.exceptions import DecodeError, EncodeError

Q2 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'
P1 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nqubit[1] q;\nrx(a) q[0];\n'
PHYS = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nh $0;\ncx $0, $1;\n'


def refusal(call, *args) -> str:
    with pytest.raises(JobInputError) as caught:
        call(*args)
    assert caught.value.code == 1002
    return str(caught.value)


# ------------------------------------------------------------------------- check_top_level


def test_programs():
    assert PROGRAMS == ("sampler", "estimator")


@pytest.mark.parametrize(
    "params",
    [
        {"pubs": [Q2]},
        {"pubs": [Q2], "version": 2, "support_qiskit": True, "options": {}, "shots": 5},
        {"pubs": [Q2], "version": 2.0, "support_qiskit": False, "options": None},
    ],
)
def test_sampler_top_level_accepted(params):
    assert check_top_level("sampler", params) is None


@pytest.mark.parametrize(
    "params",
    [
        {"pubs": [Q2]},
        {"pubs": [Q2], "resilience_level": 0, "precision": 0},
        {"pubs": [Q2], "resilience_level": 2, "precision": 0.5, "options": {"x": 1}},
        {"pubs": [Q2], "resilience_level": np.int64(1), "precision": None},
    ],
)
def test_estimator_top_level_accepted(params):
    assert check_top_level("estimator", params) is None


@pytest.mark.parametrize(
    ("program", "params", "message"),
    [
        (
            "sampler2",
            {"pubs": [Q2]},
            "Unknown program 'sampler2'; use one of ['sampler', 'estimator'].",
        ),
        ("sampler", [Q2], "'params' must be an object."),
        ("estimator", None, "'params' must be an object."),
        (
            "sampler",
            {"pubs": [Q2], "resilience_level": 1},
            "Unknown key(s) in params: ['resilience_level'] "
            "(Sampler V2 does not support resilience levels).",
        ),
        (
            "sampler",
            {"pubs": [Q2], "zeta": 1, "precision": 0.1, "alpha": 2},
            "Unknown key(s) in params: ['alpha', 'precision', 'zeta'].",
        ),
        ("estimator", {"pubs": [Q2], "shots": 10}, "Unknown key(s) in params: ['shots']."),
        ("sampler", {"pubs": [Q2], "version": 1}, "params.version must be 2, not 1."),
        ("sampler", {"pubs": [Q2], "version": 3}, "params.version must be 2, not 3."),
        ("sampler", {"pubs": [Q2], "version": None}, "params.version must be 2, not None."),
        ("sampler", {"pubs": [Q2], "version": "2"}, "params.version must be 2, not '2'."),
        ("estimator", {"pubs": [Q2], "version": True}, "params.version must be 2, not True."),
        (
            "sampler",
            {"pubs": [Q2], "support_qiskit": 1},
            "params.support_qiskit must be a boolean.",
        ),
        (
            "sampler",
            {"pubs": [Q2], "support_qiskit": None},
            "params.support_qiskit must be a boolean.",
        ),
        ("sampler", {"pubs": [Q2], "options": []}, "params.options must be an object."),
        ("estimator", {"pubs": [Q2], "options": "x"}, "params.options must be an object."),
        ("sampler", {}, "params.pubs must be a non-empty list of PUBs."),
        ("sampler", {"pubs": []}, "params.pubs must be a non-empty list of PUBs."),
        ("estimator", {"pubs": (Q2,)}, "params.pubs must be a non-empty list of PUBs."),
        ("sampler", {"pubs": Q2}, "params.pubs must be a non-empty list of PUBs."),
        (
            "estimator",
            {"pubs": [Q2], "resilience_level": 3},
            "params.resilience_level must be 0, 1 or 2, not 3.",
        ),
        (
            "estimator",
            {"pubs": [Q2], "resilience_level": -1},
            "params.resilience_level must be 0, 1 or 2, not -1.",
        ),
        (
            "estimator",
            {"pubs": [Q2], "resilience_level": True},
            "params.resilience_level must be 0, 1 or 2, not True.",
        ),
        (
            "estimator",
            {"pubs": [Q2], "resilience_level": 1.0},
            "params.resilience_level must be 0, 1 or 2, not 1.0.",
        ),
        (
            "estimator",
            {"pubs": [Q2], "resilience_level": None},
            "params.resilience_level must be 0, 1 or 2, not None.",
        ),
        (
            "estimator",
            {"pubs": [Q2], "precision": -0.5},
            "params.precision must be a number >= 0 (0 = exact), not -0.5.",
        ),
        ("sampler", {"pubs": [Q2], "shots": 0}, "params.shots must be an integer >= 1, not 0."),
        (
            "sampler",
            {"pubs": [Q2], "shots": 10_000_001},
            "params.shots = 10000001 exceeds the limit of 10,000,000 shots.",
        ),
    ],
)
def test_top_level_refusals(program, params, message):
    assert refusal(check_top_level, program, params) == message


def test_the_refusals_come_in_order():
    # Several things wrong: the first check that fails names it.
    bad = {"pubs": [], "version": 3, "support_qiskit": 1, "options": [], "resilience_level": 7}
    assert refusal(check_top_level, "estimator", bad) == "params.version must be 2, not 3."
    del bad["version"]
    assert refusal(check_top_level, "estimator", bad) == "params.support_qiskit must be a boolean."
    del bad["support_qiskit"]
    assert refusal(check_top_level, "estimator", bad) == "params.options must be an object."
    del bad["options"]
    assert (
        refusal(check_top_level, "estimator", bad)
        == "params.pubs must be a non-empty list of PUBs."
    )
    bad["pubs"] = [Q2]
    assert (
        refusal(check_top_level, "estimator", bad)
        == "params.resilience_level must be 0, 1 or 2, not 7."
    )


# -------------------------------------------------------------------- precision and shots


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0, 0.0), (1, 1.0), (0.25, 0.25)])
def test_precision_accepted(value, expected):
    out = _check_precision(value, "here")
    assert out == expected
    assert out is None or type(out) is float


@pytest.mark.parametrize(
    "value", [-1, -1e-9, math.nan, math.inf, -math.inf, "0.1", True, [0.1], np.float64("nan")]
)
def test_precision_refused(value):
    assert (
        refusal(_check_precision, value, "PUB 3: precision")
        == f"PUB 3: precision must be a number >= 0 (0 = exact), not {value!r}."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (1, 1), (100.0, 100), (np.int64(7), 7), (10_000_000, 10_000_000)],
)
def test_shots_accepted(value, expected):
    out = _check_shots(value, "here")
    assert out == expected
    assert out is None or type(out) is int


@pytest.mark.parametrize("value", [0, -3, 2.5, True, False, "10", math.nan, [5]])
def test_shots_refused(value):
    assert (
        refusal(_check_shots, value, "PUB 1: shots")
        == f"PUB 1: shots must be an integer >= 1, not {value!r}."
    )


def test_integral_float_shots_are_named_as_integers():
    assert refusal(_check_shots, -2.0, "shots") == "shots must be an integer >= 1, not -2."


@pytest.mark.parametrize(("value", "shown"), [(10_000_001, "10000001"), (2e7, "20000000")])
def test_shots_over_the_limit(value, shown):
    assert (
        refusal(_check_shots, value, "params.shots")
        == f"params.shots = {shown} exceeds the limit of 10,000,000 shots."
    )


# ---------------------------------------------------------------------------- observables


def test_observables_normalised():
    out = _check_observables(["ZZ", {"XX": 0.5, "YY": -1}], 2, "PUB 0")
    assert out.shape == (2,)
    assert out.dtype == object
    assert out.tolist() == [{"ZZ": 1.0}, {"XX": 0.5, "YY": -1.0}]


def test_observables_of_any_width_when_the_circuit_width_is_unknown():
    out = _check_observables([["Z"], ["ZZZZ"]], None, "PUB 0", 2)
    assert out.shape == (2, 1)
    assert out.tolist() == [[{"Z": 1.0}], [{"ZZZZ": 1.0}]]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "PUB 2: an estimator PUB needs observables."),
        ({}, "PUB 2: an observable has no terms."),
        (["ZZ", {}], "PUB 2: an observable has no terms."),
        ({"": 1.0}, "PUB 2: Pauli label '' must use only I, X, Y, Z."),
        ({"ZA": 1.0}, "PUB 2: Pauli label 'ZA' must use only I, X, Y, Z."),
        (["ZZ", "zz"], "PUB 2: Pauli label 'zz' must use only I, X, Y, Z."),
        ({"Z" * 45 + "Q": 1.0}, f"PUB 2: Pauli label {'Z' * 40!r} must use only I, X, Y, Z."),
        ({"XX": math.nan}, "PUB 2: coefficient of 'XX' is not finite."),
        ({"ZZ": 1.0, "XX": -math.inf}, "PUB 2: coefficient of 'XX' is not finite."),
        ({"X" * 50: math.inf}, f"PUB 2: coefficient of {'X' * 40!r} is not finite."),
        ({"ZZ": 1.0, "Z": 1.0}, "PUB 2: the Pauli labels of one observable differ in length."),
        ("ZZZ", "PUB 2: observable 'ZZZ' has 3 qubits but the circuit has 2."),
        (["ZZ", "Z"], "PUB 2: observable 'Z' has 1 qubits but the circuit has 2."),
        ({"I" * 50: 1.0}, f"PUB 2: observable {'I' * 40!r} has 50 qubits but the circuit has 2."),
    ],
)
def test_observables_refused(raw, message):
    assert refusal(_check_observables, raw, 2, "PUB 2") == message


@pytest.mark.parametrize("width", [2, 3, 5])
def test_wide_observables_up_to_the_device(width):
    out = _check_observables(["I" * width, "Z" * width], 2, "PUB 0", 5)
    assert out.tolist() == [{"I" * width: 1.0}, {"Z" * width: 1.0}]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Z", "PUB 0: observable 'Z' has 1 qubits but the circuit has 2."),
        ("ZZZZZZ", "PUB 0: observable 'ZZZZZZ' has 6 qubits but the circuit has 2."),
        (["ZZZ", "ZZZZZZ"], "PUB 0: observable 'ZZZZZZ' has 6 qubits but the circuit has 2."),
    ],
)
def test_wide_observables_past_the_device_refused(raw, message):
    assert refusal(_check_observables, raw, 2, "PUB 0", 5) == message


def test_wide_observables_need_a_device_width():
    assert (
        refusal(_check_observables, "ZZZ", 2, "PUB 0", None)
        == "PUB 0: observable 'ZZZ' has 3 qubits but the circuit has 2."
    )


# ---------------------------------------------------------------------------------- QPY


def qpy_value(*circuits: QuantumCircuit) -> str:
    buffer = io.BytesIO()
    qpy.dump(list(circuits), buffer)
    return base64.b64encode(zlib.compress(buffer.getvalue())).decode()


def bell() -> QuantumCircuit:
    qc = QuantumCircuit(2, 2, name="bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


@pytest.mark.parametrize(
    "pub", [Q2, [], [Q2, None, 10], ({"__type__": "ndarray"}, 1), [{"x": 1}], 5, None]
)
def test_non_qpy_pubs_pass_through(pub):
    assert _qpy_to_qasm(pub) is pub


def test_qpy_pub_becomes_the_keyed_by_name_export():
    out = _qpy_to_qasm([{"__type__": "QuantumCircuit", "__value__": qpy_value(bell())}, None, 7])
    expected = export_circuit(bell(), header_extra={"keyed_by_name": True}).qasm
    assert out == [expected, None, 7]
    assert read_header(out[0])["keyed_by_name"] is True
    alone = _qpy_to_qasm(({"__type__": "QuantumCircuit", "__value__": qpy_value(bell())},))
    assert alone == [expected]


def test_qpy_with_two_circuits_refused():
    pub = [{"__type__": "QuantumCircuit", "__value__": qpy_value(bell(), bell())}]
    with pytest.raises(DecodeError) as caught:
        _qpy_to_qasm(pub)
    assert str(caught.value) == "A QPY circuit must hold exactly one circuit, not 2."


@pytest.mark.parametrize(
    "value",
    [
        None,
        "!!!!",
        base64.b64encode(b"junk").decode(),
        base64.b64encode(zlib.compress(b"junk")).decode(),
    ],
)
def test_unreadable_qpy_refused(value):
    with pytest.raises(DecodeError) as caught:
        _qpy_to_qasm([{"__type__": "QuantumCircuit", "__value__": value}])
    assert str(caught.value).startswith("The QPY circuit cannot be read: ")
    assert isinstance(caught.value.__cause__, Exception)


def test_a_qpy_pub_without_a_value_is_an_empty_stream():
    with pytest.raises(DecodeError) as caught:
        _qpy_to_qasm([{"__type__": "QuantumCircuit"}])
    assert str(caught.value) == (
        "The QPY circuit cannot be read: Error -5 while decompressing data: incomplete or "
        "truncated stream"
    )


def test_qpy_base64_is_read_strictly():
    # Non-alphabet characters are an error, not skipped.
    good = qpy_value(bell())
    with pytest.raises(DecodeError) as caught:
        _qpy_to_qasm([{"__type__": "QuantumCircuit", "__value__": good[:8] + "!" + good[8:]}])
    assert str(caught.value).startswith("The QPY circuit cannot be read: ")


def test_qpy_circuit_the_exporter_refuses(monkeypatch):
    def refuse(circuit, header_extra=None):
        raise EncodeError("Circuit 'bell' cannot be written as OpenQASM 3: no.")

    monkeypatch.setattr(inputs, "export_circuit", refuse)
    with pytest.raises(DecodeError) as caught:
        _qpy_to_qasm([{"__type__": "QuantumCircuit", "__value__": qpy_value(bell())}])
    assert str(caught.value) == "Circuit 'bell' cannot be written as OpenQASM 3: no."
    assert isinstance(caught.value.__cause__, EncodeError)


# ------------------------------------------------------------------------------ parse_pubs


def test_sampler_pubs():
    tasks = parse_pubs("sampler", {"pubs": [Q2, [P1, [[0.5], [1.5]], 30]]}, 2)
    assert len(tasks) == 2
    first, second = tasks
    assert first == PubTask(0, Q2, [], first.values, None, None, None, (), False)
    assert first.values.shape == (0,)
    assert first.bindings_shape == ()
    assert second.index == 1
    assert second.qasm == P1
    assert second.names == ["a"]
    assert second.values.tolist() == [[0.5], [1.5]]
    assert second.values.dtype == np.float64
    assert (second.observables, second.shots, second.precision) == (None, 30, None)
    assert second.shape == (2,)
    assert type(second.shape) is tuple
    assert second.bindings_shape == (2,)
    assert second.physical is False


def test_estimator_pubs():
    params = {
        "pubs": [
            [Q2, [["ZZ"], ["XX"]], None, 0.25],
            [P1, "Z", [[0.1], [0.2], [0.3]]],
            [P1, [["Z"], ["X"]], {"a": [0.1, 0.2, 0.3]}],
        ]
    }
    first, second, third = parse_pubs("estimator", params, 3)
    assert first.index == 0
    assert first.observables.tolist() == [[{"ZZ": 1.0}], [{"XX": 1.0}]]
    assert (first.shots, first.precision, first.shape, first.physical) == (
        None,
        0.25,
        (2, 1),
        False,
    )
    assert second.index == 1
    assert second.precision is None
    assert second.shape == (3,)
    assert second.values.tolist() == [[0.1], [0.2], [0.3]]
    assert third.index == 2
    assert third.shape == (2, 3)
    assert type(third.shape) is tuple
    assert third.values.tolist() == [[0.1], [0.2], [0.3]]


def test_physical_circuits_span_the_device_for_the_estimator_only():
    (task,) = parse_pubs("estimator", {"pubs": [[PHYS, "ZZZZ"]]}, 4)
    assert task.physical is True
    assert task.observables.shape == ()
    assert task.observables.item() == {"ZZZZ": 1.0}
    (narrow,) = parse_pubs("estimator", {"pubs": [[PHYS, "ZZ"]]}, 4)
    assert narrow.physical is True
    assert (
        refusal(parse_pubs, "estimator", {"pubs": [[PHYS, "ZZZZZ"]]}, 4)
        == "PUB 0: observable 'ZZZZZ' has 5 qubits but the circuit has 2."
    )
    (sampled,) = parse_pubs("sampler", {"pubs": [PHYS]}, 4)
    assert sampled.physical is False
    # A declared register is not device-wide.
    assert (
        refusal(parse_pubs, "estimator", {"pubs": [[Q2, "ZZZ"]]}, 4)
        == "PUB 0: observable 'ZZZ' has 3 qubits but the circuit has 2."
    )


def test_circuit_as_wide_as_the_backend_accepted():
    assert parse_pubs("sampler", {"pubs": [Q2]}, 2)[0].qasm == Q2


@pytest.mark.parametrize(
    ("program", "pubs", "message"),
    [
        ("sampler", [Q2, "  \n "], "PUB 1: the OpenQASM circuit is empty."),
        (
            "sampler",
            [Q2, Q2, 5],
            "PUB 2: A PUB must be a list whose first item is an OpenQASM 3 string.",
        ),
        (
            "sampler",
            ["OPENQASM 3.0;\nqubit[3] q;\n"],
            "PUB 0: the circuit has 3 qubits but the backend has 2.",
        ),
        (
            "estimator",
            [[PHYS.replace("$1", "$2"), "ZZZ"]],
            "PUB 0: the circuit has 3 qubits but the backend has 2.",
        ),
        (
            "sampler",
            ['OPENQASM 3.0;\ninclude "evil.inc";\nqubit[1] q;\n'],
            "PUB 0: Line 2: only 'include \"stdgates.inc\";' is allowed; other includes are "
            "refused: 'include \"evil.inc\";'",
        ),
        ("sampler", [[P1, [[math.nan]]]], "PUB 0: parameter values must be finite numbers."),
        ("estimator", [[P1, "Z", [math.inf]]], "PUB 0: parameter values must be finite numbers."),
        (
            "sampler",
            [[P1]],
            "PUB 0: The circuit has 1 parameters but no values were given.",
        ),
        (
            "estimator",
            [[Q2, "ZZ", None, -1]],
            "PUB 0: precision must be a number >= 0 (0 = exact), not -1.",
        ),
        ("sampler", [[Q2, None, 0]], "PUB 0: shots must be an integer >= 1, not 0."),
        (
            "estimator",
            [[Q2]],
            "PUB 0: An estimator PUB is [circuit, observables, values?, precision?].",
        ),
        ("estimator", [[Q2, None]], "PUB 0: an estimator PUB needs observables."),
        (
            "estimator",
            [[P1, ["Z", "X"], [[0.1], [0.2], [0.3]]]],
            "PUB 0: observables of shape (2,) and parameter values of shape (3,) do not broadcast.",
        ),
        (
            "estimator",
            [[Q2, {"ZZ": None}]],
            "PUB 0: float() argument must be a string or a real number, not 'NoneType'",
        ),
        (
            "estimator",
            [[Q2, {"ZZ": "one"}]],
            "PUB 0: could not convert string to float: 'one'",
        ),
    ],
)
def test_pub_refusals(program, pubs, message):
    assert refusal(parse_pubs, program, {"pubs": pubs}, 2) == message


def test_broadcast_refusal_names_the_whole_bindings_shape():
    values = [[[0.1], [0.2], [0.3]]] * 2
    assert (
        refusal(parse_pubs, "estimator", {"pubs": [[P1, ["Z", "X", "Y", "I"], values]]}, 2)
        == "PUB 0: observables of shape (4,) and parameter values of shape (2, 3) do not "
        "broadcast."
    )


def test_refusals_chain_the_cause():
    with pytest.raises(JobInputError) as caught:
        parse_pubs("sampler", {"pubs": [5]}, 2)
    assert isinstance(caught.value.__cause__, DecodeError)
    with pytest.raises(JobInputError) as caught:
        parse_pubs("estimator", {"pubs": [[P1, ["Z", "X"], [[0.1], [0.2], [0.3]]]]}, 2)
    assert isinstance(caught.value.__cause__, ValueError)


def test_parameter_values_bound_by_name():
    two = "OPENQASM 3.0;\ninput float[64] b;\ninput float[64] a;\nqubit[1] q;\nrx(a+b) q[0];\n"
    (task,) = parse_pubs("sampler", {"pubs": [[two, {"a": [1.0, 2.0], "b": 3.0}]]}, 2)
    assert task.names == ["b", "a"]
    assert task.values.tolist() == [[3.0, 1.0], [3.0, 2.0]]
    assert task.shape == (2,)


def test_qpy_pub_parsed_as_its_export():
    theta = Parameter("theta")
    qc = QuantumCircuit(1, 1)
    qc.rx(theta, 0)
    qc.measure(0, 0)
    (task,) = parse_pubs(
        "sampler",
        {"pubs": [[{"__type__": "QuantumCircuit", "__value__": qpy_value(qc)}, [[0.5]], 9]]},
        2,
    )
    assert task.qasm == export_circuit(qc, header_extra={"keyed_by_name": True}).qasm
    assert task.values.tolist() == [[0.5]]
    assert task.shots == 9
