"""The classical OpenQASM 3 that Qiskit writes but its Python importer does not read.

``qasm3.dumps`` writes ``switch`` statements (through an ``int switch_dummy`` it assigns just
before) and conditions built from classical expressions (``c == 3 && !c[0]``, ``c < 2``,
``(c & 1) == 1``); ``qiskit_qasm3_import`` reads only ``bit == bool`` and ``register == int``
conditions and no ``switch``. This converter extends it with exactly those forms, building
Qiskit's own ``expr`` trees and ``switch`` blocks, which Aer runs. Everything else is still the
importer's, so what it refuses stays refused (e.g. ``bool``/``int`` variables with ``store``,
which Aer cannot run either).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openqasm3 import ast
from qiskit import QuantumCircuit
from qiskit.circuit import ClassicalRegister, Clbit
from qiskit.circuit.classical import expr, types
from qiskit_qasm3_import.converter import ConvertVisitor
from qiskit_qasm3_import.data import Scope
from qiskit_qasm3_import.exceptions import ConversionError, raise_from_node
from qiskit_qasm3_import.expression import ValueResolver
from qiskit_qasm3_import.state import LocalScope, State

__all__ = ["convert"]

_BINARY: dict[str, Callable[[Any, Any], expr.Expr]] = {
    "&&": expr.logic_and,
    "||": expr.logic_or,
    "==": expr.equal,
    "!=": expr.not_equal,
    "<": expr.less,
    "<=": expr.less_equal,
    ">": expr.greater,
    ">=": expr.greater_equal,
    "&": expr.bit_and,
    "|": expr.bit_or,
    "^": expr.bit_xor,
    "<<": expr.shift_left,
    ">>": expr.shift_right,
}
_UNARY: dict[str, Callable[[Any], expr.Expr]] = {"!": expr.logic_not, "~": expr.bit_not}


class _Converter(ConvertVisitor):
    def __init__(self) -> None:
        super().__init__()
        self._statements = 0
        # `int name;` declared at top level for a switch target: name -> (value, statement no.)
        self._switch_slots: dict[str, tuple[Any, int] | None] = {}

    def visit(self, node: Any, context: Any = None) -> Any:
        if isinstance(node, ast.Statement):
            self._statements += 1
        return super().visit(node, context)

    # ------------------------------------------------------------------ expressions

    def _value(self, node: Any, context: State) -> Any:
        """A Clbit, register, int/bool literal or ``expr`` tree for an expression node."""
        if isinstance(node, ast.BinaryExpression) and node.op.name in _BINARY:
            try:
                return _BINARY[node.op.name](
                    self._value(node.lhs, context), self._value(node.rhs, context)
                )
            except (TypeError, ValueError) as exc:
                raise_from_node(node, f"invalid operands for '{node.op.name}': {exc}")
        if isinstance(node, ast.UnaryExpression) and node.op.name in _UNARY:
            try:
                return _UNARY[node.op.name](self._value(node.expression, context))
            except (TypeError, ValueError) as exc:
                raise_from_node(node, f"invalid operand for '{node.op.name}': {exc}")
        value, _ = ValueResolver(context, strict=True).visit(node)
        if isinstance(value, (Clbit, ClassicalRegister, bool, int)):
            return value
        raise_from_node(node, "expected a bit, a bit register or an integer")

    def _resolve_condition(self, node: Any, context: State) -> Any:
        try:
            return super()._resolve_condition(node, context)
        except ConversionError:
            condition = self._value(node, context)
            if not isinstance(condition, expr.Expr) or condition.type != types.Bool():
                raise
            return condition

    # ------------------------------------------------------------------ switch

    def visit_ClassicalDeclaration(self, node: Any, context: State) -> State:
        if (
            isinstance(node.type, (ast.IntType, ast.UintType))
            and node.init_expression is None
            and context.scope is Scope.GLOBAL
            and node.identifier.name not in self._switch_slots
        ):
            self._switch_slots[node.identifier.name] = None
            return context
        return super().visit_ClassicalDeclaration(node, context)

    def visit_ClassicalAssignment(self, node: Any, context: State) -> State:
        name = node.lvalue.name if isinstance(node.lvalue, ast.Identifier) else None
        if name in self._switch_slots and node.op.name == "=":
            self._switch_slots[name] = (self._value(node.rvalue, context), self._statements)
            return context
        raise_from_node(node, "classical assignments are not supported (only a switch target)")

    def visit_SwitchStatement(self, node: Any, context: State) -> State:
        target = node.target
        slot = self._switch_slots.get(target.name) if isinstance(target, ast.Identifier) else None
        if isinstance(target, ast.Identifier) and target.name in self._switch_slots:
            # Only `x = value;` immediately before `switch (x)`: then x is that value.
            if slot is None or slot[1] != self._statements - 1:
                raise_from_node(node, "a switch target must be assigned just before the switch")
            value = slot[0]
        else:
            value = self._value(target, context)
        circuit: QuantumCircuit = context.circuit
        try:
            switch = circuit.switch(value)
        except (TypeError, ValueError) as exc:
            raise_from_node(node, f"invalid switch target: {exc}")
        with switch as case:
            for values, body in node.cases:
                labels = [self._resolve_constant_int(v, context) for v in values]
                with case(*labels), LocalScope(context) as inner:
                    for statement in body.statements:
                        self.visit(statement, inner)
            if node.default is not None:
                with case(case.DEFAULT), LocalScope(context) as inner:
                    for statement in node.default.statements:
                        self.visit(statement, inner)
        return context


def convert(program: Any) -> QuantumCircuit:
    """An ``openqasm3`` AST -> ``QuantumCircuit``, as ``qasm3.loads`` plus the forms above.

    Raises:
        ConversionError: The program uses something neither reads.
    """
    return _Converter().convert(program).circuit
