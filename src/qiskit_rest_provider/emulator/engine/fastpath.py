"""Make screened OpenQASM 3 text palatable to Qiskit's Rust parser, or say it cannot be.

``qasm3.loads_experimental`` is ~20x faster than ``qasm3.loads`` but (qiskit 2.6) rejects
``input`` parameters, ``pi``, integer or expression angles, ``$n`` physical qubits and custom
``gate`` definitions. The exporter's output for ISA circuits uses all of these, so instead of
giving up, :func:`rewrite_for_rust` rewrites them into equivalent text, line by line, and
answers ``None`` at the first line it does not fully understand (the caller then uses
``qasm3.loads``). The whitelist is deliberately narrow: a wrong rewrite would be a silently
wrong circuit, a refused one only costs time.

* constant angle expressions (``pi/2``, ``-3*π/4``, ``1``) -> their ``repr`` float (lossless);
* ``input float[64] p;`` -> the declaration is dropped and each parametric angle (``rz(p)``,
  ``rzz(2*p - q)``) becomes a unique sentinel float, swapped back for the Parameter (expression)
  after parsing;
* ``$n`` -> ``__phys[n]`` on one declared register (qubit ``n`` stays qubit ``n``);
* ``gate`` definitions identical to what Qiskit's exporter writes for a standard gate (e.g.
  ``ecr``, ``rzz``, ``sxdg``) -> dropped and mapped to that gate with ``custom_gates``.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from qiskit import QuantumCircuit

__all__ = ["rewrite_for_rust"]

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
_FLOAT = re.compile(r"-?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+(?:\.\d+)?[eE][-+]?\d+)")
_PHYS = re.compile(r"\$(\d+)")
_CONSTANTS = {
    "pi": math.pi,
    "π": math.pi,
    "tau": math.tau,
    "τ": math.tau,
    "euler": math.e,
    "ℇ": math.e,
}
_SENTINEL_EXPONENT = 1000  # sentinels are -(1 + k/2**30) * 2**1000, exact and distinct
_PHYS_REG = "__phys"

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
}


@functools.lru_cache(maxsize=1)
def _known_gates() -> tuple[frozenset[str], dict[str, str], list[Any]]:
    """Rust built-ins, the exporter's canonical definitions, and ``custom_gates`` for Rust."""
    from qiskit import qasm3
    from qiskit.circuit import library

    builtin = frozenset(g.name for g in qasm3.STDGATES_INC_GATES) - {"U", "CX"}
    canonical: dict[str, str] = {}
    custom = list(qasm3.STDGATES_INC_GATES)
    for name, (cls_name, num_params, num_qubits) in _CUSTOM.items():
        cls = getattr(library, cls_name)
        probe = QuantumCircuit(num_qubits)
        probe.append(cls(*([0.5] * num_params)), range(num_qubits))
        match = _GATE_DEF.search(qasm3.dumps(probe))
        if match is None or match.group(1) != name:
            continue
        canonical[name] = _normalise(match.group(0))
        custom.append(qasm3.CustomGate(cls, name, num_params, num_qubits))
    return builtin, canonical, custom


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _evaluate(expr: str, params: Mapping[str, Any]) -> Any:
    """Evaluate an angle expression of constants and ``input`` parameters, or ``None``.

    Only ``+ - * /``, unary signs, numbers, ``pi``/``tau``/``euler`` (and their symbols) and
    declared inputs are accepted. Returns a float, or a Parameter(Expression) when an input
    occurs.
    """
    for symbol, name in (("π", "pi"), ("τ", "tau"), ("ℇ", "euler")):
        expr = expr.replace(symbol, name)
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        return None

    def walk(node: ast.AST) -> tuple[Any, bool] | None:  # (value, is_integer)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value), isinstance(node.value, int)
        if isinstance(node, ast.Name) and node.id in params:
            return params[node.id], False
        if isinstance(node, ast.Name) and node.id in _CONSTANTS:
            return _CONSTANTS[node.id], False
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = walk(node.operand)
            if inner is None:
                return None
            return (-inner[0] if isinstance(node.op, ast.USub) else inner[0]), inner[1]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Div) and ((left[1] and right[1]) or right[0] == 0):
                return None  # int/int is integer division in OpenQASM 3: leave it to loads
            return _BINARY[type(node.op)](left[0], right[0]), left[1] and right[1]
        return None

    result = walk(tree)
    if result is None:
        return None
    value = result[0]
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) >= 1e299):
        return None
    return value


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


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
        value = _evaluate(arg, params)
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
        if canonical.get(match.group(1)) != _normalise(match.group(0)):
            raise LookupError(match.group(1))
        allowed.add(match.group(1))
        token = f"\x00{len(definitions)}\x00"
        definitions[token] = match.group(0).strip()
        return token + ";"

    if "/*" in qasm:
        return None  # block comments: not worth a second lexer
    code = "\n".join(line.split("//", 1)[0] for line in qasm.splitlines())
    try:
        body = _GATE_DEF.sub(keep_definition, code)
    except LookupError:
        return None
    from qiskit.circuit import Parameter

    params: dict[str, Any] = {}
    sentinels: dict[float, Any] = {}
    by_text: dict[str, float] = {}
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
        if not (_DECL.fullmatch(line) or _MEASURE.fullmatch(line) or _BARRIER.fullmatch(line)):
            match = _CALL.fullmatch(line)
            if match is None or match.group(1) not in allowed:
                return None
            if match.group(2) is not None:
                args = _rewrite_args(match.group(2), params, sentinels, by_text)
                if args is None:
                    return None
                line = f"{match.group(1)}({args}) {match.group(3)};"
        if "$" in line:
            max_phys = max([max_phys, *(int(n) for n in _PHYS.findall(line))])
            line = _PHYS.sub(lambda m: f"{_PHYS_REG}[{m.group(1)}]", line)
        out.append(line)
    if max_phys >= 0:
        if re.search(r"\bqubit\b", body):
            return None  # mixing virtual and physical qubits: leave it to loads
        out.insert(_after_include(out), f"qubit[{max_phys + 1}] {_PHYS_REG};")
    text = "\n".join(out) + "\n"
    return text, custom, functools.partial(_finish, sentinels=sentinels)


def _after_include(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _INCLUDE.fullmatch(line):
            return index + 1
    for index, line in enumerate(lines):
        if _HEADER.fullmatch(line):
            return index + 1
    return 0


def _finish(circuit: QuantumCircuit, *, sentinels: dict[float, Any]) -> QuantumCircuit:
    """Swap the sentinel floats back for the Parameters / expressions they stand for."""
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
