"""``/backends`` resource."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..exceptions import BackendNotFoundError, NotFoundError
from ..http import Transport

__all__ = ["BackendsApi"]


class BackendsApi:
    """List backends and read their configuration, properties and status."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(self) -> list[dict[str, Any]]:
        """``GET /backends`` -> device dicts (Classic's bare names become ``{"name": ...}``)."""
        devices = self._transport.get_json("backends").get("devices", [])
        return [{"name": item} if isinstance(item, str) else item for item in devices]

    def _get(self, name: str, what: str) -> dict[str, Any]:
        try:
            return self._transport.get_json(f"backends/{quote(name, safe='')}/{what}")
        except NotFoundError as exc:
            raise BackendNotFoundError(
                f"Backend '{name}' was not found: {exc.message}",
                status_code=exc.status_code,
                code=exc.code,
                trace=exc.trace,
            ) from exc

    def configuration(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/configuration``."""
        return self._get(name, "configuration")

    def properties(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/properties`` (``{}`` when the backend has none)."""
        return self._get(name, "properties") or {}

    def status(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/status``."""
        return self._get(name, "status")
