"""Handing a primitive job to the service: the mode, the ``POST /jobs`` body, the job handle.

The primitives coerce and validate PUBs and call :func:`submit_job`; the body is built by
:func:`..codec.jobs.job_body` and created exactly once by :meth:`..api.JobsApi.create_once`.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from ..codec.jobs import job_body
from ..exceptions import InvalidInputError
from .backend import RestBackend
from .execution import Batch, Session, current_session
from .job import RuntimeJob
from .job_attributes import check_tags
from .local_backend import LocalBackend, is_local_backend, local_backend
from .polling import is_loopback

if TYPE_CHECKING:
    from qiskit.providers import BackendV2

    from ..codec.pubs import PubSpec
    from .local_job import LocalRuntimeJob

__all__ = ["Mode", "JobOptions", "resolve_mode", "submit_job"]

logger = logging.getLogger(__name__)

Mode: TypeAlias = "RestBackend | Session | Batch | BackendV2 | None"
"""What a primitive runs on: a backend, a session or batch, or (``None``) the open one.

Any other Qiskit ``BackendV2`` (a fake backend, ``AerSimulator``...) selects local mode."""


class JobOptions(Protocol):
    """What a primitive's options contribute to the job body."""

    def to_program_options(self) -> dict[str, Any]:
        """The ``params.options`` payload."""

    def to_params_extras(self) -> dict[str, Any]:
        """Extra top-level ``params`` keys."""

    def to_job_fields(self) -> dict[str, Any]:
        """Top-level job fields."""


def resolve_mode(mode: Mode) -> tuple[RestBackend | LocalBackend, Session | None]:
    """Return ``(backend, session_or_None)`` for a backend, ``Session`` or ``Batch``.

    With no mode, the innermost ``with Session(...)`` / ``with Batch(...)`` block is used. Any
    other Qiskit ``BackendV2`` comes back as a :class:`.local_backend.LocalBackend`.

    Raises:
        InvalidInputError: No mode and no open block, or not a mode of this package.
    """
    if mode is None:
        mode = current_session()
        if mode is None:
            raise InvalidInputError(
                "No mode given. Pass mode=service.backend('name'), a Session or a Batch."
            )
    if isinstance(mode, RestBackend):
        return mode, None
    if isinstance(mode, Session):
        return mode.rest_backend, mode
    if is_local_backend(mode):
        return local_backend(mode), None
    raise InvalidInputError(
        f"mode={mode!r} is not supported: pass a backend from RuntimeService.backend() (or any "
        "Qiskit BackendV2 for local mode), a Session or a Batch."
    )


def submit_job(
    program: str,
    mode: Mode,
    wire_pubs: list[list[Any]],
    specs: list[PubSpec],
    options: JobOptions,
) -> RuntimeJob | LocalRuntimeJob:
    """Create one job (exactly once) and return its handle; local mode runs it in-process.

    Raises:
        SessionClosedError: The session or batch was closed.
    """
    backend, session = resolve_mode(mode)
    if isinstance(backend, LocalBackend):  # local mode: no HTTP
        from .local_run import run_local

        if session is not None:
            session.id_for_job()  # refuses a closed Session/Batch, as for the service
        return run_local(program, backend, wire_pubs, specs, options)
    service = backend.service
    job_fields = options.to_job_fields()
    # Checked here, when the job is sent, as qiskit-ibm-runtime does (not when the option is set).
    check_tags(job_fields.get("tags"))
    body = job_body(
        program,
        backend.name,
        wire_pubs,
        program_options=options.to_program_options(),
        params_extras=options.to_params_extras(),
        job_fields=job_fields,
        session_id=None if session is None else session.id_for_job(),
        account_fields=service.job_fields(),  # hub/group/project on the Classic dialect
    )
    if backend.calibration_id is not None:  # service.backend(name, calibration_id=...)
        body["calibration_id"] = backend.calibration_id
    created = service.jobs_api.create_once(body)
    logger.info("submitted %s job %s to %s", program, created.get("id"), backend.name)
    if body.get("private"):  # the answer echoes it, or not
        created = {**created, "private": True}
    return RuntimeJob(
        created["id"],
        jobs_api=service.jobs_api,
        program=program,
        backend_name=created.get("backend", backend.name),
        specs=specs,
        session_id=body.get("session_id"),
        tags=body.get("tags"),
        poll=service.poll_policy,
        submitted_at=time.monotonic(),
        service=service,
        backend=backend,
        params=body.get("params"),
        # What the answer says (a status too, if the server sends one) is known at once.
        job_data=created,
        # A server on this machine runs a small job in the time of the first poll.
        results_first=is_loopback(service.transport.base_url),
    )
