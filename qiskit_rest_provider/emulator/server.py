"""Running the emulator: uvicorn in a background thread, in-process, on a chosen or free port."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from .config import EmulatorConfig
from .faults import FaultInjector

logger = logging.getLogger(__name__)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    # proto must be IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto is IPPROTO_TCP, and with proto 0 every keep-alive answer waits ~40 ms for
    # the client's delayed ACK (Nagle), measured here.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class EmulatorServer:
    """One running emulator: an HTTP server plus its worker pool and database.

    Use :func:`start_emulator` rather than constructing it directly. It is a context manager::

        with start_emulator() as emu:
            requests.get(emu.url + "/api/v1/versions")

    Args:
        config: The configuration.
        backends: Optional backend catalogue (name → ``EmulatedBackend``).
    """

    def __init__(self, config: EmulatorConfig, backends: dict[str, Any] | None = None) -> None:
        from .state import EmulatorState

        self.config = config
        self.state = EmulatorState(config, backends)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.host = config.host
        self.port = config.port

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (current API under ``/api/v1``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def faults(self) -> FaultInjector:
        """The failure-injection registry (see :mod:`qiskit_rest_provider.emulator.faults`)."""
        return self.state.faults

    def start(self, timeout: float = 15.0) -> EmulatorServer:
        """Starts workers and the HTTP server; returns once it accepts connections.

        Raises:
            RuntimeError: If the server did not come up within ``timeout`` seconds.
        """
        import uvicorn

        from .app import create_app
        from .protocol import fast_stack, protocol_class

        try:
            self._sock = _bind(self.config.host, self.config.port)
        except OSError:
            self.state.store.close()  # release the data directory for the next attempt
            raise
        self.port = self._sock.getsockname()[1]
        self.state.start()
        # httptools + uvloop when installed (the protocol sets TCP_NODELAY itself), else
        # h11 + asyncio; either way with the head deadline.
        fast = fast_stack()
        uv_config = uvicorn.Config(
            create_app(self.state),
            log_config=None,
            access_log=False,
            lifespan="off",
            http=protocol_class(self.config.header_timeout, fast),
            loop="uvloop" if fast else "asyncio",
            ws="none",
            timeout_keep_alive=60,
            server_header=False,
            date_header=True,
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name=f"emulator-http-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator's HTTP server did not start")
            time.sleep(0.005)
        logger.info("emulator listening on %s", self.url)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the HTTP server, the workers and closes the database (idempotent)."""
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout)
                if self._thread.is_alive():
                    self._server.force_exit = True
                    self._thread.join(timeout)
            self._server = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._thread is not None:
            self._thread = None
            self.state.stop()

    def serve_forever(self) -> None:
        """Blocks until the HTTP thread ends (e.g. after :meth:`stop` from another thread)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self.url!r}, data_dir={self.config.data_dir!r})"


def start_emulator(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    data_dir: str | None = None,
    workers: int = 2,
    seed: int | None = None,
    noiseless: bool = False,
    backends: dict[str, Any] | None = None,
    **config: Any,
) -> EmulatorServer:
    """Starts an emulator in this process and returns it once it accepts connections.

    Args:
        host: Interface to bind (loopback by default).
        port: TCP port; 0 picks a free one (read it from ``.url``).
        data_dir: SQLite directory; ``None`` keeps everything in memory.
        workers: Job worker processes.
        seed: Base simulator seed for reproducible shots.
        noiseless: Run device backends without noise.
        backends: Optional custom backend catalogue.
        **config: Any other :class:`EmulatorConfig` field (``token_ttl``, ``accounts_file``,
            ``max_body_bytes``, ``queue_delay``, ``run_delay``, ``faults``...).

    Returns:
        The running :class:`EmulatorServer`.
    """
    cfg = EmulatorConfig.from_kwargs(
        host=host,
        port=port,
        data_dir=data_dir,
        workers=workers,
        seed=seed,
        noiseless=noiseless,
        **config,
    )
    return EmulatorServer(cfg, backends).start()
