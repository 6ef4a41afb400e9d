"""Make screened OpenQASM 3 text palatable to Qiskit's Rust parser, or say it cannot be.

``qasm3.loads_experimental`` is ~20x faster than ``qasm3.loads`` but (qiskit 2.6) rejects
``input`` parameters, ``pi``, integer or expression angles, ``$n`` physical qubits and custom
``gate`` definitions. The exporter's output for ISA circuits uses all of these, so instead of
giving up, :func:`rewrite_for_rust` rewrites them into equivalent text, statement by statement,
and answers ``None`` at the first one it does not fully understand (the caller then uses
``qasm3.loads``). The whitelist is narrow: a wrong rewrite is a silently wrong circuit, a
refused one only costs time. Calls of gates nothing defines raise :class:`UndefinedGate`.

* constant angle expressions (``pi/2``, ``-3*π/4``, ``1``) -> their ``repr`` float (lossless);
* ``input float[64] p;`` -> dropped; each parametric angle (``rz(p)``, ``rzz(2*p - q)``)
  becomes a sentinel float, swapped back for the Parameter (expression) after parsing;
* ``$n`` -> ``__phys[n]`` on one declared register (qubit ``n`` stays qubit ``n``);
* ``gate`` definitions identical (up to names) to what Qiskit's exporter writes for a
  standard gate (e.g. ``ecr``, ``rzz``, ``sxdg``) -> that gate, via ``custom_gates``;
* ``U(a, b, c)`` -> ``u3(a, b, c)`` (same matrix in Qiskit); constant ``gphase`` -> the
  circuit's global phase.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from qiskit import QuantumCircuit

from .angles import evaluate

__all__ = ["rewrite_for_rust", "UndefinedGate"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_OPERAND = rf"(?:{_IDENT}(?:\[\d+\])?|\$\d+)"
_OPERANDS = rf"{_OPERAND}(?:\s*,\s*{_OPERAND})*"
_HEADER = re.compile(r"OPENQASM\s+3(\.0)?;")
_INCLUDE = re.compile(r'include\s+"stdgates\.inc"\s*;')
_INPUT = re.compile(r"input\s+(?:float(?:\[64\])?|angle(?:\[\d+\])?)\s+([^\W\d]\w*)\s*;")
_DECL = re.compile(rf"(?:qubit|bit)(?:\s*\[\d+\])?\s+{_IDENT}\s*;")
_MEASURE = re.compile(rf"{_IDENT}(?:\[\d+\])?\s*=\s*measure\s+{_OPERAND}\s*;")
_BARRIER = re.compile(rf"barrier(?:\s+{_OPERANDS})?\s*;")
_CALL = re.compile(rf"({_IDENT})(?:\s*\((.*)\)\s*|\s+)({_OPERANDS})\s*;")
_GATE_DEF = re.compile(r"\bgate\s+(" + _IDENT + r")[^{;]*\{[^{}]*\}")
_DEF_PARTS = re.compile(r"gate\s+(" + _IDENT + r")\s*(?:\(([^)]*)\))?\s*([^{]*)\{(.*)\}", re.S)
_GPHASE = re.compile(r"gphase\s*\((.*)\)\s*;")
_FLOAT = re.compile(r"-?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+(?:\.\d+)?[eE][-+]?\d+)")
_PHYS = re.compile(r"\$(\d+)")
_SENTINEL_EXPONENT = 1000  # sentinels are -(1 + k/2**30) * 2**1000, exact and distinct
_PHYS_REG = "__phys"
# OpenQASM's U and stdgates' u3 differ by a global phase, but Qiskit gives UGate and U3Gate the
# same matrix, so a top-level U call is read as u3 (Rust does not know U).
_U_AS_U3 = {"U": "u3"}

# Gates the exporter defines in the text, with the Qiskit class Rust should map them to.
_CUSTOM = {
    "ecr": ("ECRGate", 0, 2),
    "rzz": ("RZZGate", 1, 2),
    "rxx": ("RXXGate", 1, 2),
    "ryy": ("RYYGate", 1, 2),
    "rzx": ("RZXGate", 1, 2),
    "sxdg": ("SXdgGate", 0, 1),
    "cs": ("CSGate", 0, 2),
    "csdg": ("CSdgGate", 0, 2),
    "csx": ("CSXGate", 0, 2),
    "iswap": ("iSwapGate", 0, 2),
    "dcx": ("DCXGate", 0, 2),
    "ccz": ("CCZGate", 0, 3),
    "r": ("RGate", 2, 1),
    "xx_minus_yy": ("XXMinusYYGate", 2, 2),
    "xx_plus_yy": ("XXPlusYYGate", 2, 2),
    "cu3": ("CU3Gate", 3, 2),
    "cu1": ("CU1Gate", 1, 2),
    "rccx": ("RCCXGate", 0, 3),
    "rcccx": ("RC3XGate", 0, 4),
    "c3sx": ("C3SXGate", 0, 4),
}


class UndefinedGate(ValueError):
    """The text calls a gate nothing defines: invalid for every parser, so fail fast.

    (``qasm3.loads`` needs minutes to report this for 200,000 such calls.)
    """


# Statement heads that look like `name operand;` but are not gate calls.
_KEYWORDS = frozenset(
    "reset measure barrier delay int uint float angle bool bit qubit complex duration stretch "
    "const input output let return end break continue creg qreg opaque gate def extern box "
    "cal defcal defcalgrammar include pragma array mutable readonly OPENQASM U gphase CX "
    "for while if else switch case default".split()
)


def _undefined(name: str, code: str, has_stdgates: bool, stdgates: frozenset[str]) -> bool:
    if name in _KEYWORDS:
        return False
    if re.search(rf"\b(?:gate|def|extern|defcal|opaque)\s+{re.escape(name)}\b", code):
        return False
    return not has_stdgates if name in stdgates else True


@functools.lru_cache(maxsize=1)
def _known_gates() -> tuple[frozenset[str], dict[str, set[str]], list[Any]]:
    """Rust built-ins, the exporter's canonical definitions, and ``custom_gates`` for Rust."""
    from qiskit import qasm3
    from qiskit.circuit import library

    builtin = frozenset(g.name for g in qasm3.STDGATES_INC_GATES) - {"U", "CX"}
    canonical: dict[str, set[str]] = {}
    custom = list(qasm3.STDGATES_INC_GATES)
    for name, (cls_name, num_params, num_qubits) in _CUSTOM.items():
        cls = getattr(library, cls_name)
        probe = QuantumCircuit(num_qubits)
        probe.append(cls(*([0.5] * num_params)), range(num_qubits))
        # The exporter also writes the gates a definition uses (sxdg before ryy): find ours, as
        # written with and without constants (`pi/2` or `1.5707963267948966`).
        texts = (qasm3.dumps(probe), qasm3.dumps(probe, disable_constants=True))
        found = {
            _normalise(m.group(0))
            for text in texts
            for m in _GATE_DEF.finditer(text)
            if m.group(1) == name
        }
        if not found:
            continue
        canonical[name] = found
        custom.append(qasm3.CustomGate(cls, name, num_params, num_qubits))
    return builtin, canonical, custom


