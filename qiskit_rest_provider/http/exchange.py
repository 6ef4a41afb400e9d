"""One HTTP exchange against an untrusted server: bounded in time and memory, same origin only.

* **Time:** the whole exchange (connect, headers, body, same-origin redirects) ends by one
  deadline (:mod:`.deadline`), not merely a timeout between two bytes.
* **Memory:** the body is read in chunks and decompressed here (gzip/deflate) while counting,
  so a small gzip that would expand to gigabytes stops at ``max_bytes`` with a typed error.
* **Credentials:** redirects are followed only to the same origin (scheme, host, port). A
  redirect elsewhere is refused with :class:`RedirectRefusedError` before anything is sent
  there, so neither a credential header nor a body (e.g. an API key form) ever leaves.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import extract_cookies_to_jar
from urllib3.exceptions import HTTPError as _Urllib3Error

from ..exceptions import ApiTimeoutError, InvalidResponseError
from . import loopback
from .deadline import DeadlineAdapter, deadline_scope
from .errors import RedirectRefusedError, ResponseTooLargeError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RESULT_BYTES",
    "MAX_REDIRECTS",
    "bounded_session",
    "exchange",
    "origin",
    "safe_url",
]

DEFAULT_MAX_RESPONSE_BYTES = 64 * 2**20
"""Cap of any answer except a job's result (the largest backend properties are a few MB)."""
DEFAULT_MAX_RESULT_BYTES = 2**30
"""Cap of a job's result whose size the client cannot derive from the PUBs: the largest
legitimate one, 10 million shots of ~100-bit hex samples, is ~300 MB of plain JSON."""
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A method-changing redirect drops the body, and these headers describe that body.
_BODY_HEADERS = ("Content-Type", "Content-Length", "Transfer-Encoding")


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of ``url``, with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # an invalid port never equals a valid one
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def safe_url(url: str) -> str:
    """``url`` without user info, query or fragment (the parts that may carry a secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def bounded_session(session: requests.Session | None = None) -> requests.Session:
    """``session`` (or a new one) with deadline-aware adapters in place of plain ones.

    Custom adapters a caller mounted are kept; requests through them are still bounded between
    chunks of the body, only a stalled read cannot be cut short.
    """
    session = session or requests.Session()
    for prefix in ("https://", "http://"):
        adapter = session.adapters.get(prefix)
        if adapter is None or type(adapter) is requests.adapters.HTTPAdapter:
            kwargs: dict[str, Any] = {}
            if adapter is not None:
                kwargs = {
                    "pool_connections": adapter._pool_connections,  # noqa: SLF001
                    "pool_maxsize": adapter._pool_maxsize,  # noqa: SLF001
                    "max_retries": adapter.max_retries,
                    "pool_block": adapter._pool_block,  # noqa: SLF001
                }
            session.mount(prefix, DeadlineAdapter(**kwargs))
    return session


def exchange(
    session: requests.Session,
    request: requests.PreparedRequest,
    *,
    timeout: tuple[float, float],
    deadline: float,
    max_bytes: int,
    settings: Callable[[str], dict[str, Any]],
    direct: bool = False,
) -> requests.Response:
    """Send ``request`` and read the whole answer, within ``deadline`` and ``max_bytes``.

    Args:
        session: The session (its adapters should come from :func:`bounded_session`).
        request: The prepared request.
        timeout: ``(connect, read)`` seconds for each wait.
        deadline: ``time.monotonic()`` value by which everything must be done.
        max_bytes: Largest body accepted, counted after decompression.
        settings: Keyword arguments for ``session.send`` for a URL (proxies, TLS).
        direct: Hand the request to the session's adapter without ``Session.send`` (for a
            plain session, see :mod:`.prepared`: no hooks to run); cookies the server sets
            are still kept in the session's jar.

    Returns:
        The final response, its body already read (``response.content`` is set).

    Raises:
        requests.RequestException: Transport failures, for the caller's retry decision.
        ApiTimeoutError: The deadline passed.
        RedirectRefusedError: A redirect to another origin, or too many redirects.
        ResponseTooLargeError: The body exceeded ``max_bytes``.
        InvalidResponseError: An unsupported or corrupt content encoding.
    """
    what = f"{request.method} {safe_url(request.url or '')}"
    budget = max(deadline - time.monotonic(), 0.0)
    with deadline_scope(deadline) as scope:
        try:
            for _ in range(MAX_REDIRECTS + 1):
                url = request.url or ""
                if direct:
                    response = _send_direct(session, request, timeout, settings(url))
                else:
                    kwargs = {**settings(url), "stream": True, "allow_redirects": False}
                    response = session.send(request, timeout=timeout, **kwargs)
                if not response.is_redirect:
                    _read_body(response, what, max_bytes, deadline)
                    if scope.expired:
                        raise _late(what, budget)
                    return response
                response.close()
                request = _follow(request, response)
        except _Expired:
            raise _late(what, budget) from None
        except (requests.RequestException, _Urllib3Error, OSError) as exc:
            if scope.expired or time.monotonic() >= deadline:
                raise _late(what, budget) from None
            if isinstance(exc, requests.RequestException):
                raise
            raise requests.ConnectionError(
                f"reading the body failed: {type(exc).__name__}"
            ) from None
    raise RedirectRefusedError(
        f"{what} was redirected more than {MAX_REDIRECTS} times; stopped following.",
        method=request.method,
        url=safe_url(request.url or ""),
    )


def _send_direct(
    session: requests.Session,
    request: requests.PreparedRequest,
    timeout: tuple[float, float],
    settings: dict[str, Any],
) -> requests.Response:
    """``session.send(request, stream=True, allow_redirects=False)`` minus its bookkeeping.

    What ``Session.send`` adds around the adapter for a plain session: the elapsed time, and
    the cookies the answer sets (looked for only when it sets any). A plain-HTTP request to
    this machine takes :mod:`.loopback`'s lean path instead of the adapter's.
    """
    url = request.url or ""
    adapter = session.get_adapter(url=url)
    started = time.perf_counter()
    lean = None
    if type(adapter) is DeadlineAdapter:  # (a subclass or a caller's adapter sends its way)
        lean = loopback.eligible(url, settings["proxies"])
    if lean is not None:
        response = loopback.send(loopback.pool_of(adapter), request, timeout, lean)
    else:
        response = adapter.send(
            request,
            stream=True,
            timeout=timeout,
            verify=settings["verify"],
            cert=settings["cert"],
            proxies=settings["proxies"],
        )
    response.elapsed = timedelta(seconds=time.perf_counter() - started)
    headers = response.headers
    if "set-cookie" in headers or "set-cookie2" in headers:
        extract_cookies_to_jar(session.cookies, request, response.raw)
    return response


class _Expired(Exception):
    """The deadline passed while reading a body."""


def _late(what: str, budget: float) -> ApiTimeoutError:
    return ApiTimeoutError(f"{what} did not complete within its deadline of {budget:.1f} s.")


def _follow(request: requests.PreparedRequest, response: requests.Response) -> Any:
    """The next request of a same-origin redirect; refuse any other."""
    here = request.url or ""
    target = urljoin(here, response.headers.get("location", ""))
    status = response.status_code
    if origin(target) != origin(here):
        raise RedirectRefusedError(
            f"{request.method} {safe_url(here)} was redirected (HTTP {status}) to "
            f"{safe_url(target)}, another origin; the redirect was refused so that no "
            "credential leaves the configured service.",
            status_code=status,
            method=request.method,
            url=safe_url(here),
            location=safe_url(target),
        )
    nxt = request.copy()
    nxt.prepare_url(target, None)
    if (status == 303 and request.method != "HEAD") or (
        status in (301, 302) and request.method == "POST"
    ):
        nxt.method = "GET"
        nxt.body = None
        for name in _BODY_HEADERS:
            nxt.headers.pop(name, None)
    return nxt


def _read_body(response: requests.Response, what: str, max_bytes: int, deadline: float) -> None:
    if response._content_consumed:  # noqa: SLF001 - a mock that read it already
        if len(response.content) > max_bytes:
            raise _too_large(what, max_bytes)
        return
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater: _Inflater | None = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(what, max_bytes)
    elif encoding not in ("", "identity"):
        raise InvalidResponseError(f"{what} answered with the unsupported encoding {encoding!r}.")
    declared = response.headers.get("Content-Length", "").strip()
    if inflater is None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(what, max_bytes)
    parts: list[bytes] = []
    total = 0
    raw = response.raw
    while True:
        if time.monotonic() >= deadline:
            raise _Expired
        chunk = raw.read(_CHUNK, decode_content=False)
        if not chunk:
            break
        if inflater is not None:
            chunk = inflater.feed(chunk, max_bytes - total)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(what, max_bytes)
        parts.append(chunk)
    response._content = b"".join(parts)  # noqa: SLF001 - what requests' own reading sets
    response._content_consumed = True  # noqa: SLF001


def _too_large(what: str, max_bytes: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{what}: the answer is larger than the client's limit of {max_bytes} bytes "
        "(counted after decompression); raise max_response_bytes if it is legitimate."
    )


class _Inflater:
    """gzip or zlib decompression that never produces more than it is allowed to."""

    def __init__(self, what: str, max_bytes: int) -> None:
        self._what = what
        self._max_bytes = max_bytes
        self._decoder = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header

    def feed(self, data: bytes, room: int) -> bytes:
        out: list[bytes] = []
        try:
            while data:
                piece = self._decoder.decompress(data, room + 1)
                room -= len(piece)
                if room < 0:
                    raise _too_large(self._what, self._max_bytes)
                out.append(piece)
                if self._decoder.eof:  # another gzip member may follow
                    data = self._decoder.unused_data
                    self._decoder = zlib.decompressobj(32 + zlib.MAX_WBITS)
                else:
                    data = self._decoder.unconsumed_tail
        except zlib.error as exc:
            raise InvalidResponseError(f"{self._what}: the compressed body is corrupt.") from exc
        return b"".join(out)
