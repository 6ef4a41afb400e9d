"""``qiskit-rest emulator`` (and the ``qiskit-rest-emulator`` alias): run the local emulator.

Everything after ``emulator`` goes to the emulator's own command line
(:mod:`qiskit_rest_provider.emulator.__main__`), so its options are the same in both spellings.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["add_parser", "main"]

HELP = "run the local emulator (the same options as qiskit-rest-emulator)"


def add_parser(commands: Any) -> None:
    """Lists ``emulator`` in ``qiskit-rest --help``; the arguments are parsed by its own CLI."""
    commands.add_parser("emulator", help=HELP, add_help=False)


def main(argv: Sequence[str] | None = None, prog: str = "qiskit-rest-emulator") -> int:
    """Runs the emulator's command line; says which extra to install when it is missing."""
    try:
        from ..emulator.__main__ import main as emulator_main
    except ModuleNotFoundError as exc:
        if not str(exc).startswith("The emulator needs"):
            raise
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    return int(emulator_main(list(sys.argv[1:] if argv is None else argv)) or 0)
