"""Job attributes shared by remote and local jobs: tags, dates.

The client marks every job it creates with one internal tag (``qrp-submit-<uuid>``) so that a
``POST /jobs`` whose answer was lost can be looked up instead of sent twice (see
``primitives/_submit.py``). That tag is the client's business: :func:`user_tags` removes it
from every tag list a user reads (``job.tags``, ``service.jobs()``), so the tags read back are
exactly the tags set.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..exceptions import InvalidInputError

__all__ = [
    "IDEMPOTENCY_TAG_PREFIX",
    "MAX_JOB_TAGS",
    "MAX_TAG_LENGTH",
    "check_tags",
    "user_tags",
    "parse_datetime",
]

IDEMPOTENCY_TAG_PREFIX = "qrp-submit-"
MAX_JOB_TAGS = 8  # the service's limit per job
MAX_TAG_LENGTH = 86  # the service's limit per tag


def user_tags(tags: Iterable[Any] | None) -> list[str]:
    """``tags`` without the client's internal submit marker."""
    return [tag for tag in tags or [] if not str(tag).startswith(IDEMPOTENCY_TAG_PREFIX)]


def check_tags(tags: Any) -> list[str]:
    """Job tags as the service accepts them (checked when a job is submitted or retagged).

    Raises:
        InvalidInputError: Not a list of strings (qiskit-ibm-runtime's check), more than 8
            tags, or a tag that is empty or longer than 86 characters (the service's limits).
    """
    if tags is None:
        return []
    if not isinstance(tags, (list, tuple)) or not all(isinstance(tag, str) for tag in tags):
        raise InvalidInputError("job_tags needs to be a list of strings.")
    if len(tags) > MAX_JOB_TAGS:
        raise InvalidInputError(f"A job may carry at most {MAX_JOB_TAGS} tags, got {len(tags)}.")
    for tag in tags:
        if not tag or len(tag) > MAX_TAG_LENGTH:
            raise InvalidInputError(
                f"Each job tag must have 1 to {MAX_TAG_LENGTH} characters, got {tag!r}."
            )
        if tag.startswith(IDEMPOTENCY_TAG_PREFIX):
            raise InvalidInputError(
                f"Tags starting with {IDEMPOTENCY_TAG_PREFIX!r} are reserved for the client's "
                "duplicate-submit protection."
            )
    return list(tags)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 string (or ``datetime``) as a timezone-aware ``datetime`` in local time.

    qiskit-ibm-runtime's ``creation_date`` is the service's UTC time converted to local time;
    a naive value is taken as UTC, as the service sends UTC.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone()
