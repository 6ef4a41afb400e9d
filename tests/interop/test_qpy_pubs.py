"""The emulator accepts PUBs whose circuit is QPY, the form qiskit-ibm-runtime sends.

These tests build the QPY wire form by hand (as ``RuntimeEncoder`` does: base64 of zlib of one
``qpy.dump``), so they run without qiskit-ibm-runtime installed.
"""

from __future__ import annotations

import base64
import io
import zlib

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qpy
from qiskit.circuit import Parameter
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec.tagged import encode_ndarray, untag
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import run_job, validate_job
from qiskit_rest_provider.emulator.engine.errors import JobInputError


def qpy_wire(*circuits: QuantumCircuit) -> dict:
    buffer = io.BytesIO()
    qpy.dump(list(circuits), buffer, version=min(17, qpy.QPY_VERSION))
    return {
        "__type__": "QuantumCircuit",
        "__value__": base64.b64encode(zlib.compress(buffer.getvalue())).decode(),
    }


@pytest.fixture(scope="module")
def sim():
    return default_backends()["ibmq_qasm_simulator"]


def _fields(result: dict, index: int = 0) -> dict:
    """``{field: value}`` of one PUB of a tagged result (BitArrays as ``(array, num_bits)``)."""
    pub = untag(result)["__value__"]["pub_results"][index]["__value__"]
    fields = pub["data"]["__value__"]["fields"]
    out = {}
    for name, value in fields.items():
        if isinstance(value, dict) and value.get("__type__") == "BitArray":
            out[name] = BitArray(value["__value__"]["array"], value["__value__"]["num_bits"])
        else:
            out[name] = value
    return {"fields": out, "metadata": pub["metadata"]}


def _run(sim, program, pubs, **params):
    body = {"pubs": pubs, "version": 2, **params}
    validate_job(program, body, sim)
    return run_job(program, body, sim, seed=5)


def test_qpy_sampler_keeps_register_names_order_and_metadata(sim):
    qr = QuantumRegister(3, "q")
    first, second = ClassicalRegister(1, "zeta"), ClassicalRegister(2, "alpha")
    qc = QuantumCircuit(qr, first, second, metadata={"tag": "qpy"})
    qc.x(0)
    qc.measure(0, second[1])  # alpha = 10
    qc.measure(1, first[0])  # zeta = 0
    values = encode_ndarray(np.zeros((0,)))
    pub = _fields(_run(sim, "sampler", [[qpy_wire(qc), values, 7]], support_qiskit=True))
    assert list(pub["fields"]) == ["zeta", "alpha"]
    assert pub["fields"]["alpha"].get_counts() == {"10": 7}
    assert pub["fields"]["zeta"].get_counts() == {"0": 7}
    assert pub["metadata"]["circuit_metadata"] == {"tag": "qpy"}


def test_qpy_overlapping_registers_come_back_per_register(sim):
    c = ClassicalRegister(3, "c")
    d = ClassicalRegister(bits=[c[2], c[0]], name="d")
    e = ClassicalRegister(1, "e")
    f = ClassicalRegister(bits=[e[0], c[1]], name="f")
    qc = QuantumCircuit(QuantumRegister(4, "q"), c, d, e, f)
    qc.x([0, 3])
    qc.measure([0, 1, 2, 3], [c[0], c[1], c[2], e[0]])  # c = 001, e = 1
    pub = _fields(_run(sim, "sampler", [[qpy_wire(qc), None, 4]], support_qiskit=True))
    buffer = io.BytesIO()
    qpy.dump(qc, buffer)
    buffer.seek(0)
    loaded = qpy.load(buffer)[0]  # QPY lists registers that own their bits first
    assert list(pub["fields"]) == [creg.name for creg in loaded.cregs] == ["c", "e", "d", "f"]
    counts = {name: bits.get_counts() for name, bits in pub["fields"].items()}
    assert counts == {"c": {"001": 4}, "d": {"10": 4}, "e": {"1": 4}, "f": {"01": 4}}


def test_qpy_register_named_like_a_keyword_keeps_its_name(sim):
    qc = QuantumCircuit(QuantumRegister(1, "q"), ClassicalRegister(1, "if"))
    qc.measure(0, 0)
    pub = _fields(_run(sim, "sampler", [[qpy_wire(qc), None, 3]], support_qiskit=True))
    assert list(pub["fields"]) == ["if"]


def test_qpy_parameters_bind_in_circuit_parameters_order(sim):
    # Names that sort differently by plain and natural order: values follow circuit.parameters.
    a, b = Parameter("x[10]"), Parameter("x[9]")
    qc = QuantumCircuit(2)
    qc.ry(a, 0)
    qc.ry(b, 1)
    order = list(qc.parameters)
    values = np.array([[np.pi if p == a else 0.0 for p in order]])  # a = pi, b = 0
    pubs = [[qpy_wire(qc), {"IZ": 1.0, "ZI": 1.0}, encode_ndarray(values), 0.0]]
    evs = _fields(_run(sim, "estimator", pubs, support_qiskit=True))["fields"]["evs"]
    # qubit 0 flipped (IZ -> -1), qubit 1 untouched (ZI -> +1)
    np.testing.assert_allclose(np.reshape(evs, -1), [0.0], atol=1e-12)
    pubs[0][1] = {"IZ": 1.0}
    assert _run(sim, "estimator", pubs)["results"][0]["data"]["evs"] == [pytest.approx(-1.0)]


def test_qpy_plain_results(sim):
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    result = _run(sim, "sampler", [[qpy_wire(qc), None, 20]])
    counts = result["results"][0]["data"]["meas"]
    assert counts["num_bits"] == 2 and set(counts["samples"]) <= {"0x0", "0x3"}


@pytest.mark.parametrize(
    "circuit",
    [
        {"__type__": "QuantumCircuit", "__value__": "not base64!"},
        {"__type__": "QuantumCircuit", "__value__": base64.b64encode(b"junk").decode()},
        {"__type__": "QuantumCircuit", "__value__": 17},
        "two",
    ],
)
def test_bad_qpy_is_a_job_input_error(sim, circuit):
    if circuit == "two":
        circuit = qpy_wire(QuantumCircuit(1), QuantumCircuit(1))
    with pytest.raises(JobInputError, match="PUB 0"):
        validate_job("sampler", {"pubs": [[circuit, None, 10]]}, sim)
