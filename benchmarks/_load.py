"""A light load generator for the emulator: raw keep-alive HTTP/1.1 on asyncio, one process.

Each of ``clients`` connections runs jobs one after another as our client does against the
emulator (submit, then read ``GET /jobs/{id}/results``, which the emulator holds until the job
ends, again after each ``204``) with request bytes built once; responses are parsed only as far
as the status line and ``Content-Length``. The generator's own CPU is ~0.1 ms per job, so on a
small machine the figures measure the server rather than the client (``requests`` costs
~0.3 ms per request and competed with the server for the same cores).
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    #: Requests sent by every connection so far.
    sent = 0

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        Connection.sent += 1
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length) if length else b""
        return status, body


class Load:
    """Request templates for one emulator and one bearer token."""

    def __init__(self, url: str, token: str, crn: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.common = (
            f"Host: {parts.netloc}\r\nAuthorization: Bearer {token}\r\nService-CRN: {crn}\r\n"
        ).encode()

    def post(self, body: dict) -> bytes:
        data = json.dumps(body, separators=(",", ":")).encode()
        return (
            b"POST /api/v1/jobs HTTP/1.1\r\n"
            + self.common
            + b"Content-Type: application/json\r\nContent-Length: "
            + str(len(data)).encode()
            + b"\r\n\r\n"
            + data
        )

    def get(self, path: str) -> bytes:
        return b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.common + b"\r\n"

    async def connect(self) -> Connection:
        return Connection(*await asyncio.open_connection(self.host, self.port))


async def _client(load: Load, post: bytes, jobs: list[int], out: list[float]) -> None:
    conn = await load.connect()
    while jobs:
        jobs.pop()
        start = time.perf_counter()
        status, body = await conn.request(post)
        assert status == 200, body[:300]
        read = load.get(f"/api/v1/jobs/{json.loads(body)['id']}/results")
        # The emulator holds a read of an unfinished job until it ends (--result-hold):
        # a 204 means the hold passed first, so ask again.
        while (answer := await conn.request(read))[0] == 204:
            pass
        status, body = answer
        assert status == 200 and body, body[:300]
        out.append(time.perf_counter() - start)
    conn.writer.close()


def run_jobs(load: Load, body: dict, jobs: int, clients: int = 16) -> tuple[float, list[float]]:
    """Runs ``jobs`` jobs over ``clients`` connections.

    Returns:
        (jobs per second from the first submit to the last result, each job's latency in s).
    """
    post = load.post(body)
    todo = list(range(jobs))
    latencies: list[float] = []

    async def main() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_client(load, post, todo, latencies) for _ in range(clients)))
        return time.perf_counter() - start

    try:  # the emulator's own event loop: less of this process's CPU per request
        import uvloop

        elapsed = uvloop.run(main())
    except ImportError:
        elapsed = asyncio.run(main())
    return jobs / elapsed, latencies
