"""What every subcommand shares: connection options, output (tables or JSON), exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..service.runtime import RuntimeService

__all__ = [
    "OK",
    "FAILED",
    "USAGE",
    "NOT_FOUND",
    "UNREACHABLE",
    "connection_parent",
    "json_parent",
    "service_from",
    "emit",
    "table",
    "exit_code",
]

# Exit codes (docs/cli.md): 2 is also what argparse uses for a bad command line.
OK = 0
FAILED = 1  # the service said no: a failed or cancelled job, an API error, nothing to cancel
USAGE = 2  # bad arguments or input (a file, an observable, an option value)
NOT_FOUND = 3  # no such job, backend or saved account
UNREACHABLE = 4  # no connection, or credentials / instance refused

Handler = Callable[[argparse.Namespace], int]


def connection_parent() -> argparse.ArgumentParser:
    """Options choosing the account, as ``RuntimeService(...)`` takes them."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group(
        "connection (default: QISKIT_IBM_* variables or the saved account)"
    )
    group.add_argument("--account", metavar="NAME", help="a saved account's name")
    group.add_argument("--channel", help="ibm_quantum_platform (default) or ibm_quantum")
    group.add_argument("--token", help="API key (prefer QISKIT_IBM_TOKEN: shells keep history)")
    group.add_argument("--url", help="service root, e.g. an emulator's http://127.0.0.1:PORT")
    group.add_argument("--instance", metavar="CRN", help="instance CRN (Service-CRN)")
    group.add_argument("--accounts-file", metavar="PATH", help="default ~/.qiskit/qiskit-ibm.json")
    return parent


def json_parent() -> argparse.ArgumentParser:
    """The ``--json`` switch of commands that print data."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parent


def service_from(args: argparse.Namespace) -> RuntimeService:
    """The service the connection options describe (no request is sent yet)."""
    from ..service.runtime import RuntimeService

    return RuntimeService(
        channel=args.channel,
        token=args.token,
        url=args.url,
        filename=args.accounts_file,
        name=args.account,
        instance=args.instance,
    )


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], out: TextIO | None = None) -> None:
    """Prints an aligned plain-text table (numbers right-aligned)."""
    out = out or sys.stdout
    cells = [[str(h) for h in headers]] + [
        ["" if v is None else str(v) for v in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [bool(rows) and all(_number(row[i]) for row in rows) for i in range(len(headers))]
    for index, row in enumerate(cells):
        parts = [
            cell.rjust(width) if numeric[i] else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        out.write("  ".join(parts).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("-" * width for width in widths) + "\n")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def emit(args: argparse.Namespace, data: Any, render: Callable[[], None]) -> int:
    """Prints ``data`` as JSON with ``--json``, else calls ``render``; returns ``OK``."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    else:
        render()
    return OK


def exit_code(error: BaseException) -> int:
    """The exit code for an error a command raised."""
    # Imported here: ``qiskit-rest --help`` should not wait for Qiskit to load.
    from ..exceptions import (
        AccountError,
        ApiConnectionError,
        AuthenticationError,
        InvalidInputError,
        NotFoundError,
        PermissionDeniedError,
        QiskitRestError,
    )
    from ..service.accounts import AccountNotFoundError

    if isinstance(error, NotFoundError | AccountNotFoundError):
        return NOT_FOUND
    if isinstance(error, ApiConnectionError | AuthenticationError | PermissionDeniedError):
        return UNREACHABLE
    if isinstance(error, InvalidInputError | AccountError | ValueError | OSError):
        return USAGE
    if isinstance(error, QiskitRestError):
        return FAILED
    raise error
