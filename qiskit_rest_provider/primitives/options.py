"""``EstimatorOptions`` / ``SamplerOptions``: the options tree and the exact payload it produces.

Same shape as qiskit-ibm-runtime's (research runtime-rest-api.md §3.4)::

    options = EstimatorOptions(default_shots=2000, resilience={"zne_mitigation": True})
    options.resilience.zne.noise_factors = (1, 3, 5)
    options.update(twirling={"enable_gates": True})

Interface used by the primitives:

* ``options.default_shots`` / ``options.default_precision``: ``None`` when unset.
* ``options.to_program_options()`` -> the ``params.options`` dict (unset values not sent).
* ``options.to_params_extras()`` -> extra top-level ``params`` keys (``resilience_level``).
* ``options.to_job_fields()`` -> top-level ``POST /jobs`` fields (``log_level``, ``tags``...).
"""

from __future__ import annotations

from typing import Any

from ..exceptions import InvalidInputError
from . import _option_checks as c
from ._option_tree import OptionField, OptionGroup, Unset

__all__ = ["EstimatorOptions", "SamplerOptions", "Unset"]

F = OptionField


class DynamicalDecouplingOptions(OptionGroup):
    """``dynamical_decoupling``: idle-time pulse sequences."""

    _fields = {
        "enable": F(c.boolean),
        "sequence_type": F(c.choice("XX", "XpXm", "XY4")),
        "extra_slack_distribution": F(c.choice("middle", "edges")),
        "scheduling_method": F(c.choice("alap", "asap")),
        "skip_reset_qubits": F(c.boolean),
    }


class TwirlingOptions(OptionGroup):
    """``twirling``: Pauli twirling of gates and measurements."""

    _fields = {
        "enable_gates": F(c.boolean),
        "enable_measure": F(c.boolean),
        "num_randomizations": F(c.or_auto(c.integer(ge=1))),
        "shots_per_randomization": F(c.or_auto(c.integer(ge=1))),
        "strategy": F(c.choice("active", "active-accum", "active-circuit", "all")),
    }


class ExecutionOptions(OptionGroup):
    """``execution`` (estimator): qubit initialisation and repetition delay."""

    _fields = {
        "init_qubits": F(c.boolean),
        "rep_delay": F(c.real(ge=0)),
    }


class SamplerExecutionOptions(ExecutionOptions):
    """``execution`` (sampler): adds ``meas_type``."""

    _fields = {
        **ExecutionOptions._fields,
        "meas_type": F(c.choice("classified", "kerneled", "avg_kerneled")),
    }


class MeasureNoiseLearningOptions(OptionGroup):
    """``resilience.measure_noise_learning``: TREX calibration."""

    _fields = {
        "num_randomizations": F(c.integer(ge=1)),
        "shots_per_randomization": F(c.or_auto(c.integer(ge=1))),
    }


class ZneOptions(OptionGroup):
    """``resilience.zne``: zero-noise extrapolation."""

    _fields = {
        "amplifier": F(c.choice("gate_folding", "gate_folding_front", "gate_folding_back", "pea")),
        "noise_factors": F(c.real_list(ge=1)),
        "extrapolator": F(c.extrapolators),
        "extrapolated_noise_factors": F(c.or_auto(c.real_list(ge=0, non_empty=False))),
    }

    def _validate(self) -> None:
        # Server defaults apply to what is unset: (1, 3, 5) and ("exponential", "linear").
        factors = self.noise_factors or (1, 3, 5)
        extrapolator = self.extrapolator or ("exponential", "linear")
        for name in [extrapolator] if isinstance(extrapolator, str) else extrapolator:
            needed = c.EXTRAPOLATOR_FACTORS[name]
            if len(factors) < needed:
                raise InvalidInputError(
                    f"ZNE extrapolator {name!r} needs at least {needed} noise_factors, "
                    f"got {len(factors)} ({tuple(factors)})."
                )


class PecOptions(OptionGroup):
    """``resilience.pec``: probabilistic error cancellation."""

    _fields = {
        "max_overhead": F(c.real(gt=0), nullable=True),
        "noise_gain": F(c.or_auto(c.real(ge=0))),
    }


class LayerNoiseLearningOptions(OptionGroup):
    """``resilience.layer_noise_learning``: noise learning for PEC and PEA."""

    _fields = {
        "max_layers_to_learn": F(c.integer(ge=0), nullable=True),
        "shots_per_randomization": F(c.integer(ge=1)),
        "num_randomizations": F(c.integer(ge=1)),
        "layer_pair_depths": F(c.int_list(ge=0)),
    }


class ResilienceOptions(OptionGroup):
    """``resilience``: error mitigation (estimator only)."""

    _fields = {
        "measure_mitigation": F(c.boolean),
        "zne_mitigation": F(c.boolean),
        "pec_mitigation": F(c.boolean),
    }
    _groups = {
        "measure_noise_learning": MeasureNoiseLearningOptions,
        "zne": ZneOptions,
        "pec": PecOptions,
        "layer_noise_learning": LayerNoiseLearningOptions,
    }

    def _validate(self) -> None:
        if self.pec_mitigation is True and self.zne_mitigation is True:
            raise InvalidInputError(
                "resilience.pec_mitigation and resilience.zne_mitigation cannot both be True; "
                "set one of them to False."
            )

    def _validate_tree(self) -> None:
        # Checked before sending only: users may set the sub-options before the switch.
        if self.measure_noise_learning.to_dict() and self.measure_mitigation is not True:
            raise InvalidInputError(
                "resilience.measure_noise_learning options are set, but "
                "resilience.measure_mitigation is not True."
            )


