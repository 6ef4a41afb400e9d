"""Safe evaluation of OpenQASM 3 angle expressions (constants and ``input`` parameters)."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

from ..._compat import ast_safe

__all__ = ["evaluate"]

_MAX_CHARS = 2000
_CONSTANTS = {
    "pi": math.pi,
    "π": math.pi,
    "tau": math.tau,
    "τ": math.tau,
    "euler": math.e,
    "ℇ": math.e,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def evaluate(expr: str, params: Mapping[str, Any]) -> Any:
    """Evaluate an angle expression of constants and ``input`` parameters, or ``None``.

    Only ``+ - * /``, unary signs, numbers, ``pi``/``tau``/``euler`` (and their symbols) and
    declared inputs are accepted. Returns a float, or a Parameter(Expression) when an input
    occurs.
    """
    for symbol, name in (("π", "pi"), ("τ", "tau"), ("ℇ", "euler")):
        expr = expr.replace(symbol, name)
    if len(expr) > _MAX_CHARS:
        return None  # no real angle is this long; leave it to the full parser
    try:
        tree = ast_safe(ast.parse, expr.strip(), mode="eval").body
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None

    def walk(node: ast.AST) -> tuple[Any, bool] | None:  # (value, is_integer)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            if type(node.value) not in (int, float):  # bool is an int, but not an angle
                return None
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

    try:
        result = walk(tree)
    except (RecursionError, ArithmeticError, TypeError):
        return None
    if result is None:
        return None
    value = result[0]
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) >= 1e299):
        return None
    return value
