"""Session time strings (``"10m"``, ``"2h 30m"``) as qiskit-ibm-runtime accepts them."""

from __future__ import annotations

import re

from ..exceptions import InvalidInputError

__all__ = ["hms_to_seconds", "max_time_seconds"]

_PART = re.compile(r"(\d+)\s*([dhms])")
_SCALE = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def hms_to_seconds(text: str) -> int:
    """``"2h 30m 10s"``/``"1d"`` -> seconds (units d, h, m, s), as qiskit-ibm-runtime accepts.

    Raises:
        ValueError: Not such a duration.
    """
    parts = _PART.findall(text)
    rest = _PART.sub("", text).strip()
    if not parts or rest:
        raise ValueError(f"invalid duration {text!r}; use e.g. '2h 30m' or seconds as an int")
    return sum(int(n) * _SCALE[u] for n, u in parts)


def max_time_seconds(max_time: int | str | None) -> int | None:
    """A session's ``max_time`` (seconds, or a time string) in seconds; ``None`` stays.

    Raises:
        InvalidInputError: Not a positive int nor a time string.
    """
    if max_time is None:
        return None
    if isinstance(max_time, str):
        try:
            return hms_to_seconds(max_time)
        except ValueError as exc:
            raise InvalidInputError(f"Invalid max_time: {exc}") from None
    if isinstance(max_time, bool) or not isinstance(max_time, int) or max_time < 1:
        raise InvalidInputError(
            f"max_time must be a positive int (seconds) or '2h 30m', got {max_time!r}."
        )
    return max_time