def _normalise(definition: str) -> str:
    """A gate definition up to whitespace and the names of its parameters and qubits.

    The exporter names them by context (``p0`` or ``_gate_p_0``...), so definitions are
    compared after renaming both positionally (alpha-equivalence).
    """
    match = _DEF_PARTS.fullmatch(definition.strip())
    if match is None:
        return " ".join(definition.split())
    name, params, qubits, body = match.groups()
    params_list = [p.strip() for p in (params or "").split(",") if p.strip()]
    qubit_list = [q.strip() for q in qubits.split(",") if q.strip()]
    rename = {p: f"§p{i}" for i, p in enumerate(params_list)}
    rename.update({q: f"§q{i}" for i, q in enumerate(qubit_list)})
    body = re.sub(_IDENT, lambda m: rename.get(m.group(0), m.group(0)), body)
    return f"gate {name}/{len(params_list)}/{len(qubit_list)} {{ {' '.join(body.split())} }}"


def _sentinel(index: int) -> float:
    # -(1 + k/2**30) * 2**1000: exact, distinct, and no real angle is ~1e301 (literals >= 1e299
    # already disable the fast path).
    return -math.ldexp(1 + index / 2**30, _SENTINEL_EXPONENT)


def _rewrite_args(
    args: str, params: Mapping[str, Any], sentinels: dict[float, Any], by_text: dict[str, float]
) -> str | None:
    out = []
    for arg in args.split(","):
        arg = arg.strip()
        if _FLOAT.fullmatch(arg) and abs(float(arg)) < 1e299:
            out.append(arg)
            continue
        value = evaluate(arg, params)
        if value is None:
            return None
        if isinstance(value, float):
            out.append(repr(value))
            continue
        key = " ".join(arg.split())
        if key not in by_text:  # one sentinel per distinct parametric expression
            by_text[key] = _sentinel(len(sentinels))
            sentinels[by_text[key]] = value
        out.append(repr(by_text[key]))
    return ", ".join(out)


