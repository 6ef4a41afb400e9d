"""Requests prepared without ``Session.prepare_request``: the same request, a tenth of the work.

``Session.prepare_request`` spends ~0.2 ms per request on a job's tiny calls: it merges the
session's settings through generic helpers (``runtime_checkable`` protocol checks), looks for a
``~/.netrc`` on disk, re-parses and re-quotes the whole URL and validates every header again.
For a *plain* session (no session-level auth, params, cookies or hooks: what
:class:`.Transport` makes, and what most callers share) the result is predictable, so
:class:`RequestFactory` builds the same :class:`requests.PreparedRequest` directly:

* the API root is prepared by ``requests`` once; a path of plain characters (what the API
  classes send: fixed segments and ids quoted with ``quote(..., safe='')``) is appended as is,
  anything else goes through ``requests``' own URL preparation;
* the query is ``urlencode``'d as ``requests`` does;
* the merged headers (session's, then the request's) are validated once per distinct set and
  reused;
* ``Content-Length`` as ``requests`` sets it.

One deliberate difference: ``~/.netrc`` is not consulted. ``requests`` would replace the
client's own ``Authorization`` header (the service's token) with the netrc password for the
host, which no caller of this API wants. Any other session setting takes the full path.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import requests
from requests.hooks import default_hooks
from requests.structures import CaseInsensitiveDict
from requests.utils import check_header_validity

__all__ = ["RequestFactory", "is_plain"]

# Paths whose characters ``requests`` leaves exactly as they are (no dot segments, no
# percent-escapes to normalise): segments of letters, digits, ``_``, ``-`` and ``~``.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_~-]+(?:/[A-Za-z0-9_~-]+)*")
_MAX_CACHED = 32


def is_plain(session: requests.Session) -> bool:
    """Whether ``prepare_request`` would add nothing to a request but the session's headers."""
    return (
        session.auth is None
        and not session.params
        and not any(session.hooks.values())
        and len(session.cookies) == 0
    )


class RequestFactory:
    """Prepared requests for paths under one API root.

    Args:
        base_url: The API root, without a trailing slash.
    """

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        prefix = requests.PreparedRequest()
        prefix.prepare_url(base_url + "/", None)
        # A root with a query or fragment cannot take a path appended: every URL goes the
        # full way then.
        self._prefix = prefix.url if "?" not in base_url and "#" not in base_url else None
        self._headers: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}

    def url(self, url: str, params: dict[str, Any]) -> str:
        """What ``requests`` makes of ``url`` with ``params`` as the query."""
        root = self._base_url + "/"
        path = url[len(root) :]
        if self._prefix is None or not url.startswith(root) or not _PLAIN_PATH.fullmatch(path):
            prepared = requests.PreparedRequest()
            prepared.prepare_url(url, params)
            return str(prepared.url)
        query = urlencode(list(params.items()), doseq=True) if params else ""
        return f"{self._prefix}{path}?{query}" if query else self._prefix + path

    def prepare(
        self,
        session: requests.Session,
        method: str,
        url: str,
        data: bytes | None,
        headers: dict[str, str],
    ) -> requests.PreparedRequest:
        """The request ``session.prepare_request`` would make, for a plain session.

        Args:
            session: A session for which :func:`is_plain` holds.
            method: HTTP method.
            url: From :meth:`url`.
            data: The body, already encoded.
            headers: This request's headers (they override the session's).

        Raises:
            requests.exceptions.InvalidHeader: A header name or value ``requests`` refuses
                (e.g. a line break in a value).
        """
        prepared = requests.PreparedRequest()
        prepared.method = method.upper()
        prepared.url = url
        prepared.headers = CaseInsensitiveDict(self._merged(session.headers, headers))
        prepared._cookies = None  # noqa: SLF001 - what an empty jar would give
        if data:
            prepared.body = data
            prepared.headers["Content-Length"] = str(len(data))
        else:
            prepared.body = None
            if prepared.method not in ("GET", "HEAD"):
                prepared.headers["Content-Length"] = "0"
        prepared.hooks = default_hooks()
        return prepared

    def _merged(self, base: Any, headers: dict[str, str]) -> tuple[tuple[str, str], ...]:
        key = (tuple(base.items()), tuple(headers.items()))
        merged = self._headers.get(key)
        if merged is None:
            combined: CaseInsensitiveDict[Any] = CaseInsensitiveDict(base)
            combined.update(headers)
            items = []
            for name, value in combined.items():
                if value is None:  # ``requests`` drops a header set to None
                    continue
                check_header_validity((name, value))
                items.append((name, value))
            merged = tuple(items)
            if len(self._headers) >= _MAX_CACHED:  # tokens are renewed: keep only recent sets
                self._headers.clear()
            self._headers[key] = merged
        return merged
