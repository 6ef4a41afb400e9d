"""The transpiler task API: ``POST /transpile`` -> ``{"task_id"}``, ``GET /transpile/{id}``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..http import Transport
from ._json import json_object

__all__ = ["TranspilerApi"]


class TranspilerApi:
    """Submit transpile tasks and read their state (research transpiler-service.md §2)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def submit(self, query: dict[str, Any], body: dict[str, Any]) -> str:
        """``POST /transpile`` with query ``backend, optimization_level, ai, ...``; the task id."""
        response = self._transport.request("POST", "transpile", params=query, json_body=body)
        return str(response.json()["task_id"])

    def task(self, task_id: str) -> dict[str, Any]:
        """``GET /transpile/{task_id}`` -> ``{"state": ..., "result": ...}``."""
        return json_object(self._transport.request("GET", f"transpile/{quote(task_id, safe='')}"))

    def version(self) -> dict[str, Any]:
        """``GET /version`` -> ``{"qiskit": "<version>", ...}``."""
        return json_object(self._transport.request("GET", "version"))
