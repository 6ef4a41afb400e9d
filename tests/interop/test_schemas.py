"""Our wire formats against IBM's own models, ``ibm-quantum-schemas`` (pydantic).

* Results the emulator returns with ``support_qiskit: true`` validate against
  ``ibm_quantum_schemas.{sampler,estimator}.version_0_1.PrimitiveResultWrapperModel``, and are
  consistent beyond what the schema checks (field lists, array shapes, execution spans).
* Request ``params`` our client sends (read back with ``GET /jobs/{id}?exclude_params=false``,
  which returns them as stored) validate against the ``ParamsModel`` of each program.

The schemas describe the *normalised* form the official client sends; they are stricter than
the service's entry point (research runtime-rest-api.md §0.5). The known gaps are tested
explicitly below rather than skipped. Plain results (``support_qiskit`` false) are not covered:
the installed package has no model for them (the old JSON schemas were removed upstream).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import requests
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

pytest.importorskip("ibm_quantum_schemas")

from ibm_quantum_schemas.estimator import version_0_1 as estimator_schema  # noqa: E402
from ibm_quantum_schemas.sampler import version_0_1 as sampler_schema  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from qiskit_rest_provider import (  # noqa: E402
    EstimatorOptions,
    EstimatorV2,
    RuntimeService,
    SamplerOptions,
    SamplerV2,
)
from qiskit_rest_provider.codec.circuits import export_circuit  # noqa: E402
from qiskit_rest_provider.codec.tagged import decode_ndarray  # noqa: E402

pytestmark = [
    pytest.mark.timeout(60),
]

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/interop:schemas::"
API_KEY = "schemas-api-key"
BITARRAY_TYPE = "<class 'qiskit.primitives.containers.bit_array.BitArray'>"


class Raw:
    """Direct HTTP access to the emulator, to read params and results exactly as served."""

    def __init__(self, url: str) -> None:
        self.url = url
        token = requests.post(
            url + "/identity/token",
            data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": API_KEY},
            timeout=10,
        ).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "Service-CRN": CRN}

    def get(self, path: str, **params) -> requests.Response:
        response = requests.get(
            f"{self.url}/api/v1{path}", headers=self.headers, params=params, timeout=10
        )
        response.raise_for_status()
        return response

    def post_job(self, program: str, backend: str, params: dict) -> str:
        body = {"program_id": program, "backend": backend, "params": params}
        response = requests.post(
            f"{self.url}/api/v1/jobs", headers=self.headers, json=body, timeout=10
        )
        response.raise_for_status()
        return response.json()["id"]

    def params(self, job_id: str) -> dict:
        return self.get(f"/jobs/{job_id}", exclude_params="false").json()["params"]

    def result(self, job_id: str) -> dict:
        return json.loads(self.get(f"/jobs/{job_id}/results").text)


@pytest.fixture(scope="module")
def server():
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=99) as emu:
        yield emu


@pytest.fixture(scope="module")
def raw(server):
    return Raw(server.url)


@pytest.fixture(scope="module")
def service(server):
    return RuntimeService(token=API_KEY, url=server.url, instance=CRN)


@pytest.fixture(scope="module")
def device(service):
    names = {b.name for b in service.backends()}
    for name in ("ibm_torino", "ibm_brisbane"):
        if name in names:
            return service.backend(name)
    pytest.skip("no device backend in the emulator's catalogue")


def _run(raw, job):
    job.result(timeout=60)
    return raw.params(job.job_id()), raw.result(job.job_id())


# --------------------------------------------------------------------------- circuits


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _registers() -> QuantumCircuit:
    """Three registers (one of 9 bits: two bytes per shot) and a parameter."""
    theta = Parameter("θ")
    regs = [ClassicalRegister(1, "alpha"), ClassicalRegister(9, "wide"), ClassicalRegister(2, "c")]
    qc = QuantumCircuit(QuantumRegister(4), *regs)
    qc.rx(theta, 0)
    qc.x(3)
    qc.measure(0, regs[0][0])
    qc.measure([3] * 9, list(regs[1]))
    qc.measure([1, 2], list(regs[2]))
    return qc


def _ansatz() -> QuantumCircuit:
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.ry(a, 0)
    qc.rz(b, 1)
    qc.cx(0, 1)
    return qc


# --------------------------------------------------------------------------- consistency


def _check_sampler_result(result: dict, pubs: list[tuple[tuple[int, ...], int]]) -> None:
    """Schema validation plus what the schema does not check; ``pubs`` = [(shape, shots)]."""
    sampler_schema.PrimitiveResultWrapperModel.model_validate(result)
    value = result["__value__"]
    assert len(value["pub_results"]) == len(pubs)
    for pub_result, (shape, shots) in zip(value["pub_results"], pubs):
        data = pub_result["__value__"]["data"]["__value__"]
        assert tuple(data["shape"]) == shape
        assert data["field_names"] == list(data["fields"])
        assert data["field_types"] == [BITARRAY_TYPE] * len(data["field_names"])
        for field in data["fields"].values():
            bits = field["__value__"]
            array = decode_ndarray(bits["array"]["__value__"])
            assert array.dtype == np.uint8
            assert array.shape == (*shape, shots, math.ceil(bits["num_bits"] / 8))
    spans = value["metadata"]["execution"]["execution_spans"]["__value__"]["spans"]
    slices = {}
    for span in spans:
        slices.update(span["__value__"]["data_slices"])
    assert sorted(int(k) for k in slices) == list(range(len(pubs)))
    for index, (shape, shots) in enumerate(pubs):
        full_shape, arg_start, arg_stop, shot_start, shot_stop = slices[str(index)]
        assert full_shape == [*shape, shots]
        assert (arg_start, arg_stop, shot_start, shot_stop) == (0, math.prod(shape), 0, shots)


def _check_estimator_result(result: dict, shapes: list[tuple[int, ...]]) -> None:
    estimator_schema.PrimitiveResultWrapperModel.model_validate(result)
    value = result["__value__"]
    assert len(value["pub_results"]) == len(shapes)
    for pub_result, shape in zip(value["pub_results"], shapes):
        assert pub_result["__type__"] == "PubResult"
        data = pub_result["__value__"]["data"]["__value__"]
        assert tuple(data["shape"]) == shape
        assert data["field_names"] == list(data["fields"])
        assert data["field_types"] == ["ndarray"] * len(data["field_names"])
        for name in ("evs", "stds"):
            array = decode_ndarray(data["fields"][name]["__value__"])
            # exact shape: see test_zero_d_estimator_fields_keep_their_shape for 0-d PUBs
            assert array.size == math.prod(shape)
            if shape:
                assert array.shape == shape


# --------------------------------------------------------------------------- sampler


# (options, shots each PUB runs with): with both num_randomizations and shots_per_randomization
# set, the service runs their product, not the PUB's shots (research §3.4, twirling).
SAMPLER_CASES = [
    ({}, 20),
    ({"default_shots": 33}, 20),
    ({"dynamical_decoupling": {"enable": True, "sequence_type": "XY4"}}, 20),
    (
        {
            "twirling": {
                "enable_gates": True,
                "enable_measure": True,
                "num_randomizations": 4,
                "shots_per_randomization": 25,
                "strategy": "active",
            }
        },
        100,
    ),
    ({"execution": {"init_qubits": True, "rep_delay": 0.0001}}, 20),
    ({"simulator": {"seed_simulator": 42}}, 20),
]


@pytest.mark.parametrize(
    ("options", "shots"), SAMPLER_CASES, ids=[",".join(o) or "default" for o, _ in SAMPLER_CASES]
)
def test_sampler_params_and_results_validate(service, raw, options, shots):
    sim = service.backend("ibmq_qasm_simulator")
    sweep = np.linspace(0, np.pi, 6).reshape(2, 3, 1)  # broadcast PUB of shape (2, 3)
    job = SamplerV2(sim, options=SamplerOptions(**options)).run(
        [(_registers(), sweep, 20), (_bell(), None, 20), (_registers(), [0.5], 20)]
    )
    params, result = _run(raw, job)
    sampler_schema.ParamsModel.model_validate(params)
    _check_sampler_result(result, [((2, 3), shots), ((), shots), ((), shots)])
    names = result["__value__"]["pub_results"][0]["__value__"]["data"]["__value__"]["field_names"]
    assert names == ["alpha", "wide", "c"]


def test_sampler_default_shots_from_options(service, raw):
    sim = service.backend("ibmq_qasm_simulator")
    job = SamplerV2(sim, options=SamplerOptions(default_shots=17)).run([_bell()])
    params, result = _run(raw, job)
    sampler_schema.ParamsModel.model_validate(params)
    _check_sampler_result(result, [((), 17)])


@pytest.mark.parametrize("options", [{}, {"twirling": {"enable_gates": True}}], ids=str)
def test_sampler_on_a_noisy_device_validates(service, raw, device, options):
    pm = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=3)
    job = SamplerV2(device, options=SamplerOptions(**options)).run([(pm.run(_bell()), None, 64)])
    params, result = _run(raw, job)
    sampler_schema.ParamsModel.model_validate(params)
    _check_sampler_result(result, [((), 64)])


# --------------------------------------------------------------------------- estimator


ESTIMATOR_OPTIONS = [
    {},
    {"resilience_level": 0},
    {"resilience_level": 2},
    {"default_precision": 0.01, "seed_estimator": 5},
    {"default_shots": 1000},
    {
        "resilience": {
            "measure_mitigation": True,
            "measure_noise_learning": {"num_randomizations": 8},
        }
    },
    {
        "resilience": {
            "zne_mitigation": True,
            "zne": {"noise_factors": [1, 3, 5], "extrapolator": ["exponential", "linear"]},
        }
    },
    {"twirling": {"enable_gates": True, "num_randomizations": 4}},
    {"dynamical_decoupling": {"enable": True, "extra_slack_distribution": "edges"}},
]


def _estimator_pubs(width: int, layout=None):
    """A 0-d PUB, a flat list of observables and a broadcast values sweep."""
    qc = _ansatz()

    def obs(label):
        op = SparsePauliOp(label)
        return op.apply_layout(layout, num_qubits=width) if layout is not None else op

    values = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])  # bindings shape (3,)
    return qc, [
        (obs("ZZ"), [0.3, 0.1]),
        ([obs("ZI"), obs("IX"), obs("XX")], [0.3, 0.1]),  # shape (3,)
        (obs("YZ"), values),  # shape (3,)
    ]


@pytest.mark.parametrize("options", ESTIMATOR_OPTIONS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("where", ["simulator", "device"])
def test_estimator_params_and_results_validate(service, raw, device, options, where):
    backend = service.backend("ibmq_qasm_simulator") if where == "simulator" else device
    qc, specs = _estimator_pubs(2)
    if where == "device":
        pm = generate_preset_pass_manager(optimization_level=1, backend=device, seed_transpiler=3)
        isa = pm.run(qc)
        qc, specs = isa, _estimator_pubs(isa.num_qubits, isa.layout)[1]
    pubs = [(qc, obs, values) for obs, values in specs]
    job = EstimatorV2(backend, options=EstimatorOptions(**options)).run(pubs)
    params, result = _run(raw, job)
    estimator_schema.ParamsModel.model_validate(params)
    _check_estimator_result(result, [(), (3,), (3,)])


def test_estimator_two_d_observables_are_a_schema_gap(service, raw):
    """Known gap, not ours: ``ObservablesArrayModel`` accepts a dict or a *flat* list only.

    An observables array of shape (2, 1), broadcast against 3 bindings to a (2, 3) PUB, goes on
    the wire as nested lists (``ObservablesArray.tolist()``, exactly what qiskit-ibm-runtime
    sends too), which the service runs but the schema rejects (research §0.5). The result of
    such a job still validates.
    """
    qc = _ansatz()
    observables = [[SparsePauliOp("ZZ")], [SparsePauliOp("XI")]]
    values = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    job = EstimatorV2(service.backend("ibmq_qasm_simulator")).run([(qc, observables, values)])
    params, result = _run(raw, job)
    assert params["pubs"][0][1] == [[{"ZZ": 1.0}], [{"XI": 1.0}]]
    with pytest.raises(ValidationError, match=r"pubs\.0\.1"):
        estimator_schema.ParamsModel.model_validate(params)
    flat = {**params, "pubs": [[*params["pubs"][0][:1], [{"ZZ": 1.0}], *params["pubs"][0][2:]]]}
    estimator_schema.ParamsModel.model_validate(flat)  # the rest of the PUB is fine
    _check_estimator_result(result, [(2, 3)])


def test_zero_d_estimator_fields_keep_their_shape(service, raw):
    qc = QuantumCircuit(1)
    qc.h(0)
    job = EstimatorV2(service.backend("ibmq_qasm_simulator")).run([(qc, SparsePauliOp("X"))])
    _, result = _run(raw, job)
    data = result["__value__"]["pub_results"][0]["__value__"]["data"]["__value__"]
    assert data["shape"] == []
    assert decode_ndarray(data["fields"]["evs"]["__value__"]).shape == ()


# --------------------------------------------------------------------------- other senders


def test_rest_guide_short_pubs_run_but_are_outside_the_schema(raw):
    """Known gap, by design: the service (and the emulator) accept the REST guides' short PUBs.

    ``[qasm, obs]`` / ``[qasm, obs, None]`` (estimator) and ``[qasm]`` / ``[qasm, None, 500]``
    (sampler) are what IBM's REST guides and the seed send; the schemas require full-length
    PUBs with an ndarray of values. The results of such jobs are still schema-valid.
    """
    unitary = QuantumCircuit(2)
    unitary.h(0)
    unitary.cx(0, 1)
    qasm_e, qasm_s = export_circuit(unitary).qasm, export_circuit(_bell()).qasm
    e_params = {"pubs": [[qasm_e, {"ZZ": 1}], [qasm_e, "XX", None]], "support_qiskit": True}
    s_params = {"pubs": [[qasm_s], [qasm_s, None, 50]], "support_qiskit": True}
    with pytest.raises(ValidationError):
        estimator_schema.ParamsModel.model_validate(e_params)
    with pytest.raises(ValidationError):
        sampler_schema.ParamsModel.model_validate(s_params)
    e_job = raw.post_job("estimator", "ibmq_qasm_simulator", e_params)
    s_job = raw.post_job("sampler", "ibmq_qasm_simulator", s_params)
    for job_id in (e_job, s_job):
        _wait(raw, job_id)
    _check_estimator_result(raw.result(e_job), [(), ()])
    _check_sampler_result(raw.result(s_job), [((), 4096), ((), 50)])


def _wait(raw, job_id: str, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = raw.get(f"/jobs/{job_id}").json()["state"]["status"]
        if status in ("Completed", "Failed", "Cancelled"):
            assert status == "Completed"
            return
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def test_official_client_params_validate_too(server, raw, monkeypatch):
    """Sanity check of the reference: what qiskit-ibm-runtime 0.51 sends validates (QPY form)."""
    runtime = pytest.importorskip("qiskit_ibm_runtime")
    monkeypatch.setenv("IAM_URL", server.url)
    monkeypatch.setenv("QISKIT_FUNCTIONS_EXPERIMENTAL", "1")
    service = runtime.QiskitRuntimeService(
        channel="ibm_quantum_platform",
        token=API_KEY,
        instance=CRN,
        url=server.url,
        url_resolver=lambda url, *_: url + "/api/v1",
    )
    sim = service.backend("ibmq_qasm_simulator")
    with pytest.warns(DeprecationWarning):
        sampler, estimator = runtime.SamplerV2(mode=sim), runtime.EstimatorV2(mode=sim)
    estimator.options.resilience_level = 1
    s_job = sampler.run([(_registers(), np.zeros((2, 1)), 8)])
    e_job = estimator.run([(_ansatz(), [SparsePauliOp("ZZ"), SparsePauliOp("XI")], [0.1, 0.2])])
    for job, program in ((s_job, sampler_schema), (e_job, estimator_schema)):
        job.wait_for_final_state(timeout=60)
        params = raw.params(job.job_id())
        assert params["pubs"][0][0]["__type__"] == "QuantumCircuit"
        program.ParamsModel.model_validate(params)
    _check_sampler_result(raw.result(s_job.job_id()), [((2,), 8)])
    _check_estimator_result(raw.result(e_job.job_id()), [(2,)])
