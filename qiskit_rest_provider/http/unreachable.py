"""What to say when no HTTP answer came back: which URL, and the likely cause."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import requests

__all__ = ["is_refused", "is_loopback", "unreachable_message"]

EMULATOR_HINT = (
    "If this is the emulator, it may not be running: start it with `qiskit-rest emulator "
    "--port PORT` (or start_emulator() in Python) and use the URL it prints."
)


def is_refused(exc: BaseException) -> bool:
    """Whether the connection was refused (nothing listens there), so nothing was sent."""
    text = repr(exc)
    return isinstance(exc, requests.ConnectionError) and (
        "NewConnectionError" in text or "Connection refused" in text
    )


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unreachable_message(what: str, url: str, exc: BaseException) -> str:
    """The message of an ``ApiConnectionError`` for ``what`` (e.g. "the token service") at ``url``.

    Never includes request headers or bodies, so credentials cannot leak through it.
    """
    where = url.split("?", 1)[0]
    if not is_refused(exc):
        return f"Could not reach {what} at {where}: {type(exc).__name__}."
    parts = urlsplit(where)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else where
    reason = "connection refused" if "refused" in repr(exc).lower() else "no connection"
    message = f"No server answers at {origin} ({reason} while calling {what} {where})."
    if is_loopback(where):
        message += " " + EMULATOR_HINT
    else:
        message += " Check the URL (url= / QISKIT_IBM_URL) and your network or proxy settings."
    return message
