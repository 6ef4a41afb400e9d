"""The one place the api reads a JSON object out of a response."""

from __future__ import annotations

from typing import Any

import requests

from ..http.errors import response_json

__all__ = ["json_object"]


def json_object(response: requests.Response) -> dict[str, Any]:
    """The response's body as a JSON object.

    Raises:
        InvalidResponseError: The body is not JSON, or is JSON but not an object (a
            ``DecodeError``; the message names the request without its query string).
    """
    data: dict[str, Any] = response_json(response, dict)
    return data
