"""The ``POST /jobs`` body, field by field: what each may hold, as a table of checks.

``JobService.submit`` reads the fields through :func:`read_fields` in the order the service
checks them; a field that fails its check is a 400 with the field's own message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import errors
from .errors import ApiError, bad_request
from .runner import MAX_COST

__all__ = [
    "Field",
    "PARAMS",
    "SETTINGS",
    "PROGRAMS",
    "LOG_LEVELS",
    "read_fields",
    "read_program",
    "starts_session",
    "validate_tags",
]

PROGRAMS = ("estimator", "sampler", "executor", "noise-learner")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
MAX_TAGS = 8
MAX_TAG_LENGTH = 86


@dataclass(frozen=True)
class Field:
    """One body field: its names (the first present wins), default, check and refusal."""

    name: str
    keys: tuple[str, ...]
    ok: Callable[[Any], bool]
    message: str
    default: Any = None


def _int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: not isinstance(v, bool) and isinstance(v, int) and low <= v <= high


PARAMS = Field(
    "params", ("params",), lambda v: isinstance(v, dict), "'params' must be a JSON object.", {}
)
SETTINGS = (
    Field(
        "log_level",
        ("log_level",),
        lambda v: v is None or (isinstance(v, str) and v.lower() in LOG_LEVELS),
        f"'log_level' must be one of {', '.join(LOG_LEVELS)}.",
    ),
    Field(
        "cost",
        ("cost", "max_execution_time"),
        lambda v: v is None or _int_in(0, MAX_COST)(v),
        f"'cost' must be an integer between 0 and {MAX_COST} seconds.",
    ),
    Field(
        "private",
        ("private",),
        lambda v: isinstance(v, bool),
        "'private' must be a boolean.",
        False,
    ),
)


def read_fields(body: Mapping[str, Any], fields: Sequence[Field]) -> dict[str, Any]:
    """The fields' values (defaults where absent), checked in order.

    Raises:
        ApiError: 400 with the first failing field's message.
    """
    out: dict[str, Any] = {}
    for field in fields:
        value = next((body[key] for key in field.keys if key in body), field.default)
        if not field.ok(value):
            raise bad_request(field.message)
        out[field.name] = value
    return out


def read_program(body: Mapping[str, Any]) -> str:
    """``program_id``: required, and one the emulator runs.

    Raises:
        ApiError: 400 when missing, 404 for an unknown program.
    """
    program = body.get("program_id")
    if not isinstance(program, str) or not program:
        raise bad_request("'program_id' is required.")
    if program not in PROGRAMS:
        raise ApiError(404, errors.PROGRAM_NOT_FOUND, f"Program not found: {program[:100]}")
    return program


def starts_session(body: Mapping[str, Any]) -> bool:
    """Whether the body asks ``/jobs`` to start a session (the service refuses that)."""
    value = body.get("start_session")
    # The seed sends "start_session": "False" (a string), which must mean false.
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def validate_tags(tags: Any) -> list[str]:
    """Checks a tag list against the service's limits (≤ 8 tags, each ≤ 86 characters)."""
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise bad_request("'tags' must be a list of strings.")
    if len(tags) > MAX_TAGS:
        raise bad_request("A job can have at most 8 tags.", errors.TOO_MANY_TAGS)
    if any(len(t) > MAX_TAG_LENGTH or not t for t in tags):
        raise bad_request("Each tag must have 1 to 86 characters.", errors.TAG_TOO_LONG)
    return tags
