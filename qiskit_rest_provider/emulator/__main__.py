"""``python -m qiskit_rest_provider.emulator`` / ``qiskit-rest-emulator``: run the service."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="qiskit-rest-emulator",
        description="Local stand-in for IBM Quantum's runtime REST API. Prints its URL, then "
        "serves until interrupted.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=0, help="TCP port (default 0: a free port)")
    p.add_argument("--data-dir", default=None, help="SQLite directory (default: in memory)")
    p.add_argument("--workers", type=int, default=2, help="job worker processes (default 2)")
    p.add_argument("--seed", type=int, default=None, help="base simulator seed")
    p.add_argument("--noiseless", action="store_true", help="run device backends without noise")
    p.add_argument("--token-ttl", type=int, default=3600, help="access-token lifetime, seconds")
    p.add_argument("--accounts-file", default=None, help="JSON file restricting API keys")
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=32 * 1024 * 1024,
        help="larger request bodies get a 413",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="ROUTE=KIND[:k=v,...]",
        help="inject a fault, e.g. 'POST /api/v1/jobs=error_after:times=2' "
        "(repeatable; see docs/emulator.md)",
    )
    p.add_argument(
        "--queue-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each job stays Queued at least this long (default 0)",
    )
    p.add_argument(
        "--run-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each job stays Running at least this long (default 0)",
    )
    p.add_argument(
        "--backend-delay",
        action="append",
        default=[],
        metavar="BACKEND=QUEUE,RUN",
        help="queue and run delay in seconds for one backend, e.g. 'ibm_brisbane=30,5' "
        "(repeatable; overrides --queue-delay/--run-delay there)",
    )
    p.add_argument(
        "--usage-limit-seconds",
        type=float,
        default=36_000.0,
        help="the instance's monthly allocation shown on /instances/usage",
    )
    p.add_argument("--log-level", default="WARNING", help="Python logging level (default WARNING)")
    p.add_argument("--log-requests", action="store_true", help="log method, path and status")
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also serve requests whose Host header is NAME (repeatable; '*' for any). "
        "By default only IP literals, localhost and --host are served (DNS rebinding guard)",
    )
    p.add_argument(
        "--max-job-memory",
        type=int,
        default=4096,
        metavar="MIB",
        help="memory one job or transpile task may use, in MiB; one needing more fails "
        "(default 4096; 0: none)",
    )
    p.add_argument(
        "--result-hold",
        type=float,
        default=0.1,
        metavar="SECONDS",
        help="a result read of an unfinished job waits this long for it before its 204 "
        "(default 0.1; 0: at once)",
    )
    p.add_argument(
        "--transpile-timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="a transpile task running longer is stopped and FAILs (default 300; 0: none)",
    )
    p.add_argument(
        "--transpile-workers",
        type=int,
        default=2,
        help="worker processes for transpile tasks (default 2)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        help="seconds a connection may take to send a request head (default 10)",
    )
    return p


def parse_backend_delays(specs: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``["ibm_brisbane=30,5"]`` → ``{"ibm_brisbane": (30.0, 5.0)}``.

    Raises:
        ValueError: A spec that is not ``BACKEND=QUEUE,RUN`` with delays >= 0.
    """
    out: dict[str, tuple[float, float]] = {}
    for spec in specs:
        name, _, values = spec.partition("=")
        parts = values.split(",")
        try:
            queue, run = (float(v) for v in parts) if len(parts) == 2 else (None, None)
        except ValueError:
            queue = run = None
        if not name or queue is None or run is None or min(queue, run) < 0:
            raise ValueError(f"--backend-delay {spec!r}: expected BACKEND=QUEUE,RUN (seconds)")
        out[name] = (queue, run)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the emulator until SIGINT/SIGTERM; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from .faults import FaultInjector, parse_spec

    for spec in args.fault:
        try:
            route, kind, options = parse_spec(spec)
            FaultInjector().add(route, kind, **options)  # checks the kind fits the route
        except (ValueError, TypeError) as exc:
            parser.error(str(exc))
    try:
        backend_delays = parse_backend_delays(args.backend_delay)
    except ValueError as exc:
        parser.error(str(exc))
    if min(args.queue_delay, args.run_delay) < 0:
        parser.error("delays must be >= 0")
    if not 0 <= args.result_hold <= 60:  # (NaN fails too)
        parser.error("--result-hold must be between 0 and 60 seconds")
    if args.transpile_timeout < 0 or args.transpile_workers < 1:
        parser.error("--transpile-timeout must be >= 0 and --transpile-workers >= 1")
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from .server import start_emulator

    try:
        server = start_emulator(
            args.host,
            args.port,
            data_dir=args.data_dir,
            workers=args.workers,
            seed=args.seed,
            noiseless=args.noiseless,
            token_ttl=args.token_ttl,
            accounts_file=args.accounts_file,
            max_body_bytes=args.max_body_bytes,
            faults=args.fault,
            log_requests=args.log_requests,
            allowed_hosts=args.allow_host,
            header_timeout=args.header_timeout,
            queue_delay=args.queue_delay,
            run_delay=args.run_delay,
            backend_delays=backend_delays,
            usage_limit_seconds=args.usage_limit_seconds,
            max_job_memory_mb=args.max_job_memory,
            result_hold=args.result_hold,
            transpile_timeout=args.transpile_timeout,
            transpile_workers=args.transpile_workers,
        )
    except (ValueError, RuntimeError, OSError) as exc:  # bad accounts file, busy port or data dir
        parser.exit(1, f"{parser.prog}: error: {exc}\n")
    print(server.url, flush=True)
    done = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