def rewrite_for_rust(
    qasm: str,
) -> tuple[str, list[Any], Callable[[QuantumCircuit], QuantumCircuit]] | None:
    """Rewrite screened text for ``qasm3.loads_experimental``.

    Returns:
        ``(text, custom_gates, finish)`` where ``finish`` turns the parsed circuit into the one
        the original text describes (sentinels -> Parameters), or ``None`` to use ``qasm3.loads``.
    """
    if _PHYS_REG in qasm:
        return None
    builtin, canonical, custom = _known_gates()
    allowed = set(builtin)
    definitions: dict[str, str] = {}

    def keep_definition(match: re.Match[str]) -> str:
        # Rust needs the definition in the text even when custom_gates maps the name.
        if _normalise(match.group(0)) not in canonical.get(match.group(1), ()):
            raise LookupError(match.group(1))
        allowed.add(match.group(1))
        token = f"\x00{len(definitions)}\x00"
        definitions[token] = match.group(0).strip()
        return token + ";"

    if "/*" in qasm:
        return None  # block comments: not worth a second lexer
    code = "\n".join(line.split("//", 1)[0] for line in qasm.splitlines())
    has_std = re.search(r'\binclude\s+"stdgates\.inc"\s*;', code) is not None
    try:
        body = _GATE_DEF.sub(keep_definition, code)
    except LookupError:
        return None
    from qiskit.circuit import Parameter

    params: dict[str, Any] = {}
    sentinels: dict[float, Any] = {}
    by_text: dict[str, float] = {}
    phase = 0.0
    out: list[str] = []
    max_phys = -1
    # Statement by statement (split on ';'), so one-line QASM takes the fast path too.
    for piece in body.split(";"):
        statement = " ".join(piece.split())
        if not statement:
            continue
        if statement in definitions:
            out.append(definitions[statement])
            continue
        line = statement + ";"
        if _HEADER.fullmatch(line) or _INCLUDE.fullmatch(line):
            out.append(line)
            continue
        match = _INPUT.fullmatch(line)
        if match:
            params[match.group(1)] = Parameter(match.group(1))
            continue
        gphase = _GPHASE.fullmatch(line)
        if gphase:
            value = evaluate(gphase.group(1), {})
            if value is None:
                return None
            phase += value
            continue
        if not (_DECL.fullmatch(line) or _MEASURE.fullmatch(line) or _BARRIER.fullmatch(line)):
            match = _CALL.fullmatch(line)
            if match is None:
                return None
            name = match.group(1)
            if _U_AS_U3.get(name, name) not in allowed or (name in builtin and not has_std):
                if _undefined(name, code, has_std, builtin):
                    raise UndefinedGate(name)
                return None
            if match.group(2) is not None:
                args = _rewrite_args(match.group(2), params, sentinels, by_text)
                if args is None:
                    return None
                line = f"{_U_AS_U3.get(match.group(1), match.group(1))}({args}) {match.group(3)};"
        if "$" in line:
            max_phys = max([max_phys, *(int(n) for n in _PHYS.findall(line))])
            line = _PHYS.sub(lambda m: f"{_PHYS_REG}[{m.group(1)}]", line)
        out.append(line)
    if max_phys >= 0:
        if re.search(r"\bqubit\b", body):
            return None  # mixing virtual and physical qubits: leave it to loads
        out.insert(_after_include(out), f"qubit[{max_phys + 1}] {_PHYS_REG};")
    text = "\n".join(out) + "\n"
    return text, custom, functools.partial(_finish, sentinels=sentinels, phase=phase)


def _after_include(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _INCLUDE.fullmatch(line):
            return index + 1
    for index, line in enumerate(lines):
        if _HEADER.fullmatch(line):
            return index + 1
    return 0


def _finish(
    circuit: QuantumCircuit, *, sentinels: dict[float, Any], phase: float = 0.0
) -> QuantumCircuit:
    """Swap the sentinel floats back for the Parameters / expressions they stand for."""
    if phase:
        circuit.global_phase += phase  # top-level gphase statements, dropped for Rust
    if not sentinels:
        return circuit
    for index, inst in enumerate(circuit.data):
        values = inst.operation.params
        if any(isinstance(v, float) and v in sentinels for v in values):
            operation = inst.operation.to_mutable()
            operation.params = [sentinels.get(v, v) if isinstance(v, float) else v for v in values]
            circuit.data[index] = inst.replace(operation=operation)
    if any(
        isinstance(v, float) and abs(v) >= 1e299
        for inst in circuit.data
        for v in inst.operation.params
    ):
        raise ValueError("a parameter sentinel survived parsing")
    return circuit
