"""The one place the api reads a JSON object out of a response."""

from __future__ import annotations

from typing import Any

import requests

from ..exceptions import DecodeError

__all__ = ["json_object"]


def json_object(response: requests.Response) -> dict[str, Any]:
    """The response's body as a JSON object.

    Raises:
        DecodeError: The body is not JSON, or is JSON but not an object.
    """
    where = f"{response.request.method if response.request else ''} {response.url}".strip()
    try:
        data = response.json()
    except ValueError:
        raise DecodeError(f"{where} answered with a body that is not JSON.") from None
    if not isinstance(data, dict):
        raise DecodeError(f"{where} answered with JSON {type(data).__name__}, not an object.")
    return data
