"""Malformed server answers fed to every decoder: only the package's errors come out.

Results (plain and tagged, with and without PUB specs), tagged leaves and ndarrays, job
objects and statuses, backend configuration/properties -> ``Target``. Each example either
decodes or raises a ``QiskitRestError`` (a ``DecodeError`` here); a ``KeyError``,
``AttributeError``, ``ValueError`` ... escaping is a bug.
"""

from __future__ import annotations

import base64
import io
import json
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from qiskit.primitives import PrimitiveResult
from qiskit.transpiler import Target

from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.codec.status import JobState, check_job, state_from_job
from qiskit_rest_provider.codec.tagged import decode_ndarray, untag
from qiskit_rest_provider.codec.target import target_from_json
from qiskit_rest_provider.exceptions import DecodeError, InvalidResponseError

from .strategies import FUZZ

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, 2, 3, 4, -1, 2**31, 1e9, 10**7]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["0x0", "0x3", "0xff", "0x", "3", "0xg", "Completed", "Running", "ndarray"]),
)
JSON = st.recursive(
    LEAVES,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=20,
)


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(zlib.compress(buffer.getvalue())).decode()


NDARRAY_PAYLOADS = st.one_of(
    JSON,
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()),
    st.binary(max_size=40).map(lambda b: base64.b64encode(zlib.compress(b)).decode()),
    st.sampled_from(
        [
            _npy(np.zeros((4, 1), dtype=np.uint8)),
            _npy(np.zeros((3, 1), dtype=np.uint8)),
            _npy(np.array([1.5, -2.0])),
            _npy(np.zeros((2, 2), dtype=np.int64) + 300),
            _npy(np.array(["a", "b"])),
        ]
    ),
)
NDARRAYS = NDARRAY_PAYLOADS.map(lambda v: {"__type__": "ndarray", "__value__": v})
FIELD_VALUES = st.one_of(JSON, NDARRAYS)
REGISTERS = st.fixed_dictionaries(
    {},
    optional={
        "samples": st.one_of(
            JSON, st.lists(st.sampled_from(["0x0", "0x1", "0x3", "0x7", "0x", "1"]), max_size=6)
        ),
        "num_bits": LEAVES,
    },
)
PLAIN = st.fixed_dictionaries(
    {
        "results": st.one_of(
            JSON,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "data": st.one_of(
                            JSON, st.dictionaries(st.sampled_from(["c", "evs", "stds"]), REGISTERS)
                        ),
                        "metadata": JSON,
                    },
                ),
                max_size=3,
            ),
        )
    },
    optional={"metadata": JSON},
)
BIT_ARRAYS = st.fixed_dictionaries(
    {"__type__": st.just("BitArray")},
    optional={
        "__value__": st.one_of(
            JSON,
            st.fixed_dictionaries({}, optional={"array": FIELD_VALUES, "num_bits": LEAVES}),
        )
    },
)
DATA_BINS = st.fixed_dictionaries(
    {"__type__": st.just("DataBin")},
    optional={
        "__value__": st.fixed_dictionaries(
            {},
            optional={
                "fields": st.one_of(
                    JSON,
                    st.dictionaries(
                        st.sampled_from(["c", "evs", "stds"]), st.one_of(BIT_ARRAYS, FIELD_VALUES)
                    ),
                ),
                "shape": JSON,
            },
        )
    },
)
TAGGED = st.fixed_dictionaries(
    {
        "__type__": st.just("PrimitiveResult"),
        "__value__": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {},
                optional={
                    "pub_results": st.one_of(
                        JSON,
                        st.lists(
                            st.fixed_dictionaries(
                                {"__type__": st.sampled_from(["SamplerPubResult", "PubResult"])},
                                optional={
                                    "__value__": st.one_of(
                                        JSON,
                                        st.fixed_dictionaries(
                                            {}, optional={"data": DATA_BINS, "metadata": JSON}
                                        ),
                                    )
                                },
                            ),
                            max_size=2,
                        ),
                    ),
                    "metadata": JSON,
                },
            ),
        ),
    }
)
C2 = (CregSpec("c", "c", 2),)
SPECS = st.sampled_from(
    [
        [],
        [PubSpec(shape=(), cregs=C2, shots=4)],
        [PubSpec(shape=(2,), cregs=C2, shots=3)],
        [PubSpec(shape=(), cregs=C2, shots=None)],
        [PubSpec(shape=(2,), precision=0.1)],
        [PubSpec(shape=()), PubSpec(shape=())],
    ]
)
BODIES = st.one_of(
    PLAIN,
    TAGGED,
    JSON,
    PLAIN.map(lambda b: json.dumps(b).encode()),  # NaN/Infinity as the JSON text says them
    TAGGED.map(lambda b: json.dumps(b)),
    st.binary(max_size=60),
    st.text(max_size=60),
)


