"""Value checks for options: each returns the value normalised or raises ``ValueError``.

The bounds are the service's (ibm-quantum-schemas models, research runtime-rest-api.md §3.4) so a
value rejected here would have been rejected by the server after a round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

__all__ = [
    "boolean",
    "integer",
    "real",
    "choice",
    "or_auto",
    "real_list",
    "int_list",
    "extrapolators",
    "str_list",
    "free_dict",
    "coupling_map",
    "coupling_map_wire",
    "noise_model",
    "noise_model_wire",
    "log_level",
    "job_tags",
    "callback",
    "EXTRAPOLATOR_FACTORS",
]

Check = Callable[[Any], Any]

#: How many noise factors each ZNE extrapolator needs (qiskit-ibm-runtime ZneOptions).
EXTRAPOLATOR_FACTORS: dict[str, int] = {
    "linear": 2,
    "exponential": 2,
    "double_exponential": 4,
    "fallback": 1,
    **{f"polynomial_degree_{k}": k + 1 for k in range(1, 8)},
}


def boolean(value: Any) -> bool:
    """A real ``bool`` (``1``/``"true"`` are refused: they hide mistakes)."""
    if not isinstance(value, bool):
        raise TypeError(f"expected True or False, got {value!r}")
    return value


def _bounds(value: float, ge: float | None, gt: float | None, le: float | None) -> None:
    if ge is not None and not value >= ge:
        raise ValueError(f"must be >= {ge}, got {value!r}")
    if gt is not None and not value > gt:
        raise ValueError(f"must be > {gt}, got {value!r}")
    if le is not None and not value <= le:
        raise ValueError(f"must be <= {le}, got {value!r}")


def integer(ge: int | None = None, le: int | None = None) -> Check:
    """An ``int`` within bounds."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise TypeError(f"expected an integer, got {value!r}")
        _bounds(int(value), ge, None, le)
        return int(value)

    return check


def seed(ge: int | None = None) -> Check:
    """An integer seed, or a ``numpy.random.Generator`` that draws one each time it is sent."""
    as_integer = integer(ge=ge)

    def check(value: Any) -> Any:
        import numpy as np

        return value if isinstance(value, np.random.Generator) else as_integer(value)

    return check


def seed_wire(value: Any) -> int:
    """The integer sent; a generator draws a fresh one per job.

    So a seeded generator reproduces a sequence of runs, as with Qiskit's reference primitives.
    """
    if isinstance(value, int):
        return value
    return int(value.integers(0, 2**31))


def real(ge: float | None = None, gt: float | None = None, le: float | None = None) -> Check:
    """A real number within bounds (ints stay ints, so the payload keeps the user's form)."""

    def check(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"expected a number, got {value!r}")
        _bounds(float(value), ge, gt, le)
        return int(value) if isinstance(value, Integral) else float(value)

    return check


def choice(*allowed: str) -> Check:
    """One of a fixed set of strings."""

    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(map(repr, allowed))}; got {value!r}")
        return str(value)

    return check


def or_auto(inner: Check) -> Check:
    """``"auto"`` or whatever ``inner`` accepts."""

    def check(value: Any) -> Any:
        return "auto" if value == "auto" else inner(value)

    return check


def _sequence(value: Any) -> Sequence[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        if hasattr(value, "tolist"):
            listed: list[Any] = value.tolist()
            return listed
        raise TypeError(f"expected a list, got {value!r}")
    return value


def real_list(ge: float | None = None, non_empty: bool = True) -> Check:
    """A list of numbers, each within bounds."""
    item = real(ge=ge)

    def check(value: Any) -> tuple[float | int, ...]:
        items = tuple(item(v) for v in _sequence(value))
        if non_empty and not items:
            raise ValueError("must not be empty")
        return items

    return check


def int_list(ge: int | None = None) -> Check:
    """A list of integers, each within bounds."""
    item = integer(ge=ge)

    def check(value: Any) -> tuple[int, ...]:
        return tuple(item(v) for v in _sequence(value))

    return check


def extrapolators(value: Any) -> str | tuple[str, ...]:
    """One ZNE extrapolator name or a non-empty list of them."""
    names = [value] if isinstance(value, str) else list(_sequence(value))
    if not names:
        raise ValueError("at least one extrapolator is needed")
    for name in names:
        if name not in EXTRAPOLATOR_FACTORS:
            raise ValueError(
                f"unknown extrapolator {name!r}; use one of {', '.join(EXTRAPOLATOR_FACTORS)}"
            )
    return value if isinstance(value, str) else tuple(names)


def str_list(value: Any) -> tuple[str, ...]:
    """A list of strings."""
    items = tuple(_sequence(value))
    if not all(isinstance(item, str) for item in items):
        raise TypeError(f"expected a list of strings, got {value!r}")
    return items


def job_tags(value: Any) -> tuple[str, ...]:
    """Job tags: a list of strings (the service's limits are checked when the job is sent)."""
    return str_list(value)


def free_dict(value: Any) -> dict[str, Any]:
    """Any JSON-like dict (copied so later edits by the caller do not leak in)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a dict, got {value!r}")
    return dict(value)


def coupling_map(value: Any) -> Any:
    """A ``CouplingMap`` or a list of ``[control, target]`` pairs."""
    if hasattr(value, "get_edges"):
        return value
    edges = []
    for edge in _sequence(value):
        pair = tuple(integer(ge=0)(q) for q in _sequence(edge))
        if len(pair) != 2:
            raise ValueError(f"each edge must be a pair of qubits, got {edge!r}")
        edges.append(pair)
    return tuple(edges)


def coupling_map_wire(value: Any) -> list[list[int]]:
    """``[[a, b], ...]``, the form the service expects."""
    edges = value.get_edges() if hasattr(value, "get_edges") else value
    return [[int(a), int(b)] for a, b in edges]


def noise_model(value: Any) -> Any:
    """An Aer ``NoiseModel`` or its dict form (honoured by local simulators only)."""
    if isinstance(value, Mapping) or hasattr(value, "to_dict"):
        return value
    raise TypeError(f"expected a qiskit_aer NoiseModel or a dict, got {type(value).__name__}")


def noise_model_wire(value: Any) -> Any:
    """The tagged form qiskit-ibm-runtime's encoder uses for a ``NoiseModel``."""
    if isinstance(value, Mapping):
        return dict(value)
    return {"__type__": "NoiseModel", "__value__": value.to_dict(serializable=True)}


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(value: Any) -> str:
    """A logging level name, any case; stored upper-case as the official client sends it."""
    if not isinstance(value, str) or value.upper() not in _LEVELS:
        raise ValueError(f"expected one of {', '.join(_LEVELS)}, got {value!r}")
    return value.upper()


def callback(value: Any) -> Callable[..., Any]:
    """Any callable."""
    if not callable(value):
        raise TypeError(f"expected a callable, got {value!r}")
    function: Callable[..., Any] = value
    return function
