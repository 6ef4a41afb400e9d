"""The ``POST /jobs`` body (research runtime-rest-api.md §2): pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["job_body"]


def job_body(
    program: str,
    backend: str,
    pubs: list[list[Any]],
    *,
    program_options: Mapping[str, Any],
    params_extras: Mapping[str, Any],
    job_fields: Mapping[str, Any],
    session_id: str | None = None,
    account_fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the body of ``POST /jobs`` for one primitive job.

    Args:
        program: ``"sampler"`` or ``"estimator"``.
        backend: Backend name.
        pubs: The PUBs in wire form (``codec.pubs``).
        program_options: ``params.options`` (the options tree as the program reads it).
        params_extras: Further top-level ``params`` keys (the estimator's ``resilience_level``).
        job_fields: Top-level job fields from the options (``log_level``, ``tags``, ``cost``,
            ``private``, ``runtime``).
        session_id: The session or batch the job joins; no field when ``None``.
        account_fields: Fields the account's dialect adds (Classic ``hub``/``group``/
            ``project``).

    Returns:
        The body, ready for JSON.
    """
    params: dict[str, Any] = {
        "pubs": pubs,
        "options": dict(program_options),
        "version": 2,
        "support_qiskit": True,
        **params_extras,
    }
    body: dict[str, Any] = {
        "program_id": program,
        "backend": backend,
        "params": params,
        **job_fields,
    }
    if session_id is not None:
        body["session_id"] = session_id
    body.update(account_fields or {})
    return body
