"""Everything one emulator instance owns, in one object the routes reach via ``app.state``."""

from __future__ import annotations

import logging
from typing import Any

from .auth import Accounts, TokenIssuer
from .config import EmulatorConfig
from .faults import FaultInjector, parse_spec
from .runner import Runner
from .store import Store

logger = logging.getLogger(__name__)


class EmulatorState:
    """Config, store, backends, worker pool, tokens and faults of one emulator.

    Args:
        config: The configuration.
        backends: Backend name → ``EmulatedBackend``; the default catalogue when ``None``.
    """

    def __init__(self, config: EmulatorConfig, backends: dict[str, Any] | None = None) -> None:
        self.config = config
        if backends is None:
            from .devices import default_backends

            backends = default_backends(noiseless=config.noiseless)
        self.backends: dict[str, Any] = backends
        # Everything that can fail on bad input comes before the store takes the data dir lock.
        self.accounts = Accounts.load(config.accounts_file)
        self.faults = FaultInjector(config.seed)
        for spec in config.faults:
            route, kind, options = parse_spec(spec)
            self.faults.add(route, kind, **options)
        self.store = Store(config.data_dir)
        self.tokens = TokenIssuer(self.store.secret(), config.token_ttl)
        self.runner = Runner(self.store, self.backends, config, self.faults)
        self.transpiler: Any = None  # created lazily by the transpile routes

    def start(self) -> None:
        """Starts the workers (requeueing unfinished jobs of a persisted database)."""
        from .transpile_tasks import TranspileService

        self.transpiler = TranspileService(self)
        self.transpiler.start()
        requeued = self.runner.start()
        if requeued:
            logger.info("requeued %d unfinished job(s) from %s", requeued, self.store.path)

    def stop(self) -> None:
        """Stops the workers and closes the database."""
        self.runner.stop()
        if self.transpiler is not None:
            self.transpiler.stop()
        self.store.close()
