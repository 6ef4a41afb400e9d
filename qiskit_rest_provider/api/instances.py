"""``/instances/usage`` (current dialect) and ``/usage`` (Classic)."""

from __future__ import annotations

from typing import Any

from ..http import Transport

__all__ = ["InstancesApi"]


class InstancesApi:
    """Usage of the instance the credentials act on."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def usage(self, *, classic: bool = False) -> dict[str, Any]:
        """``GET /instances/usage`` (Classic: ``GET /usage``)."""
        return dict(self._transport.get_json("usage" if classic else "instances/usage"))