@FUZZ
@given(body=BODIES, program=st.sampled_from(["sampler", "estimator"]), specs=SPECS)
def test_results_decode_or_raise_decode_error(body, program, specs):
    try:
        result = decode_result(body, program, specs)
    except DecodeError:
        return
    assert isinstance(result, PrimitiveResult)


@FUZZ
@given(obj=st.one_of(JSON, NDARRAYS, st.dictionaries(st.just("__type__"), LEAVES)))
def test_untag_decodes_or_raises_decode_error(obj):
    try:
        untag(obj)
        untag({"__type__": "datetime", "__value__": obj})
        untag({"__type__": "complex", "__value__": obj})
        untag({"__type__": "set", "__value__": obj})
    except DecodeError:
        pass


@FUZZ
@given(value=NDARRAY_PAYLOADS)
def test_ndarrays_decode_or_raise_decode_error(value):
    try:
        assert isinstance(decode_ndarray(value), np.ndarray)
    except DecodeError:
        pass


JOBS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("id", "state", "status", "tags", "backend", "params", "session_id"), JSON
        ),
    ),
    st.fixed_dictionaries(
        {"state": st.fixed_dictionaries({}, optional={"status": LEAVES, "reason": LEAVES})}
    ),
)


@FUZZ
@given(job=JOBS)
def test_job_objects_map_to_a_state_or_raise_invalid_response(job):
    try:
        check_job(job)
        state = state_from_job(job)
    except InvalidResponseError:
        return
    assert isinstance(state, JobState)


CONFIG_KEYS = (
    "n_qubits",
    "num_qubits",
    "basis_gates",
    "coupling_map",
    "gates",
    "simulator",
    "dt",
    "timing_constraints",
    "supported_instructions",
)
SMALL_INTS = st.integers(-2, 6)
CONFIG_VALUES = st.one_of(
    JSON,
    SMALL_INTS,
    st.lists(st.sampled_from(["h", "cx", "rz", "measure", "rzz", "if_else", "no", 3]), max_size=5),
    st.lists(st.lists(SMALL_INTS, max_size=3), max_size=4),
    st.lists(
        st.fixed_dictionaries({}, optional={"name": LEAVES, "coupling_map": JSON}), max_size=3
    ),
)
PROPERTIES = st.one_of(
    st.none(),
    JSON,
    st.fixed_dictionaries(
        {},
        optional={
            "qubits": st.lists(
                st.lists(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "name": st.sampled_from(["T1", "operational", "readout_error", "x"]),
                            "value": LEAVES,
                            "unit": st.sampled_from(["us", "ns", "", "GHz", "?"]),
                        },
                    ),
                    max_size=3,
                )
                | JSON,
                max_size=4,
            ),
            "gates": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "gate": st.sampled_from(["cx", "x", "measure", "nope"]) | LEAVES,
                        "qubits": st.lists(SMALL_INTS, max_size=3) | JSON,
                        "parameters": JSON,
                    },
                ),
                max_size=3,
            )
            | JSON,
        },
    ),
)


@FUZZ
@given(
    configuration=st.one_of(
        JSON, st.fixed_dictionaries({}, optional=dict.fromkeys(CONFIG_KEYS, CONFIG_VALUES))
    ),
    properties=PROPERTIES,
)
def test_backend_json_builds_a_target_or_raises_decode_error(configuration, properties):
    try:
        target = target_from_json(configuration, properties)
    except DecodeError:
        return
    assert isinstance(target, Target)


@pytest.mark.parametrize(
    "configuration",
    [{"n_qubits": 10**9}, {"n_qubits": float("nan")}, {"n_qubits": "5"}, {"n_qubits": True}],
)
def test_an_absurd_qubit_count_is_refused_before_building(configuration):
    with pytest.raises(DecodeError, match="n_qubits"):
        target_from_json({"basis_gates": ["x"], **configuration})


def test_all_pairs_of_a_huge_device_are_refused():
    properties = {"qubits": [[{"name": "operational", "value": 0}]]}
    with pytest.raises(DecodeError, match="every qubit pair"):
        target_from_json({"n_qubits": 5000, "basis_gates": ["cx"]}, properties)


def test_a_spurious_ast_error_is_retried_on_a_fresh_stream(monkeypatch):
    from qiskit_rest_provider.codec.tagged import encode_ndarray

    real, calls = np.load, []

    def flaky(file, **kwargs):
        calls.append(file)
        if len(calls) == 1:
            file.read(20)  # the header was half read when CPython 3.11's AST bug struck
            raise SystemError("AST constructor recursion depth mismatch")
        return real(file, **kwargs)

    monkeypatch.setattr(np, "load", flaky)
    # (numeric arrays take codec.npy's reader, which needs no ast: force np.load's path)
    from qiskit_rest_provider.codec import tagged

    monkeypatch.setattr(tagged, "read_simple_npy", lambda raw: None)
    array = decode_ndarray(encode_ndarray(np.arange(3.0))["__value__"])
    assert array.tolist() == [0.0, 1.0, 2.0]
    assert len(calls) == 2 and calls[0] is not calls[1]
