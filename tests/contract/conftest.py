"""Parametrised fixtures: every contract test runs over Qiskit's reference and over ours."""

import pytest
from qiskit.primitives import StatevectorEstimator, StatevectorSampler

from qiskit_rest_provider import EstimatorV2, SamplerV2

IMPLEMENTATIONS = ["statevector", "rest"]


@pytest.fixture(params=IMPLEMENTATIONS)
def estimator(request):
    if request.param == "statevector":
        return StatevectorEstimator(seed=11)
    return EstimatorV2(mode=request.getfixturevalue("rest_backend"))


@pytest.fixture(params=IMPLEMENTATIONS)
def sampler(request):
    if request.param == "statevector":
        return StatevectorSampler(seed=11)
    return SamplerV2(mode=request.getfixturevalue("rest_backend"))
