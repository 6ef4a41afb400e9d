"""Malformed PUBs and options at the client: only our typed errors or ValueError/TypeError.

Every example either raises ``QiskitRestError`` (our tree) or Qiskit's ``ValueError`` /
``TypeError``, or is accepted and submitted; nothing else escapes (no ``KeyError``,
``AttributeError``, ``OverflowError``, ``requests`` exception...). Afterwards the same
primitive objects still run a job correctly.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from qiskit import QuantumCircuit

from qiskit_rest_provider import EstimatorV2, SamplerV2
from qiskit_rest_provider.exceptions import QiskitRestError

from .strategies import (
    ESTIMATOR_PATHS,
    ESTIMATOR_PUB,
    FUZZ,
    PRECISION,
    PUB_LISTS,
    SAMPLER_PATHS,
    SAMPLER_PUB,
    SHOTS,
    option_trees,
)

ALLOWED = (QiskitRestError, ValueError, TypeError)


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _attempt(call) -> None:
    try:
        call()
    except ALLOWED:
        pass  # a typed refusal is the right answer to bad input
    except BaseException as exc:  # noqa: BLE001 - anything else is the bug being hunted
        pytest.fail(f"untyped {type(exc).__name__} escaped: {exc!r}")


@pytest.fixture(scope="module", params=["ibmq_qasm_simulator", "ibm_brisbane"])
def backend(request, rest_service):
    return rest_service.backend(request.param)


def test_sampler_pubs(backend):
    sampler = SamplerV2(mode=backend)

    @FUZZ
    @given(pubs=PUB_LISTS | SAMPLER_PUB.map(lambda pub: [pub]), shots=SHOTS)
    def fuzz(pubs, shots):
        _attempt(lambda: sampler.run(pubs, shots=shots))

    fuzz()
    _still_samples(sampler, backend)


def test_estimator_pubs(backend):
    estimator = EstimatorV2(mode=backend)

    @FUZZ
    @given(pubs=PUB_LISTS | ESTIMATOR_PUB.map(lambda pub: [pub]), precision=PRECISION)
    def fuzz(pubs, precision):
        _attempt(lambda: estimator.run(pubs, precision=precision))

    fuzz()
    _still_estimates(estimator, backend)


def test_options(backend):
    @FUZZ
    @given(sampler_opts=option_trees(SAMPLER_PATHS), estimator_opts=option_trees(ESTIMATOR_PATHS))
    def fuzz(sampler_opts, estimator_opts):
        _attempt(lambda: SamplerV2(mode=backend, options=sampler_opts).run([_isa(backend)]))
        _attempt(
            lambda: EstimatorV2(mode=backend, options=estimator_opts).run(
                [(_isa(backend, measure=False), _zz(backend))]
            )
        )

    fuzz()
    _still_samples(SamplerV2(mode=backend), backend)


_ISA: dict[tuple[str, bool], QuantumCircuit] = {}


def _isa(backend, measure: bool = True) -> QuantumCircuit:
    key = (backend.name, measure)
    if key not in _ISA:
        from qiskit.transpiler import generate_preset_pass_manager

        qc = _bell()
        if not measure:
            qc.remove_final_measurements()
        pm = generate_preset_pass_manager(backend=backend, optimization_level=1, seed_transpiler=3)
        _ISA[key] = pm.run(qc)
    return _ISA[key]


def _zz(backend):
    from qiskit.quantum_info import SparsePauliOp

    return SparsePauliOp("ZZ").apply_layout(_isa(backend, measure=False).layout)


def _still_samples(sampler, backend) -> None:
    counts = sampler.run([_isa(backend)], shots=200).result(timeout=60)[0].data.meas.get_counts()
    assert sum(counts.values()) == 200
    assert counts.get("00", 0) + counts.get("11", 0) >= 150  # a Bell state, noise or not


def _still_estimates(estimator, backend) -> None:
    evs = estimator.run([(_isa(backend, False), _zz(backend))]).result(timeout=60)[0].data.evs
    assert float(evs) > 0.7
