"""A tiny misbehaving HTTP server on 127.0.0.1 (port 0) that records what it receives."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Respond = Callable[["Handler", dict[str, Any]], None]


@dataclass
class Fake:
    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.seen]

    def received(self) -> bytes:
        """Everything the server got: request lines, headers and bodies."""
        return b"\n".join(
            f"{r['method']} {r['path']}\n{r['headers']}".encode() + b"\n" + r["body"]
            for r in self.seen
        )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    respond: Respond
    record: list[dict[str, Any]]

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers),
            "body": body,
        }
        self.record.append(request)
        try:
            type(self).respond(self, request)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    def log_message(self, *args: Any) -> None:
        pass

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(obj).encode(), headers)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up on a misbehaving answer is the point of these tests


@contextmanager
def fake_server(respond: Respond) -> Iterator[Fake]:
    record: list[dict[str, Any]] = []
    handler = type("H", (Handler,), {"respond": respond, "record": record})
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield Fake(f"http://127.0.0.1:{server.server_port}", record)
    finally:
        server.shutdown()
        server.server_close()


def gzip_bomb(expanded: int = 2**30, member: int = 2**20) -> bytes:
    """A valid multi-member gzip body of ``expanded`` zero bytes, ~1000 times smaller."""
    one = gzip.compress(b"\0" * member, compresslevel=9)
    return one * (expanded // member)