class EnvironmentOptions(OptionGroup):
    """``environment``: job-level settings sent outside ``params``."""

    _fields = {
        "log_level": F(c.log_level, default="WARNING"),
        "job_tags": F(c.job_tags),
        "private": F(c.boolean, default=False),
        "callback": F(c.callback),
    }


class SimulatorOptions(OptionGroup):
    """``simulator``: honoured by simulator backends only."""

    _fields = {
        "seed_simulator": F(c.seed(), wire=c.seed_wire),
        "coupling_map": F(c.coupling_map, wire=c.coupling_map_wire),
        "noise_model": F(c.noise_model, wire=c.noise_model_wire),
        "basis_gates": F(c.str_list),
    }


_SHARED_FIELDS = {
    "default_shots": F(c.integer(ge=1)),
    "max_execution_time": F(c.integer(ge=1)),
    "experimental": F(c.free_dict),
}
_SHARED_GROUPS = {
    "dynamical_decoupling": DynamicalDecouplingOptions,
    "twirling": TwirlingOptions,
    "environment": EnvironmentOptions,
    "simulator": SimulatorOptions,
}
# Keys copied into ``params.options`` in this order (qiskit-ibm-runtime _get_program_inputs).
_PROGRAM_KEYS = (
    "default_precision",
    "default_shots",
    "seed_estimator",
    "dynamical_decoupling",
    "resilience",
    "twirling",
    "simulator",
    "execution",
)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


#: Flat spellings of ``environment.*`` accepted for convenience (and this package's 0.1 API).
_ENVIRONMENT_ALIASES = ("job_tags", "log_level", "private")


class _PrimitiveOptions(OptionGroup):
    """What both primitives' options share: the payload builders."""

    def _assign(self, name: str, value: Any) -> None:
        if name in _ENVIRONMENT_ALIASES:
            self._children["environment"]._assign(name, value)
        else:
            super()._assign(name, value)

    def to_program_options(self) -> dict[str, Any]:
        """The ``params.options`` payload; validates the whole tree first.

        ``experimental`` keys naming a known section are merged into it; other keys stay under
        ``options.experimental`` (``image`` is dropped: it selects a runtime image instead).

        Raises:
            InvalidInputError: A combination of options is invalid.
        """
        if self._is_empty():  # the usual case; the walk below costs ~10 us per job
            return {}
        self.validate()
        data = self.to_dict()
        out = {key: data[key] for key in _PROGRAM_KEYS if key in data}
        experimental = dict(data.get("experimental") or {})
        experimental.pop("image", None)
        known = {key: experimental.pop(key) for key in list(experimental) if key in _PROGRAM_KEYS}
        out = _merge(out, known)
        if experimental:
            out["experimental"] = experimental
        return out

    def to_params_extras(self) -> dict[str, Any]:
        """Extra top-level ``params`` keys (none for the sampler)."""
        return {}

    def to_job_fields(self) -> dict[str, Any]:
        """Top-level ``POST /jobs`` fields: ``log_level``, ``tags``, ``cost``, ``private``."""
        env = self._children["environment"]  # _field: the attribute's value, read directly
        fields: dict[str, Any] = {"log_level": env._field("log_level")}
        if tags := env._field("job_tags"):
            fields["tags"] = list(tags)
        if (max_time := self._field("max_execution_time")) is not None:
            fields["cost"] = int(max_time)
        if env._field("private"):
            fields["private"] = True
        image = (self._field("experimental") or {}).get("image")
        if image:
            fields["runtime"] = image
        return fields


class SamplerOptions(_PrimitiveOptions):
    """Options of :class:`~qiskit_rest_provider.SamplerV2`.

    Sampler jobs take no ``resilience_level`` (the service rejects it); use ``twirling`` and
    ``dynamical_decoupling`` directly.
    """

    _fields = dict(_SHARED_FIELDS)
    _groups = {**_SHARED_GROUPS, "execution": SamplerExecutionOptions}

    def _unknown(self, name: str) -> str:
        if name in ("resilience_level", "resilience", "default_precision"):
            return (
                f"SamplerOptions has no option {name!r}: the sampler does not do error "
                "mitigation or precision targets. Use EstimatorOptions, or twirling / "
                "dynamical_decoupling here."
            )
        return super()._unknown(name)


class EstimatorOptions(_PrimitiveOptions):
    """Options of :class:`~qiskit_rest_provider.EstimatorV2`."""

    _fields = {
        "default_precision": F(c.real(gt=0)),
        **_SHARED_FIELDS,
        "seed_estimator": F(c.seed(ge=0), wire=c.seed_wire),
        "resilience_level": F(c.integer(ge=0, le=2)),
    }
    _groups = {**_SHARED_GROUPS, "resilience": ResilienceOptions, "execution": ExecutionOptions}

    def to_params_extras(self) -> dict[str, Any]:
        """``{"resilience_level": n}`` when set."""
        level = self._field("resilience_level")
        return {} if level is None else {"resilience_level": int(level)}
