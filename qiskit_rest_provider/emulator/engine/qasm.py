"""Safe OpenQASM 3 parsing for the emulator: screen untrusted text, then parse it fast.

Three facts about Qiskit's parsers (qiskit 2.6, ARCHITECTURE.md §4) shape this module:

* ``qasm3.loads_experimental`` (Rust) reads any file named in an ``include``, prints it, and
  panics past ``except Exception`` on a missing one. :func:`screen` therefore refuses every
  include but ``stdgates.inc`` before any parser sees the text.
* A declaration such as ``bit[2147483648] c;`` makes a parser allocate gigabytes, so declared
  sizes are checked against limits first.
* The Rust parser is ~20x faster but rejects much of the language (inputs, ``pi``, integer
  angles, ``$n``, ``if``, ``reset``, custom gates...). A cheap line-by-line pre-check picks it
  only for text it can take (see :mod:`.fastpath`); everything else goes to ``qasm3.loads``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from qiskit import QuantumCircuit

from .fastpath import UndefinedGate, rewrite_for_rust
from .lru import keep, lookup
from .workload import WorkRefused, expanded_size

__all__ = [
    "QasmRejected",
    "QasmParseError",
    "Limits",
    "DEFAULT_LIMITS",
    "screen",
    "parse",
    "clear_cache",
]

logger = logging.getLogger(__name__)


class QasmRejected(ValueError):
    """The text is refused before parsing (forbidden include, oversized declaration)."""


class QasmParseError(ValueError):
    """The parser could not read the text; the message is the parser's."""


@dataclass(frozen=True)
class Limits:
    """Sizes accepted from untrusted text (all checked before any parser runs)."""

    max_qubits: int = 4096
    max_clbits: int = 65536
    max_literal: int = 10_000_000
    max_chars: int = 50_000_000
    #: Instructions the text may expand to once gate definitions, loops and register
    #: broadcasts are unrolled (counted without unrolling: :mod:`.workload`).
    max_operations: int = 1_000_000


DEFAULT_LIMITS = Limits()

_ALLOWED_INCLUDE = re.compile(r'include[ \t]+"stdgates\.inc"[ \t]*;')
_INCLUDE_WORD = re.compile(r"\binclude\b")
_STATEMENT_START = re.compile(r"(?:^|;)\s*$")
# Sized declarations of quantum/classical bits: `qubit[n] q;`, `input bit[n] c;`, `qreg q[n];`.
_NEW_STYLE = re.compile(r"\b(qubit|bit)\s*\[([^\]]*)\]")
_OLD_STYLE = re.compile(r"\b(qreg|creg)\s+[^\s\[;]+\s*\[([^\]]*)\]")
_SINGLE = re.compile(r"(?:^|;|\{)\s*(?:input\s+|output\s+)?(qubit|bit)\s+[^\s\[;=]+\s*[;=]", re.M)
_PHYSICAL = re.compile(r"\$(\d+)")
_COMMENT = re.compile(r"//[^\n]*")


@functools.lru_cache(maxsize=8)
def _long_literal(limit: int) -> re.Pattern[str]:
    # Only literals as long as the limit matter; matching all of them (every q[17]) is slow.
    return re.compile(r"(?<![\w.])(\d{" + str(len(str(limit))) + r",})(?![\w.])")


def _strip_comments(qasm: str) -> str:
    """The text without ``//`` comments (fail-closed: strings are not special)."""
    return _COMMENT.sub("", qasm) if "//" in qasm else qasm


@dataclass(frozen=True)
class Declarations:
    """What the screened text declares, found by the one scan :func:`screen` makes.

    Attributes:
        num_qubits: Qubits declared (``$n`` counts as ``n + 1``).
        physical_only: The text addresses hardware qubits (``$n``) and declares no qubit
            register, so on a device it is as wide as the device.
    """

    num_qubits: int
    physical_only: bool


#: Texts up to this size have their screening remembered (by text; refusals are not): a job's
#: PUBs are screened at submit and again in the worker, and clients resend the same circuits.
_SCREEN_MEMO_CHARS = 1 << 16


@functools.lru_cache(maxsize=128)
def _screen_memo(qasm: str, limits: Limits) -> Declarations:
    return _screen(qasm, limits)


def screen(qasm: str, limits: Limits = DEFAULT_LIMITS) -> Declarations:
    """:func:`_screen`, remembered for small texts (see ``_SCREEN_MEMO_CHARS``)."""
    if len(qasm) <= _SCREEN_MEMO_CHARS:
        return _screen_memo(qasm, limits)
    return _screen(qasm, limits)


