"""Job attributes shared by remote and local jobs: tags, dates.

The client marks every job it creates with one internal tag (``qrp-submit-<uuid>``) so that a
``POST /jobs`` whose answer was lost can be looked up instead of sent twice (see
``api.JobsApi.create_once``). That tag is the client's business: :func:`user_tags` removes it
from every tag list a user reads (``job.tags``, ``service.jobs()``), so the tags read back are
exactly the tags set.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..api.jobs import IDEMPOTENCY_TAG_PREFIX, MAX_JOB_TAGS
from ..exceptions import InvalidInputError

__all__ = [
    "IDEMPOTENCY_TAG_PREFIX",
    "MAX_JOB_TAGS",
    "MAX_TAG_LENGTH",
    "check_tags",
    "user_tags",
    "parse_datetime",
]

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


class JobAttributes:
    """What a :class:`~qiskit_rest_provider.RuntimeJob` knows about itself besides its state.

    The names and types are qiskit-ibm-runtime 0.51's ``RuntimeJobV2``. Values the job was
    created without (retrieved jobs, a fresh submit) are read from ``GET /jobs/{id}`` once.
    """

    _job_id: str
    _api: Any
    _program: str
    _backend_name: str | None
    _session_id: str | None
    _tags: list[str]
    _job_data: dict[str, Any]
    _service: Any
    _backend: Any
    _params: dict[str, Any] | None

    ERROR = "ERROR"
    JOB_FINAL_STATES: tuple[str, ...] = ("DONE", "CANCELLED", "ERROR")

    def _job_field(self, key: str, *, exclude_params: bool = True) -> Any:
        """``key`` of the job object, fetched (once) if this handle has not seen it."""
        if key not in self._job_data:
            self._job_data.update(self._api.get(self._job_id, exclude_params=exclude_params))
        return self._job_data.get(key)

    @property
    def program_id(self) -> str:
        """``"estimator"`` or ``"sampler"``."""
        return self._program

    @property
    def primitive_id(self) -> str:
        """``"estimator"`` or ``"sampler"`` (qiskit-ibm-runtime's name)."""
        return self._program

    @property
    def session_id(self) -> str | None:
        """The session or batch the job ran in, if any."""
        return self._session_id

    @property
    def tags(self) -> list[str]:
        """The job's tags, as last seen (the client's internal submit marker left out)."""
        return user_tags(self._tags)

    @property
    def creation_date(self) -> datetime | None:
        """When the service created the job: a timezone-aware ``datetime`` in local time."""
        return parse_datetime(self._job_field("created"))

    @property
    def image(self) -> str:
        """The runtime image the job asked for (``""``: the default)."""
        return str(self._job_data.get("runtime") or "")

    @property
    def private(self) -> bool:
        """Whether the job's result can be read only once."""
        return bool(self._job_data.get("private", False))

    @property
    def instance(self) -> str | None:
        """The instance (CRN) the job belongs to."""
        return getattr(self._service, "instance", None)

    @property
    def usage_estimation(self) -> dict[str, Any]:
        """``{"quantum_seconds": ...}``: the service's estimate of the job's QPU time."""
        return {"quantum_seconds": self._job_field("estimated_running_time_seconds")}

    @property
    def inputs(self) -> dict[str, Any]:
        """The job's ``params`` (PUBs in wire form: OpenQASM 3 text, values, observables)."""
        if self._params is None:
            data = self._api.get(self._job_id, exclude_params=False)
            self._params = dict(data.get("params") or {})
        return self._params

    def backend_name(self) -> str | None:
        """Name of the backend the job runs on."""
        return self._backend_name

    def backend(self, timeout: float | None = None) -> Any:
        """The backend object the job runs on (``None`` if the service has not said)."""
        if self._backend is None and self._service is not None:
            name = self._backend_name or self._job_field("backend")
            if name:
                self._backend = self._service.backend(name)
        return self._backend

    def properties(self, refresh: bool = False) -> Any:
        """The backend's calibration when the job started running (else when it was created).

        ``None`` without a backend or on a simulator, as qiskit-ibm-runtime.
        """
        backend = self.backend()
        if backend is None or getattr(backend, "simulator", False):
            return None
        running = (self.metrics().get("timestamps") or {}).get("running")
        moment = parse_datetime(running) or self.creation_date
        return backend.properties(refresh=refresh, datetime=moment)

    def logs(self) -> str:
        """The job's log text."""
        return str(self._api.logs(self._job_id))

    def metrics(self) -> dict[str, Any]:
        """Timestamps and usage of the job."""
        return dict(self._api.metrics(self._job_id))

    def usage(self, partial: bool = False) -> float:
        """Quantum seconds the job was charged (0 while pending unless ``partial``)."""
        usage = self.metrics().get("usage") or {}
        if not partial and usage.get("status") == "pending":
            return 0.0
        return float(usage.get("qpu_charge_time_seconds", usage.get("quantum_seconds", 0)) or 0)

    def update_tags(self, new_tags: list[str] | None = None, **kwargs: Any) -> list[str]:
        """Replace the job's tags; returns the new tags.

        Args:
            new_tags: The tags (qiskit-ibm-runtime's keyword).
            **kwargs: ``tags=``, this package's earlier keyword, is accepted too.

        Raises:
            InvalidInputError: Not a list of strings, or beyond the service's limits.
        """
        if "tags" in kwargs:
            new_tags = kwargs.pop("tags")
        if kwargs:
            raise TypeError(f"update_tags() got unexpected arguments {sorted(kwargs)}")
        tags = check_tags(list(dict.fromkeys(new_tags or [])))
        self._api.update_tags(self._job_id, tags)
        self._tags = tags
        self._job_data["tags"] = tags
        return self.tags
