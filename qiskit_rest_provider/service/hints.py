"""Errors that say what to do: the first-hour mistakes, explained where they surface."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ..exceptions import (
    AuthenticationError,
    BackendNotFoundError,
    PermissionDeniedError,
    QiskitRestError,
)
from ..http import Transport

if TYPE_CHECKING:
    import requests

    from ..api import BackendsApi

__all__ = ["NO_INSTANCE", "MissingInstanceTransport", "backend_not_found", "configuration"]

NO_INSTANCE = (
    "No instance was given, so no Service-CRN was sent and the service refused the request. "
    "Pass instance='crn:v1:bluemix:public:quantum-computing:...' to RuntimeService (or to "
    "RuntimeService.save_account), or set QISKIT_IBM_INSTANCE. The CRN is on your instance's "
    "page in IBM Cloud (Resource list > Compute > your Quantum Computing instance)."
)


class MissingInstanceTransport(Transport):
    """A transport for a cloud account without an instance: it explains the refusal.

    Every ``/api/v1`` request needs a ``Service-CRN``; without one the service answers 401
    "Invalid credentials" (or 403) for a perfectly valid API key. Errors from the token
    service itself (a wrong key) are left as they are.
    """

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """As :meth:`Transport.request`; a 401/403 from the API says no instance was sent."""
        try:
            return super().request(method, path, **kwargs)
        except (AuthenticationError, PermissionDeniedError) as exc:
            if not (exc.url or "").startswith(self.base_url):
                raise
            raise exc.recast(type(exc), f"{NO_INSTANCE} ({exc.message})") from None


def backend_not_found(
    name: str, error: BackendNotFoundError, backends_api: BackendsApi
) -> BackendNotFoundError:
    """``error`` with the instance's backends listed (and the closest name, if any)."""
    try:
        names = sorted(str(item["name"]) for item in backends_api.list() if "name" in item)
    except QiskitRestError:  # the listing is a courtesy; the original error still stands
        return error
    message = f"Backend {name!r} was not found in this instance. "
    message += f"Its backends: {', '.join(names)}." if names else "It has no backends."
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        message += f" Did you mean {close[0]!r}?"
    return error.recast(BackendNotFoundError, message)


def configuration(
    backends_api: BackendsApi, name: str, calibration_id: str | None = None
) -> dict[str, Any]:
    """``GET /backends/{name}/configuration``; an unknown name lists the backends that exist.

    Raises:
        BackendNotFoundError: No such backend (the message names those there are), or no such
            calibration of it.
    """
    if calibration_id is not None:  # the error names the calibration id already
        return backends_api.configuration(name, calibration_id=calibration_id)
    try:
        return backends_api.configuration(name)
    except BackendNotFoundError as exc:
        raise backend_not_found(name, exc, backends_api) from None
