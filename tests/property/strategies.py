"""Hypothesis strategies for bad input: odd values, malformed PUBs, option trees, OpenQASM."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

#: Modest example counts keep the whole directory under a minute.
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**7, float("nan"), float("inf"), -float("inf")]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=1e6),
    st.booleans(),
)
SCALARS = st.one_of(st.none(), ODD_NUMBERS, st.text(max_size=12), st.binary(max_size=8))
JSONISH = st.recursive(
    SCALARS,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4)
    ),
    max_leaves=10,
)


def _circuits() -> list[QuantumCircuit]:
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    a, b = Parameter("a"), Parameter("b")
    param = QuantumCircuit(2)
    param.rx(a, 0)
    param.ry(b, 1)
    param.measure_all()
    bare = QuantumCircuit(3)  # no classical bits at all
    bare.x(0)
    unmeasured = QuantumCircuit(1, 1)
    wide = QuantumCircuit(40)
    wide.measure_all()
    return [bell, param, bare, unmeasured, wide, QuantumCircuit(0)]


CIRCUITS = st.sampled_from(_circuits())
ARRAYS = st.builds(
    lambda shape, fill: np.full(shape, fill),
    st.lists(st.integers(0, 3), max_size=3).map(tuple),
    st.one_of(st.floats(allow_nan=True), st.integers(-5, 5)),
)
PARAMETER_VALUES = st.one_of(
    JSONISH,
    ARRAYS,
    st.dictionaries(st.sampled_from(["a", "b", "c", ("a", "b")]), JSONISH | ARRAYS, max_size=3),
)
SHOTS = st.one_of(st.none(), ODD_NUMBERS, st.text(max_size=4))
SAMPLER_PUB = st.one_of(
    JSONISH,
    CIRCUITS,
    st.tuples(CIRCUITS),
    st.tuples(CIRCUITS, PARAMETER_VALUES),
    st.tuples(CIRCUITS, PARAMETER_VALUES, SHOTS),
    st.tuples(CIRCUITS, PARAMETER_VALUES, SHOTS, JSONISH),
)
PAULI_TEXT = st.text(alphabet="IXYZ01+-rlQ _", max_size=6)
OBSERVABLES = st.one_of(
    JSONISH,
    PAULI_TEXT,
    st.lists(PAULI_TEXT, max_size=3),
    st.dictionaries(PAULI_TEXT, ODD_NUMBERS, max_size=3),
    st.lists(st.dictionaries(PAULI_TEXT, ODD_NUMBERS, max_size=2), max_size=2),
)
PRECISION = st.one_of(st.none(), ODD_NUMBERS, st.text(max_size=4))
ESTIMATOR_PUB = st.one_of(
    JSONISH,
    CIRCUITS,
    st.tuples(CIRCUITS, OBSERVABLES),
    st.tuples(CIRCUITS, OBSERVABLES, PARAMETER_VALUES),
    st.tuples(CIRCUITS, OBSERVABLES, PARAMETER_VALUES, PRECISION),
)
PUB_LISTS = st.one_of(JSONISH, CIRCUITS, st.lists(SAMPLER_PUB | ESTIMATOR_PUB, max_size=3))

SAMPLER_PATHS = [
    "default_shots", "max_execution_time", "experimental", "dynamical_decoupling.enable",
    "dynamical_decoupling.sequence_type", "twirling.enable_gates", "twirling.num_randomizations",
    "twirling.shots_per_randomization", "twirling.strategy", "environment.log_level",
    "environment.job_tags", "environment.private", "environment.callback",
    "simulator.seed_simulator", "simulator.coupling_map", "simulator.noise_model",
    "simulator.basis_gates", "execution.init_qubits", "execution.rep_delay",
    "execution.meas_type", "resilience_level", "nonsense", "twirling.nonsense",
]  # fmt: skip
ESTIMATOR_PATHS = [
    *SAMPLER_PATHS, "default_precision", "seed_estimator", "resilience.zne_mitigation",
    "resilience.zne.noise_factors", "resilience.zne.extrapolator", "resilience.pec_mitigation",
    "resilience.measure_mitigation", "resilience.layer_noise_learning.max_layers_to_learn",
]  # fmt: skip
OPTION_VALUES = st.one_of(
    JSONISH,
    st.sampled_from(["XX", "XpXm", "linear", "active", "all", "none", "DEBUG", "classified"]),
    st.lists(st.one_of(ODD_NUMBERS, st.text(max_size=3)), max_size=3),
)


def nest(flat: dict[str, object]) -> dict[str, object]:
    """``{"a.b": 1}`` -> ``{"a": {"b": 1}}``, the shape options are given in."""
    out: dict[str, object] = {}
    for path, value in flat.items():
        node = out
        *parents, leaf = path.split(".")
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[leaf] = value
    return out


def option_trees(paths: list[str]) -> st.SearchStrategy[dict[str, object]]:
    """Nested option dicts over real and bogus option names."""
    return st.dictionaries(st.sampled_from(paths), OPTION_VALUES, max_size=4).map(nest)
