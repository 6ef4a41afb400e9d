"""Our options payloads equal qiskit-ibm-runtime's for the same options (when it is installed)."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict

import pytest

from qiskit_rest_provider.primitives import options as ours
from tests.unit.primitives.test_options import SEED_DD, SEED_TREX_ZNE, SEED_TWIRLING

runtime_options = pytest.importorskip("qiskit_ibm_runtime.options")

ESTIMATOR_CASES = [
    {},
    SEED_TREX_ZNE,
    SEED_DD,
    SEED_TWIRLING,
    {"default_shots": 2000, "resilience_level": 2, "twirling": {"enable_gates": True}},
    {"default_precision": 0.01, "seed_estimator": 7, "max_execution_time": 300},
    {
        "resilience": {
            "measure_mitigation": True,
            "measure_noise_learning": {"num_randomizations": 16, "shots_per_randomization": "auto"},
            "zne_mitigation": True,
            "zne": {
                "amplifier": "pea",
                "extrapolator": "double_exponential",
                "noise_factors": [1, 2, 3, 4],
                "extrapolated_noise_factors": [0, 1],
            },
            "layer_noise_learning": {"max_layers_to_learn": 2, "layer_pair_depths": [0, 2, 4]},
        },
        "execution": {"init_qubits": False, "rep_delay": 0.0001},
    },
    {"resilience": {"pec_mitigation": True, "pec": {"max_overhead": 50, "noise_gain": "auto"}}},
    {"simulator": {"seed_simulator": 5, "coupling_map": [[0, 1], [1, 2]]}},
    {"environment": {"job_tags": ["a", "b"], "log_level": "INFO"}, "experimental": {"x": 1}},
]
SAMPLER_CASES = [
    {},
    SEED_DD,
    SEED_TWIRLING,
    {"default_shots": 300, "execution": {"meas_type": "kerneled"}},
    {"simulator": {"seed_simulator": 1}, "environment": {"private": True}},
]


def _json(value):
    return json.loads(json.dumps(value))


def _official(cls, case):
    options = cls(**copy.deepcopy(case))
    inputs = cls._get_program_inputs(asdict(options))
    runtime = cls._get_runtime_options(asdict(options))
    return inputs, runtime


def _job_fields(runtime):
    fields = {"log_level": runtime["log_level"]}
    if runtime.get("job_tags"):
        fields["tags"] = runtime["job_tags"]
    if runtime.get("max_execution_time") is not None:
        fields["cost"] = runtime["max_execution_time"]
    if runtime.get("private"):
        fields["private"] = True
    return fields


@pytest.mark.parametrize("case", ESTIMATOR_CASES)
def test_estimator_payload_equals_the_official(case):
    inputs, runtime = _official(runtime_options.EstimatorOptions, case)
    mine = ours.EstimatorOptions(**copy.deepcopy(case))
    assert _json(mine.to_program_options()) == _json(inputs["options"])
    extras = (
        {"resilience_level": inputs["resilience_level"]} if "resilience_level" in inputs else {}
    )
    assert mine.to_params_extras() == extras
    assert mine.to_job_fields() == _job_fields(runtime)


@pytest.mark.parametrize("case", SAMPLER_CASES)
def test_sampler_payload_equals_the_official(case):
    inputs, runtime = _official(runtime_options.SamplerOptions, case)
    mine = ours.SamplerOptions(**copy.deepcopy(case))
    assert _json(mine.to_program_options()) == _json(inputs["options"])
    assert "resilience_level" not in inputs and mine.to_params_extras() == {}
    assert mine.to_job_fields() == _job_fields(runtime)


@pytest.mark.parametrize(
    "case",
    [
        {"default_precision": 0},
        {"resilience_level": 3},
        {"resilience": {"zne": {"noise_factors": [0.5]}}},
        {"resilience": {"zne": {"extrapolator": "double_exponential"}}},
        {"resilience": {"pec_mitigation": True, "zne_mitigation": True}},
        {"twirling": {"strategy": "never"}},
        {"dynamical_decoupling": {"sequence_type": "YY"}},
    ],
)
def test_both_refuse_the_same_invalid_options(case):
    with pytest.raises(ValueError):
        runtime_options.EstimatorOptions(**copy.deepcopy(case))
    with pytest.raises(ValueError):
        ours.EstimatorOptions(**copy.deepcopy(case))