def _screen(qasm: str, limits: Limits) -> Declarations:
    """Refuse text no parser may see; return what it declares.

    Every ``include`` outside a ``//`` comment must be exactly ``include "stdgates.inc";`` on
    one line at a statement start (so an include split over lines, one naming another file, or
    one behind a block comment is refused, never guessed at). Declared qubit and bit counts,
    and any integer literal, must be within ``limits``.

    Returns:
        The text's declarations, so that nobody scans it again for them.

    Raises:
        QasmRejected: With a message a user can act on.
    """
    if len(qasm) > limits.max_chars:
        raise QasmRejected(
            f"The circuit text has {len(qasm)} characters (limit {limits.max_chars})."
        )
    code = _strip_comments(qasm)
    for match in _INCLUDE_WORD.finditer(code):
        # Each include must be exactly `include "stdgates.inc";`, on one line, at the start of a
        # statement (line start or after ';'); anything else is refused, not guessed at.
        line_start = code.rfind("\n", 0, match.start()) + 1
        if _ALLOWED_INCLUDE.match(code, match.start()) and _STATEMENT_START.search(
            code[line_start : match.start()]
        ):
            continue
        number = code.count("\n", 0, match.start()) + 1
        line = qasm.splitlines()[number - 1]
        raise QasmRejected(
            f"Line {number}: only 'include \"stdgates.inc\";' is allowed; other includes "
            f"are refused: {line.strip()[:120]!r}"
        )
    totals = {"qubit": 0, "bit": 0}
    declares_qubits = False
    for kind, size in [*_NEW_STYLE.findall(code), *_OLD_STYLE.findall(code)]:
        kind = {"qreg": "qubit", "creg": "bit"}.get(kind, kind)
        declares_qubits = declares_qubits or kind == "qubit"
        size = size.strip()
        if not size.isdigit():
            raise QasmRejected(f"Declare {kind} sizes as integer literals, not '{size[:40]}'.")
        totals[kind] += int(size)
    for kind in _SINGLE.findall(code):
        totals[kind] += 1
        declares_qubits = declares_qubits or kind == "qubit"
    physical = _PHYSICAL.findall(code)
    if physical:
        totals["qubit"] = max(totals["qubit"], max(map(int, physical)) + 1)
    if totals["qubit"] > limits.max_qubits:
        raise QasmRejected(
            f"The circuit declares {totals['qubit']} qubits (limit {limits.max_qubits})."
        )
    if totals["bit"] > limits.max_clbits:
        raise QasmRejected(
            f"The circuit declares {totals['bit']} bits (limit {limits.max_clbits})."
        )
    for literal in _long_literal(limits.max_literal).findall(code):
        if len(literal) > 15 or int(literal) > limits.max_literal:
            raise QasmRejected(f"Integer literal {literal[:20]} exceeds {limits.max_literal}.")
    try:
        size = expanded_size(qasm, limits.max_operations + 1)
    except WorkRefused as exc:
        raise QasmRejected(f"The circuit's size cannot be bounded: {exc}") from None
    if size > limits.max_operations:
        raise QasmRejected(
            f"The circuit expands to more than {limits.max_operations:,} instructions once its "
            f"gate definitions, loops and register broadcasts are unrolled (limit "
            f"{limits.max_operations:,} instructions)."
        )
    return Declarations(totals["qubit"], bool(physical) and not declares_qubits)


# ---------------------------------------------------------------------------------- parsing

_CACHE_SIZE = 64
_cache: OrderedDict[str, QuantumCircuit] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget parsed circuits (tests use it to measure parse paths)."""
    with _cache_lock:
        _cache.clear()


def parse(qasm: str, limits: Limits = DEFAULT_LIMITS, *, use_cache: bool = True) -> QuantumCircuit:
    """Screen and parse OpenQASM 3 text; the result is shared, so never mutate it.

    Args:
        qasm: Untrusted OpenQASM 3 text.
        limits: Size limits checked before parsing.
        use_cache: Reuse a circuit parsed from identical text (PUBs often share circuits,
            and ``validate_job`` parses what ``run_job`` parses again).

    Raises:
        QasmRejected: The text is refused (see :func:`screen`).
        QasmParseError: The parser rejected the text.
    """
    key = hashlib.sha256(qasm.encode("utf-8", "surrogatepass")).hexdigest()
    if use_cache:
        found = lookup(_cache, _cache_lock, key)
        if found is not None:
            return found
    screen(qasm, limits)
    circuit = _parse_screened(qasm)
    if use_cache:
        keep(_cache, _cache_lock, key, circuit, _CACHE_SIZE)
    return circuit


def _parse_screened(qasm: str) -> QuantumCircuit:
    from qiskit import qasm3

    try:
        fast = rewrite_for_rust(qasm)
    except UndefinedGate as exc:
        raise QasmParseError(
            f"OpenQASM 3 parse error: gate '{exc}' is not defined (define it, or include "
            '"stdgates.inc" for the standard gates).'
        ) from exc
    except Exception:  # a rewriter bug must cost speed, never the job
        logger.exception("fast-path rewrite failed; using qasm3.loads")
        fast = None
    if fast is not None:
        text, custom_gates, bind = fast
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ExperimentalWarning on every call
                circuit = qasm3.loads_experimental(text, custom_gates=custom_gates)
            return bind(circuit)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException is a BaseException
            # The pre-check should make this rare; fall back to the Python parser.
            logger.debug("Rust OpenQASM 3 parser refused pre-checked text (%s); falling back", exc)
    from openqasm3 import parse as parse_ast

    from .qasm_classical import convert  # qasm3.loads plus switch and classical expressions

    try:
        return convert(parse_ast(qasm))
    except Exception as exc:  # the importer raises many unrelated types
        raise QasmParseError(f"OpenQASM 3 parse error: {exc}") from exc
