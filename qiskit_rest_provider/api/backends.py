"""``/backends`` resource."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..exceptions import BackendNotFoundError
from ..http import Transport
from ._errors import narrow_not_found

__all__ = ["BackendsApi"]


class BackendsApi:
    """List backends and read their configuration, properties and status."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(self) -> list[dict[str, Any]]:
        """``GET /backends`` -> device dicts (Classic's bare names become ``{"name": ...}``)."""
        devices = self._transport.get_json("backends").get("devices", [])
        return [{"name": item} if isinstance(item, str) else item for item in devices]

    def _get(self, name: str, what: str, **params: Any) -> dict[str, Any]:
        query = {key: value for key, value in params.items() if value is not None}
        what_missing = f"Backend '{name}'"
        if "calibration_id" in query:
            what_missing += f" with calibration_id '{query['calibration_id']}'"
        with narrow_not_found(BackendNotFoundError, what_missing):
            # Not json_object: a simulator's properties may be JSON null.
            data: dict[str, Any] = self._transport.get_json(
                f"backends/{quote(name, safe='')}/{what}", params=query or None
            )
        return data

    def configuration(self, name: str, *, calibration_id: str | None = None) -> dict[str, Any]:
        """``GET /backends/{name}/configuration[?calibration_id=]``."""
        return self._get(name, "configuration", calibration_id=calibration_id)

    def properties(
        self, name: str, *, datetime: Any = None, calibration_id: str | None = None
    ) -> dict[str, Any]:
        """``GET /backends/{name}/properties`` (``{}`` when the backend has none).

        Args:
            name: The backend.
            datetime: Ask for the calibration in force then (``updated_before``, UTC).
            calibration_id: Ask for that calibration.
        """
        before = None
        if datetime is not None:
            from datetime import timezone

            moment = datetime if datetime.tzinfo else datetime.astimezone()
            before = moment.astimezone(timezone.utc).isoformat()
        return (
            self._get(name, "properties", updated_before=before, calibration_id=calibration_id)
            or {}
        )

    def status(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/status``."""
        return self._get(name, "status")
