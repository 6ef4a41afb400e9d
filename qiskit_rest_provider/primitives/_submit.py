"""What both primitives share: resolving the mode, coercing PUBs, posting the job."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..codec.pubs import PubSpec
from ..exceptions import (
    ApiConnectionError,
    InvalidInputError,
    InvalidPubError,
    InvalidPubTypeError,
    RateLimitError,
    ServerError,
)

if TYPE_CHECKING:
    from ..codec.circuits import CircuitExport
    from ..service.job import RuntimeJob

__all__ = [
    "resolve_mode",
    "coerce_pubs",
    "encode_pubs",
    "submit",
    "create_job_once",
    "InvalidPubError",
    "IDEMPOTENCY_TAG_PREFIX",
]

IDEMPOTENCY_TAG_PREFIX = "qrp-submit-"
MAX_JOB_TAGS = 8  # the service's limit per job

logger = logging.getLogger(__name__)


def resolve_mode(mode: Any) -> tuple[Any, Any]:
    """Return ``(backend, session_or_None)`` for a backend, ``Session`` or ``Batch``.

    A session-like mode has ``_backend`` (the ``RestBackend``) and ``session_id``; with no mode,
    the innermost ``with Session(...)`` / ``with Batch(...)`` block is used. Any other Qiskit
    ``BackendV2`` (a fake backend, ``AerSimulator``...) selects local mode: the backend comes
    back as a :class:`~qiskit_rest_provider.service.local_backend.LocalBackend`.
    """
    from ..service.backend import RestBackend
    from ..service.local_backend import LocalBackend, is_local_backend, local_backend

    if mode is None:
        from ..service.execution import current_session

        mode = current_session()
        if mode is None:
            raise InvalidInputError(
                "No mode given. Pass mode=service.backend('name'), a Session or a Batch."
            )
    if isinstance(mode, RestBackend):
        return mode, None
    backend = getattr(mode, "_backend", None)
    if isinstance(backend, (RestBackend, LocalBackend)) and hasattr(mode, "session_id"):
        return backend, mode
    if is_local_backend(mode):
        return local_backend(mode), None
    raise InvalidInputError(
        f"mode={mode!r} is not supported: pass a backend from RuntimeService.backend() (or any "
        "Qiskit BackendV2 for local mode), a Session or a Batch."
    )


def coerce_pubs(pubs: Iterable[Any], coerce: Callable[[Any], Any]) -> list[Any]:
    """Coerce every PUB with Qiskit, naming the PUB index in any error."""
    if hasattr(pubs, "circuit") or not isinstance(pubs, Iterable):
        raise InvalidPubTypeError("run() takes a list of PUBs; wrap a single PUB in [ ].")
    coerced = []
    for index, pub in enumerate(pubs):
        try:
            coerced.append(coerce(pub))
        except TypeError as exc:
            raise InvalidPubTypeError(f"PUB {index}: {exc}") from exc
        except (KeyError, IndexError, AttributeError) as exc:
            # Qiskit's coerce indexes into whatever it is given (a dict, a string...).
            raise InvalidPubTypeError(
                f"PUB {index}: a {type(pub).__name__} is not a PUB ({type(exc).__name__}: {exc})."
            ) from exc
        except ValueError as exc:
            raise InvalidPubError(f"PUB {index}: {exc}") from exc
    return coerced


def check_parameter_names(pub: Any, index: int) -> None:
    """Qiskit checks only the number of parameter values; check their names too."""
    expected = {param.name for param in pub.circuit.parameters}
    given = {name for key in pub.parameter_values.data for name in key}
    unknown, missing = sorted(given - expected), sorted(expected - given)
    if unknown or missing:
        raise InvalidPubError(
            f"PUB {index}: parameter values name {unknown} that the circuit does not have"
            f" and miss {missing}. Key the values by the circuit's parameters "
            f"{sorted(expected)}."
        )


def encode_pubs(
    pubs: Sequence[Any], encode: Callable[[Any, CircuitExport], tuple[list[Any], PubSpec]]
) -> tuple[list[list[Any]], list[PubSpec]]:
    """Export each distinct circuit once and encode every PUB."""
    from ..codec.circuits import export_circuit  # lazy: keeps import cheap

    exports: dict[int, CircuitExport] = {}
    wire, specs = [], []
    for index, pub in enumerate(pubs):
        check_parameter_names(pub, index)
        key = id(pub.circuit)
        if key not in exports:
            exports[key] = export_circuit(pub.circuit)
        item, spec = encode(pub, exports[key])
        wire.append(item)
        specs.append(spec)
    return wire, specs


def submit(
    program: str,
    mode: Any,
    wire_pubs: list[list[Any]],
    specs: list[PubSpec],
    options: Any,
) -> RuntimeJob:
    """Post one job and return its handle (or run it in-process for a local backend)."""
    backend, session = resolve_mode(mode)
    if not hasattr(backend, "service"):  # a LocalBackend: local mode, no HTTP
        from ..service.local_job import run_local

        if session is not None and hasattr(session, "_id_for_job"):
            session._id_for_job()  # refuses a closed Session/Batch, as for the service
        return run_local(program, backend, wire_pubs, specs, options)  # type: ignore[return-value]
    params: dict[str, Any] = {
        "pubs": wire_pubs,
        "options": options.to_program_options(),
        "version": 2,
        "support_qiskit": True,
        **options.to_params_extras(),
    }
    body: dict[str, Any] = {
        "program_id": program,
        "backend": backend.name,
        "params": params,
        **options.to_job_fields(),
    }
    if session is not None:
        # ``_id_for_job`` refuses a closed Session/Batch with a clear error; duck-typed modes
        # only need ``session_id``. ``None`` (no server session) sends no field.
        if hasattr(session, "_id_for_job"):
            session_id = session._id_for_job()
        else:
            session_id = session.session_id
        if session_id is not None:
            body["session_id"] = session_id
    service = backend.service
    body.update(service.job_fields())  # hub/group/project on the Classic dialect
    created = create_job_once(service.jobs_api, body, service.transport.retry)
    logger.info("submitted %s job %s to %s", program, created.get("id"), backend.name)
    from ..service.job import RuntimeJob

    job = RuntimeJob(
        created["id"],
        jobs_api=service.jobs_api,
        program=program,
        backend_name=created.get("backend", backend.name),
        specs=specs,
        session_id=body.get("session_id"),
        tags=body.get("tags"),
        poll=service.poll_policy,
    )
    job._submitted_at = time.monotonic()  # noqa: SLF001 - the first poll waits from here
    return job


def create_job_once(jobs_api: Any, body: dict[str, Any], retry: Any) -> dict[str, Any]:
    """``POST /jobs`` that never creates a job twice.

    The body carries a unique tag. When the answer is lost (a 5xx or a dropped connection after
    the request may have reached the server), the tag is looked up with ``GET /jobs`` before
    posting again, so a job the server did create is adopted instead of duplicated. If the user
    already uses all the tags the service allows, there is no room for the marker: such a
    failure is then raised at once rather than risking a duplicate.
    """
    tags = list(body.get("tags") or [])
    key = None
    if len(tags) < MAX_JOB_TAGS:
        key = IDEMPOTENCY_TAG_PREFIX + uuid.uuid4().hex
        body["tags"] = [*tags, key]
    waited = 0.0
    for attempt in range(retry.max_attempts):
        try:
            return jobs_api.create(body)
        except RateLimitError as exc:
            delay = retry.delay(attempt, exc.retry_after)
            error: Exception = exc
        except (ServerError, ApiConnectionError) as exc:
            if key is None:
                raise
            found = _find_by_tag(jobs_api, key)
            if found is not None:
                logger.info("adopted job %s created before the answer was lost", found["id"])
                return found
            delay, error = retry.delay(attempt), exc
        if attempt + 1 >= retry.max_attempts or waited + delay > retry.max_total:
            raise error
        time.sleep(delay)
        waited += delay
    raise AssertionError("unreachable")  # pragma: no cover


def _find_by_tag(jobs_api: Any, key: str) -> dict[str, Any] | None:
    # If this lookup fails too we cannot tell whether the job exists, so its error propagates
    # rather than risking a duplicate.
    jobs = jobs_api.list(tags=key, limit=1, exclude_params=True).get("jobs") or []
    return jobs[0] if jobs else None
