"""The outermost ASGI layer: the Host check, failure injection, the body limit, request logs.

It wraps the whole FastAPI app (outside Starlette's own error middleware) so that injected
faults replace the real answer exactly as a broken proxy or server would, including a connection
closed with no answer at all. Only method, path and status are ever logged, never headers
(which carry tokens) or bodies (which carry API keys); control characters in a logged path are
escaped, so ``%0a`` cannot forge a log line.

The ``Host`` check defends a loopback server against DNS rebinding: a web page on
``evil.example`` whose name the attacker re-points at 127.0.0.1 reaches the emulator with
``Host: evil.example``. Accepted are IP literals (no name to re-point), ``localhost`` and its
sub-domains, the configured host, and what ``allowed_hosts`` adds (``"*"``: anything).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import time
from typing import Any

from . import errors
from .faults import Fault, FaultInjector

logger = logging.getLogger(__name__)

Scope = dict[str, Any]


class BodyTooLarge(Exception):
    """The request body exceeded ``max_body_bytes``."""


def _error_messages(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    body = json.dumps(errors.error_body(code, message)).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return [
        {"type": "http.response.start", "status": status, "headers": raw_headers},
        {"type": "http.response.body", "body": body, "more_body": False},
    ]


def _fault_response(fault: Fault) -> list[dict[str, Any]]:
    if fault.kind == "rate_limit":
        return _error_messages(
            fault.status or 429,
            errors.TOO_MANY_REQUESTS,
            fault.message or "Too many requests.",
            {"Retry-After": str(fault.retry_after)},
        )
    if fault.kind == "maintenance":
        return _error_messages(
            fault.status or 503,
            errors.MAINTENANCE,
            fault.message or "The service is in maintenance mode.",
            {"Retry-After": str(fault.retry_after)},
        )
    return _error_messages(
        fault.status or 500, errors.INTERNAL, fault.message or "Internal server error."
    )


def _drop(send: Any) -> bool:
    """Closes the client connection without an answer; returns whether it worked."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        logger.warning("cannot drop the connection (no transport): answering 500 instead")
        return False
    # Marking the cycle disconnected stops uvicorn from writing its own 500 afterwards.
    cycle.disconnected = True
    transport.abort()
    return True


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with each control character as a backslash, x and two hex digits."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _host_name(header: bytes) -> str:
    """The host of a ``Host`` header value, without port or IPv6 brackets, lowercased."""
    text = header.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    name, _, port = text.rpartition(":")
    return name if name and port.isdigit() else text


class HostCheck:
    """Decides which ``Host`` headers a server accepts (see the module docstring).

    Args:
        configured: The host the server was told to bind.
        extra: More accepted names; ``"*"`` accepts every host.
    """

    def __init__(self, configured: str, extra: list[str] | tuple[str, ...] = ()) -> None:
        names = {configured, *extra}
        self.any = "*" in names
        self.names = frozenset(n.strip().strip("[]").lower() for n in names if n)
        self._seen: dict[bytes, bool] = {}

    def allows(self, header: bytes | None) -> bool:
        """Whether a request with this ``Host`` header value (``None``: absent) is served."""
        if header is None or self.any:
            return True  # no Host (HTTP/1.0): not a browser's request, nothing to rebind
        verdict = self._seen.get(header)
        if verdict is None:
            verdict = self._decide(_host_name(header))
            if len(self._seen) < 1024:  # bounded: hosts are the caller's choice
                self._seen[header] = verdict
        return verdict

    def _decide(self, host: str) -> bool:
        if host in self.names or host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True


class EmulatorMiddleware:
    """ASGI wrapper applying faults, the body limit and access logging.

    Args:
        app: The FastAPI application.
        faults: The fault registry.
        max_body_bytes: Largest accepted request body.
        log_requests: Log one line per request.
        hosts: Which ``Host`` headers are served (all when ``None``).
    """

    def __init__(
        self,
        app: Any,
        faults: FaultInjector,
        max_body_bytes: int,
        log_requests: bool,
        hosts: HostCheck | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.max_body_bytes = max_body_bytes
        self.log_requests = log_requests
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_box = [0]

        async def send_logged(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            await self._handle(scope, receive, send, send_logged)
        finally:
            if self.log_requests:
                logger.info(
                    "%s %s -> %s (%.1f ms)",
                    printable(scope["method"]),
                    printable(scope["path"]),
                    status_box[0],
                    1000 * (time.perf_counter() - started),
                )

    async def _handle(self, scope: Scope, receive: Any, raw_send: Any, send: Any) -> None:
        headers = dict(scope["headers"])
        if self.hosts is not None and not self.hosts.allows(headers.get(b"host")):
            refusal = (
                "The Host header names a host this emulator does not serve (a guard against "
                "DNS rebinding); start it with --allow-host NAME to accept it."
            )
            for reply in _error_messages(400, errors.VALIDATION, refusal):
                await send(reply)
            return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            for message in _error_messages(413, errors.BODY_TOO_LARGE, "Request body too large."):
                await send(message)
            return
        fault = self.faults.for_request(scope["method"], scope["path"])
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.delay)
            fault = None
        if fault is not None and fault.kind == "drop" and _drop(raw_send):
            return
        if fault is not None and fault.kind in ("error", "rate_limit", "maintenance", "drop"):
            # (a "drop" lands here only if the server offers no transport to abort: answer 500)
            for message in _fault_response(fault):
                await send(message)
            return
        received = [0]

        async def limited_receive() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            received[0] += len(message.get("body", b""))
            if received[0] > self.max_body_bytes:
                raise BodyTooLarge
            return message

        if fault is None or fault.kind not in ("error_after", "drop_after"):
            await self.app(scope, limited_receive, send)
            return

        async def swallow(message: dict[str, Any]) -> None:
            return None  # the real answer is lost, as behind a failing gateway

        await self.app(scope, limited_receive, swallow)
        if fault.kind == "drop_after" and _drop(raw_send):
            return
        for message in _error_messages(
            fault.status or 500, errors.INTERNAL, fault.message or "Internal server error."
        ):
            await send(message)
