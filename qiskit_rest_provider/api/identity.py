"""``POST /logout``: ending the current bearer token on the server."""

from __future__ import annotations

from ..exceptions import NotFoundError
from ..http import Transport

__all__ = ["IdentityApi"]


class IdentityApi:
    """The caller's own credentials on the service."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def logout(self) -> bool:
        """``POST /logout``; ``False`` when the service has no such endpoint (a 404)."""
        try:
            self._transport.request("POST", "logout")
        except NotFoundError:
            return False
        return True
