"""The ``options`` tree of sampler/estimator jobs: validation and the values the engine uses.

Keys and defaults follow ibm-quantum-schemas (research runtime-rest-api.md §3.4); as on the
service, unknown keys are rejected (``extra="forbid"``), naming the full key path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import JobInputError

__all__ = ["validate_options"]

_ANY = object()


Check = Callable[[Any], bool]
"""A predicate on one option value."""


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


def _int(minimum: int, nullable: bool = False) -> Check:
    def check(v: Any) -> bool:
        if v is None:
            return nullable
        return isinstance(v, int) and not isinstance(v, bool) and v >= minimum

    return check


def _num(minimum: float, strict: bool = False, nullable: bool = False) -> Check:
    def check(v: Any) -> bool:
        if v is None:
            return nullable
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        return ok and (v > minimum if strict else v >= minimum)

    return check


def _enum(*values: Any) -> Check:
    return lambda v: v in values


def _or(*checks: Check) -> Check:
    return lambda v: any(check(v) for check in checks)


def _list_of(check: Check, non_empty: bool = False) -> Check:
    return lambda v: isinstance(v, list) and (bool(v) or not non_empty) and all(check(i) for i in v)


_EXTRAPOLATORS = (
    "linear",
    "exponential",
    "double_exponential",
    "fallback",
    *(f"polynomial_degree_{k}" for k in range(1, 8)),
)
_AUTO = _enum("auto")

_COMMON: dict[str, Any] = {
    "default_shots": _int(1),
    "dynamical_decoupling": {
        "enable": _bool,
        "sequence_type": _enum("XX", "XpXm", "XY4"),
        "extra_slack_distribution": _enum("middle", "edges"),
        "scheduling_method": _enum("alap", "asap"),
        "skip_reset_qubits": _bool,
    },
    "execution": {"init_qubits": _bool, "rep_delay": _num(0, nullable=True)},
    "twirling": {
        "enable_gates": _bool,
        "enable_measure": _bool,
        "num_randomizations": _or(_int(1), _AUTO),
        "shots_per_randomization": _or(_int(1), _AUTO),
        "strategy": _enum("active", "active-accum", "active-circuit", "all"),
    },
    "simulator": {
        "noise_model": _ANY,
        "seed_simulator": _int(0, nullable=True),
        "coupling_map": _or(lambda v: v is None, _list_of(_list_of(_int(0)))),
        "basis_gates": _or(lambda v: v is None, _list_of(lambda g: isinstance(g, str))),
    },
    "experimental": _ANY,
}

_ESTIMATOR: dict[str, Any] = {
    **_COMMON,
    "default_shots": _int(1, nullable=True),
    "default_precision": _num(0, strict=True),
    "seed_estimator": _int(0, nullable=True),
    "twirling": {
        **_COMMON["twirling"],
        "enable_gates": _or(_bool, lambda v: v is None),
        "enable_measure": _or(_bool, lambda v: v is None),
    },
    "resilience": {
        "measure_mitigation": _or(_bool, lambda v: v is None),
        "measure_noise_learning": {
            "num_randomizations": _int(1),
            "shots_per_randomization": _or(_int(1), _AUTO),
        },
        "zne_mitigation": _or(_bool, lambda v: v is None),
        "zne": {
            "amplifier": _enum("gate_folding", "gate_folding_front", "gate_folding_back", "pea"),
            "noise_factors": _list_of(_num(1), non_empty=True),
            "extrapolator": _or(_enum(*_EXTRAPOLATORS), _list_of(_enum(*_EXTRAPOLATORS), True)),
            "extrapolated_noise_factors": _or(_AUTO, _list_of(_num(0))),
        },
        "pec_mitigation": _bool,
        "pec": {
            "max_overhead": _num(0, strict=True, nullable=True),
            "noise_gain": _or(_num(0), _AUTO),
        },
        "layer_noise_learning": {
            "max_layers_to_learn": _int(0, nullable=True),
            "shots_per_randomization": _int(1),
            "num_randomizations": _int(1),
            "layer_pair_depths": _list_of(_int(0)),
        },
        "layer_noise_model": _ANY,
    },
}

_SAMPLER: dict[str, Any] = {
    **_COMMON,
    "execution": {
        **_COMMON["execution"],
        "meas_type": _enum("classified", "kerneled", "avg_kerneled"),
    },
}


def _check(tree: Mapping[str, Any], spec: Mapping[str, Any], path: str) -> None:
    for key, value in tree.items():
        where = f"{path}.{key}"
        if key not in spec:
            raise JobInputError(f"Unknown option '{where}' (extra fields are not permitted).")
        rule = spec[key]
        if rule is _ANY:
            continue
        if isinstance(rule, Mapping):
            if value is None and key == "simulator":
                continue
            if not isinstance(value, Mapping):
                raise JobInputError(f"Option '{where}' must be an object.")
            _check(value, rule, where)
        elif not rule(value):
            raise JobInputError(f"Invalid value {value!r} for option '{where}'.")


def validate_options(program: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check ``options`` against the program's tree; returns a plain dict copy.

    Raises:
        JobInputError: Unknown key or invalid value, naming the key path (code 1002).
    """
    options = dict(options or {})
    _check(options, _ESTIMATOR if program == "estimator" else _SAMPLER, "options")
    return options


def get(options: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """``get(options, "simulator.seed_simulator")`` with ``default`` for missing/null."""
    if not options:  # most jobs set no option at all
        return default
    node: Any = options
    for part in path.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            return default
        node = node[part]
    return node
