"""Primitive options and the exact payload they produce.

Interface used by the primitives (keep it when extending the tree):

* ``options.default_shots`` / ``options.default_precision``: ``None`` when unset.
* ``options.to_program_options()`` -> the ``params.options`` dict (unset values not sent).
* ``options.to_params_extras()`` -> extra top-level ``params`` keys (``resilience_level``).
* ``options.to_job_fields()`` -> top-level ``POST /jobs`` fields (``log_level``, ``tags``,
  ``cost``, ``private``).
"""

from __future__ import annotations

from typing import Any

from ..exceptions import InvalidInputError

__all__ = ["EstimatorOptions", "SamplerOptions"]


class _Options:
    _fields: tuple[str, ...] = ("default_shots", "max_execution_time", "job_tags", "log_level")

    def __init__(self, **kwargs: Any) -> None:
        object.__setattr__(self, "_values", {})
        self.update(**kwargs)

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._fields:
            return self._values.get(name)
        raise AttributeError(f"{type(self).__name__} has no option {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in type(self)._fields:
            raise InvalidInputError(
                f"{type(self).__name__} has no option {name!r}; "
                f"valid options are {', '.join(type(self)._fields)}."
            )
        if value is None:
            self._values.pop(name, None)
        else:
            self._values[name] = value

    def update(self, **kwargs: Any) -> None:
        """Set several options at once."""
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values!r})"

    def to_program_options(self) -> dict[str, Any]:
        """The ``params.options`` payload."""
        return {k: v for k, v in self._values.items() if k in ("default_shots",)}

    def to_params_extras(self) -> dict[str, Any]:
        """Extra top-level ``params`` keys."""
        return {}

    def to_job_fields(self) -> dict[str, Any]:
        """Top-level ``POST /jobs`` fields."""
        fields: dict[str, Any] = {"log_level": self._values.get("log_level", "WARNING")}
        if self._values.get("job_tags"):
            fields["tags"] = list(self._values["job_tags"])
        if self._values.get("max_execution_time") is not None:
            fields["cost"] = int(self._values["max_execution_time"])
        return fields


class SamplerOptions(_Options):
    """Options of :class:`~qiskit_rest_provider.SamplerV2`."""


class EstimatorOptions(_Options):
    """Options of :class:`~qiskit_rest_provider.EstimatorV2`."""

    _fields = (*_Options._fields, "default_precision", "seed_estimator", "resilience_level")

    def to_program_options(self) -> dict[str, Any]:
        """The ``params.options`` payload."""
        keys = ("default_shots", "default_precision", "seed_estimator")
        return {k: v for k, v in self._values.items() if k in keys}

    def to_params_extras(self) -> dict[str, Any]:
        """``resilience_level`` when set."""
        level = self._values.get("resilience_level")
        return {} if level is None else {"resilience_level": int(level)}
