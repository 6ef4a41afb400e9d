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

    def _get(self, name: str, what: str) -> dict[str, Any]:
        with narrow_not_found(BackendNotFoundError, f"Backend '{name}'"):
            return self._transport.get_json(f"backends/{quote(name, safe='')}/{what}")

    def configuration(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/configuration``."""
        return self._get(name, "configuration")

    def properties(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/properties`` (``{}`` when the backend has none)."""
        return self._get(name, "properties") or {}

    def status(self, name: str) -> dict[str, Any]:
        """``GET /backends/{name}/status``."""
        return self._get(name, "status")
