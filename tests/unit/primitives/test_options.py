"""Options tree: attribute/dict access, validation on set, exact payloads."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from qiskit.transpiler import CouplingMap

from qiskit_rest_provider.exceptions import InvalidInputError
from qiskit_rest_provider.primitives.options import EstimatorOptions, SamplerOptions, Unset

# The options blocks of IBM's "Primitives with REST API" guide (the seed notebook's source).
SEED_TREX_ZNE = {
    "resilience": {
        "measure_mitigation": True,
        "zne_mitigation": True,
        "zne": {"extrapolator": ["exponential", "linear"], "noise_factors": [1, 3, 5]},
    }
}
SEED_DD = {
    "dynamical_decoupling": {
        "enable": True,
        "sequence_type": "XpXm",
        "extra_slack_distribution": "middle",
        "scheduling_method": "alap",
    }
}
SEED_TWIRLING = {
    "twirling": {
        "enable_gates": True,
        "enable_measure": True,
        "num_randomizations": "auto",
        "shots_per_randomization": "auto",
        "strategy": "active-accum",
    }
}


@pytest.mark.parametrize("block", [SEED_TREX_ZNE, SEED_DD, SEED_TWIRLING])
def test_seed_estimator_blocks_give_the_seed_payload(block):
    options = EstimatorOptions(**copy.deepcopy(block))
    assert options.to_program_options() == block
    # Same JSON text too: ints stay ints, lists stay lists.
    assert json.dumps(options.to_program_options(), sort_keys=True) == json.dumps(
        block, sort_keys=True
    )
    assert options.to_params_extras() == {}
    assert options.to_job_fields() == {"log_level": "WARNING"}


@pytest.mark.parametrize("block", [SEED_DD, SEED_TWIRLING])
def test_seed_sampler_blocks_give_the_seed_payload(block):
    assert SamplerOptions(**copy.deepcopy(block)).to_program_options() == block


def test_defaults_send_nothing():
    for cls in (EstimatorOptions, SamplerOptions):
        options = cls()
        assert options.to_program_options() == {}
        assert options.to_params_extras() == {}
        assert options.to_job_fields() == {"log_level": "WARNING"}
        assert options.default_shots is None
    assert EstimatorOptions().default_precision is None


def test_official_example_payload():
    # research §3.3: resilience_level=2, default_shots=2000, twirling.enable_gates=True
    options = EstimatorOptions()
    options.resilience_level = 2
    options.default_shots = 2000
    options.twirling.enable_gates = True
    assert options.to_program_options() == {
        "default_shots": 2000,
        "twirling": {"enable_gates": True},
    }
    assert options.to_params_extras() == {"resilience_level": 2}


def test_attribute_access_and_nested_set():
    options = EstimatorOptions(default_shots=100, resilience={"zne_mitigation": True})
    options.resilience.zne.noise_factors = (1, 3, 5)
    options.resilience.zne.extrapolator = "linear"
    assert options.resilience.zne_mitigation is True
    assert options.resilience.zne.noise_factors == (1, 3, 5)
    assert options.to_program_options() == {
        "default_shots": 100,
        "resilience": {
            "zne_mitigation": True,
            "zne": {"noise_factors": [1, 3, 5], "extrapolator": "linear"},
        },
    }


def test_update_merges_and_assignment_replaces():
    options = EstimatorOptions(resilience={"zne_mitigation": True})
    options.update(resilience={"zne": {"amplifier": "pea"}}, default_precision=0.01)
    assert options.resilience.zne_mitigation is True
    assert options.resilience.zne.amplifier == "pea"
    options.resilience = {"measure_mitigation": False}
    assert options.resilience.zne_mitigation is None
    assert options.to_program_options() == {
        "default_precision": 0.01,
        "resilience": {"measure_mitigation": False},
    }


def test_unset_by_none_or_sentinel_or_del():
    options = EstimatorOptions(default_shots=10, seed_estimator=3, resilience_level=1)
    options.default_shots = None
    options.seed_estimator = Unset
    del options.resilience_level
    assert options.to_program_options() == {}
    assert options.to_params_extras() == {}


def test_nullable_field_sends_null():
    options = EstimatorOptions(resilience={"pec": {"max_overhead": None}})
    assert options.to_program_options() == {"resilience": {"pec": {"max_overhead": None}}}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("default_precision", 0),
        ("default_precision", -0.1),
        ("default_shots", 0),
        ("default_shots", 1.5),
        ("default_shots", True),
        ("resilience_level", 3),
        ("seed_estimator", -1),
        ("max_execution_time", 0),
        ("twirling.num_randomizations", 0),
        ("twirling.strategy", "sometimes"),
        ("twirling.enable_gates", "yes"),
        ("dynamical_decoupling.sequence_type", "XYZ"),
        ("resilience.zne.noise_factors", (0.5, 1)),
        ("resilience.zne.noise_factors", ()),
        ("resilience.zne.extrapolator", "cubic"),
        ("resilience.zne.extrapolator", []),
        ("resilience.zne.amplifier", "magic"),
        ("resilience.pec.max_overhead", 0),
        ("resilience.pec.noise_gain", -1),
        ("resilience.layer_noise_learning.layer_pair_depths", (0, -1)),
        ("resilience.measure_noise_learning.shots_per_randomization", 0),
        ("environment.log_level", "LOUD"),
        ("environment.job_tags", "tag"),
        ("environment.private", 1),
        ("simulator.coupling_map", [[0, 1, 2]]),
        ("execution.rep_delay", -1e-6),
    ],
)
def test_invalid_values_fail_on_set_and_change_nothing(path, value):
    options = EstimatorOptions()
    *parents, leaf = path.split(".")
    group = options
    for name in parents:
        group = getattr(group, name)
    before = options.to_dict(raw=True)
    with pytest.raises(InvalidInputError):
        setattr(group, leaf, value)
    assert options.to_dict(raw=True) == before


def test_invalid_error_is_a_value_error_and_names_the_option():
    with pytest.raises(ValueError, match="default_precision"):
        EstimatorOptions(default_precision=0)


def test_unknown_option_suggests_the_name():
    with pytest.raises(InvalidInputError, match="Did you mean 'resilience'"):
        EstimatorOptions().resilence = {}
    with pytest.raises(AttributeError, match="resilience"):
        _ = EstimatorOptions().resilence
    with pytest.raises(InvalidInputError, match="Did you mean 'default_shots'"):
        EstimatorOptions(default_shot=10)


def test_sampler_refuses_estimator_options_clearly():
    for name in ("resilience_level", "default_precision"):
        with pytest.raises(InvalidInputError, match="sampler does not do error mitigation"):
            SamplerOptions(**{name: 1})
    assert SamplerOptions(execution={"meas_type": "kerneled"}).to_program_options() == {
        "execution": {"meas_type": "kerneled"}
    }
    with pytest.raises(InvalidInputError):
        EstimatorOptions(execution={"meas_type": "kerneled"})


def test_zne_factor_counts_per_extrapolator():
    options = EstimatorOptions()
    with pytest.raises(InvalidInputError, match="double_exponential.*4 noise_factors"):
        options.resilience.zne.extrapolator = "double_exponential"  # default factors: 3
    options.resilience.zne.update(extrapolator="double_exponential", noise_factors=(1, 2, 3, 4))
    with pytest.raises(InvalidInputError, match="polynomial_degree_4"):
        options.resilience.zne.extrapolator = ["linear", "polynomial_degree_4"]
    with pytest.raises(InvalidInputError):
        options.resilience.zne.noise_factors = (1, 3)  # double_exponential needs 4
    assert options.resilience.zne.noise_factors == (1, 2, 3, 4)


def test_update_is_atomic():
    options = EstimatorOptions(default_shots=5)
    with pytest.raises(InvalidInputError):
        options.update(default_shots=10, resilience_level=7)
    assert options.default_shots == 5
    assert options.resilience_level is None


def test_pec_and_zne_are_exclusive():
    options = EstimatorOptions(resilience={"pec_mitigation": True})
    with pytest.raises(InvalidInputError, match="cannot both be True"):
        options.resilience.zne_mitigation = True
    with pytest.raises(InvalidInputError, match="cannot both be True"):
        EstimatorOptions(resilience={"pec_mitigation": True, "zne_mitigation": True})
    options.resilience.update(pec_mitigation=False, zne_mitigation=True)


def test_measure_noise_learning_needs_measure_mitigation_at_send_time():
    options = EstimatorOptions()
    options.resilience.measure_noise_learning.num_randomizations = 8  # allowed while editing
    with pytest.raises(InvalidInputError, match="measure_mitigation"):
        options.to_program_options()
    options.resilience.measure_mitigation = True
    assert options.to_program_options() == {
        "resilience": {
            "measure_mitigation": True,
            "measure_noise_learning": {"num_randomizations": 8},
        }
    }


def test_job_fields():
    options = SamplerOptions(
        max_execution_time=300,
        environment={"job_tags": ["a", "b"], "private": True, "log_level": "debug"},
    )
    assert options.to_job_fields() == {
        "log_level": "DEBUG",
        "tags": ["a", "b"],
        "cost": 300,
        "private": True,
    }
    assert options.to_program_options() == {}
    options.environment.private = False
    assert "private" not in options.to_job_fields()
    assert options.environment.log_level == "DEBUG"
    assert EstimatorOptions().environment.log_level == "WARNING"


def test_environment_callback_is_kept_but_not_sent():
    options = SamplerOptions(environment={"callback": print})
    assert options.environment.callback is print
    assert options.to_program_options() == {}
    with pytest.raises(InvalidInputError):
        options.environment.callback = 3


def test_simulator_options_wire_form():
    options = SamplerOptions()
    options.simulator.seed_simulator = 42
    options.simulator.coupling_map = CouplingMap([[0, 1], [1, 2]])
    assert options.to_program_options() == {
        "simulator": {"seed_simulator": 42, "coupling_map": [[0, 1], [1, 2]]}
    }
    options.simulator.coupling_map = ((2, 1),)
    assert options.to_program_options()["simulator"]["coupling_map"] == [[2, 1]]
    options.simulator.noise_model = {"errors": []}
    assert options.to_program_options()["simulator"]["noise_model"] == {"errors": []}


def test_experimental_merge_rules():
    options = EstimatorOptions(
        resilience={"zne_mitigation": True},
        experimental={"resilience": {"zne": {"amplifier": "pea"}}, "custom": 1, "image": "x:y"},
    )
    assert options.to_program_options() == {
        "resilience": {"zne_mitigation": True, "zne": {"amplifier": "pea"}},
        "experimental": {"custom": 1},
    }
    assert options.to_job_fields()["runtime"] == "x:y"


def test_copy_pickle_equality_repr():
    options = EstimatorOptions(default_shots=7, resilience={"zne": {"noise_factors": [1, 2]}})
    clone = copy.deepcopy(options)
    assert clone == options
    clone.resilience.zne.noise_factors = (1, 5)
    assert clone != options
    assert pickle.loads(pickle.dumps(options)) == options
    assert "default_shots" in repr(options)
    assert "resilience" in dir(options)
    # A group instance can be assigned (copied, not shared).
    other = EstimatorOptions()
    other.resilience = options.resilience
    other.resilience.zne.noise_factors = (1, 9)
    assert options.resilience.zne.noise_factors == (1, 2)


def test_numpy_lists_are_accepted():
    np = pytest.importorskip("numpy")
    options = EstimatorOptions(resilience={"zne": {"noise_factors": np.array([1, 3, 5])}})
    assert options.to_program_options() == {"resilience": {"zne": {"noise_factors": [1, 3, 5]}}}


def test_flat_environment_aliases():
    options = SamplerOptions(job_tags=["mine"], log_level="info")
    options.private = True
    assert options.environment.job_tags == ("mine",)
    assert options.to_job_fields() == {"log_level": "INFO", "tags": ["mine"], "private": True}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("default_shots", 100),
        ("environment.log_level", "INFO"),
        ("twirling.enable_gates", True),
        ("resilience.zne.noise_factors", (1, 3)),
        ("resilience.layer_noise_learning.max_layers_to_learn", None),
        ("experimental", {"image": "x:y"}),
    ],
)
def test_program_options_of_a_set_tree_are_built_in_full(monkeypatch, path, value):
    # A tree with anything set, at any depth, is not "empty": it is validated and sent whole,
    # exactly as the general path (the empty-tree shortcut off) builds it.
    options = EstimatorOptions()
    assert options._is_empty()
    *parents, leaf = path.split(".")
    group = options
    for name in parents:
        group = getattr(group, name)
    setattr(group, leaf, value)
    assert not options._is_empty()
    fast = options.to_program_options()
    monkeypatch.setattr(EstimatorOptions, "_is_empty", lambda self: False)
    assert fast == options.to_program_options()
    assert fast != {} or path in ("environment.log_level", "experimental")


def test_empty_tree_shortcut_equals_the_general_path(monkeypatch):
    for cls in (EstimatorOptions, SamplerOptions):
        options = cls()
        fast = options.to_program_options()
        fast["mutated"] = True  # a fresh dict each time
        assert options.to_program_options() == {}
        monkeypatch.setattr(cls, "_is_empty", lambda self: False)
        assert options.to_program_options() == {}
        monkeypatch.undo()
        options.default_shots = 5
        del options.default_shots  # unset again: empty again
        assert options._is_empty()


def test_job_fields_and_extras_read_what_the_attributes_give():
    options = EstimatorOptions(resilience_level=0, max_execution_time=1)
    assert options.to_params_extras() == {"resilience_level": 0}
    assert options.to_job_fields() == {"log_level": "WARNING", "cost": 1}
    options.environment.job_tags = []
    options.experimental = {"image": ""}
    assert options.to_job_fields() == {"log_level": "WARNING", "cost": 1}
    assert options._field("resilience_level") == 0
    assert options.environment._field("log_level") == "WARNING"
    assert options.environment._field("private") is False
