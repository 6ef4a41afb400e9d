"""``qiskit-rest``: accounts, backends, jobs, results, running a circuit, the emulator.

Every subcommand has ``--help``; those that print data take ``--json``. Exit codes: 0 done,
1 the service said no (a failed job, an API error, nothing to cancel), 2 bad arguments or
input, 3 no such job / backend / account, 4 no connection or credentials refused. See
docs/cli.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..version import __version__
from . import accounts, backends, emulator, jobs, run
from .common import exit_code

__all__ = ["main", "build_parser"]

PROG = "qiskit-rest"


def build_parser() -> argparse.ArgumentParser:
    """The ``qiskit-rest`` parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="IBM Quantum's runtime REST API (or the local emulator) from the shell.",
        epilog="Exit codes: 0 done, 1 refused by the service or a failed job, 2 bad arguments "
        "or input, 3 not found, 4 no connection or credentials refused.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emulator.add_parser(commands)
    accounts.add_parser(commands)
    backends.add_parsers(commands)
    jobs.add_parsers(commands)
    run.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:  # its own parser: the emulator's flags, unchanged
        return emulator.main(args_list[1:], prog=f"{PROG} emulator")
    args = build_parser().parse_args(args_list)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # mapped to an exit code, or re-raised if unexpected
        code = exit_code(error)
        message = getattr(error, "message", None) or str(error)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return code
