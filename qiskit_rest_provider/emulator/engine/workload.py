"""How many instructions an OpenQASM 3 text expands to, computed without expanding it.

A 1.4 KB text can stand for 2**40 gates (``gate g1 a { g0 a; g0 a; }`` ... ``g40 q[0];``) and a
235-byte one for ten million (``for int i in [0:9999999] { x q[0]; }``); parsers and
simulators unroll either until memory or patience runs out. :func:`expanded_size` reads the
block structure of the text (statements end at ``;``, blocks are ``{ ... }``) and sums, with
saturating arithmetic:

* a gate call: the size of the gate's body (1 for a gate it does not define), times the
  ``pow(k)`` exponent, times the broadcast width (``x q;`` on ``qubit[5] q`` is 5);
* a ``for`` loop: its iteration count (integer-constant ranges and sets only) times its body;
* ``if``/``else``/``while``/``box``: their bodies once (a ``while`` that never ends is the
  job time limit's business);
* ``measure``/``reset``/``barrier``/``delay`` and other statements: their broadcast width or 1;
* declarations and gate definitions: 0.

It over-estimates rather than under-estimates (both branches of an ``if`` count), and refuses
what it cannot bound (a loop over a non-constant range, nesting deeper than 200 blocks).
"""

from __future__ import annotations

import ast
import re

__all__ = ["WorkRefused", "expanded_size", "strip_comments"]


class WorkRefused(ValueError):
    """The text's size cannot be bounded (the message says why)."""


_COMMENTS = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
_DELIM = re.compile(r"[{};]")
_WORD = re.compile(r"[A-Za-z_][\w]*")
_REGISTER_NEW = re.compile(r"^qubit\s*\[\s*(\d+)\s*\]\s*([A-Za-z_]\w*)$")
_REGISTER_OLD = re.compile(r"^qreg\s+([A-Za-z_]\w*)\s*\[\s*(\d+)\s*\]$")
_MODIFIER = re.compile(r"^(inv|ctrl|negctrl|pow)\s*(\(([^()]*)\))?\s*@\s*")
_FOR_RANGE = re.compile(r"^for\s+.*?\bin\s*\[([^\]]*)\]\s*(.*)$", re.S)
_DECLARATIONS = frozenset(
    "OPENQASM include qubit bit qreg creg input output int uint float angle bool complex "
    "const let duration stretch array defcalgrammar extern pragma #pragma gate opaque".split()
)
_BLOCKS = frozenset("gate for while if else box def defcal cal switch case default".split())
_MAX_DEPTH = 200


def strip_comments(qasm: str) -> str:
    """The text without ``//`` and ``/* */`` comments (each replaced by a space)."""
    return _COMMENTS.sub(" ", qasm) if "/" in qasm else qasm


def _int_expr(text: str) -> int | None:
    """Value of an integer-constant expression (``2*3``, ``-1``), else ``None``."""
    text = text.strip()
    if not text or len(text) > 100:
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    return _eval(node)


def _eval(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant):
        return node.value if type(node.value) is int else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left), _eval(node.right)
        if left is None or right is None or max(abs(left), abs(right)) > 10**12:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, (ast.Div, ast.FloorDiv)) and right:
            return left // right
    return None


def _range_length(spec: str) -> int:
    """Iterations of an inclusive OpenQASM range ``a:b`` or ``a:step:b``."""
    parsed = [_int_expr(p) for p in spec.split(":")]
    parts = [p for p in parsed if p is not None]
    if len(parts) == 2:
        parts.insert(1, 1)
    if len(parsed) not in (2, 3) or len(parts) != 3 or parts[1] == 0:
        raise WorkRefused(
            f"a for-loop range must be made of integer constants, not [{spec.strip()[:40]}]."
        )
    start, step, stop = parts
    return max(0, (stop - start) // step + 1)


def _split_args(text: str) -> list[str]:
    out, depth, last = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[last:i])
            last = i + 1
    out.append(text[last:])
    return [a.strip() for a in out if a.strip()]


def _skip_parens(text: str) -> str:
    """``text`` after a leading balanced ``( ... )`` (and whitespace)."""
    text = text.lstrip()
    if not text.startswith("("):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[i + 1 :].lstrip()
    return ""


class _Scanner:
    def __init__(self, code: str, cap: int) -> None:
        self.code = code
        self.cap = cap
        self.pos = 0
        self.gates: dict[str, int] = {}
        self.registers: dict[str, int] = {}

    def mul(self, a: int, b: int) -> int:
        return min(a * b, self.cap)

    def block(self, depth: int, in_gate: bool) -> int:
        """Statements up to the matching ``}`` (consumed) or the end of the text."""
        if depth > _MAX_DEPTH:
            raise WorkRefused(f"blocks are nested more than {_MAX_DEPTH} deep.")
        total = 0
        while total < self.cap:
            match = _DELIM.search(self.code, self.pos)
            end = len(self.code) if match is None else match.start()
            chunk = self.code[self.pos : end]
            self.pos = len(self.code) if match is None else match.end()
            if match is None or match.group() in ";}":
                total += self.statement(chunk, in_gate)
                if match is None or (match.group() == "}" and depth > 0):
                    break  # (a stray "}" at the top level ends nothing: keep counting)
            else:
                total += self.compound(chunk.strip(), depth, in_gate)
        return min(total, self.cap)

    def compound(self, header: str, depth: int, in_gate: bool) -> int:
        """A block opened after ``header``; returns its cost (gate definitions: 0)."""
        word = _WORD.match(header)
        keyword = word.group() if word else ""
        if keyword == "for" and re.search(r"\bin$", header):  # for ... in {1, 2, 5}
            close = self.closing_brace()
            items = _split_args(self.code[self.pos : close])
            self.pos = close + 1
            return self.mul(len(items), self.body(depth, in_gate))
        if keyword not in _BLOCKS and header.endswith(("=", ",", "(", "{")):
            self.pos = self.closing_brace() + 1  # a brace literal inside a statement
            return 0
        # Anything else opens a block, known keyword or not (a bare "{ ... }" is a scope).
        body = self.block(depth + 1, in_gate or keyword == "gate")
        if keyword in ("gate", "def"):
            name = _WORD.match(header[len(keyword) :].lstrip())
            if name is not None:
                self.gates[name.group()] = max(1, body)
            return 0
        if keyword == "for":
            match = _FOR_RANGE.match(header)
            if match is None:
                raise WorkRefused(f"cannot read the for-loop header {header[:60]!r}.")
            return self.mul(_range_length(match.group(1)), body)
        return body

    def closing_brace(self) -> int:
        """Index of the ``}`` matching a ``{`` just consumed (end of text if none)."""
        depth = 1
        for match in re.finditer(r"[{}]", self.code[self.pos :]):
            depth += 1 if match.group() == "{" else -1
            if depth == 0:
                return self.pos + match.start()
        return len(self.code)

    def body(self, depth: int, in_gate: bool) -> int:
        """A loop body after its header: a block or a single statement."""
        rest = self.code[self.pos :].lstrip()
        if rest.startswith("{"):
            self.pos = self.code.index("{", self.pos) + 1
            return self.block(depth + 1, in_gate)
        end = self.code.find(";", self.pos)
        end = len(self.code) if end < 0 else end
        chunk, self.pos = self.code[self.pos : end], end + 1
        return self.statement(chunk, in_gate)

    def statement(self, text: str, in_gate: bool) -> int:
        text = text.strip()
        word = _WORD.match(text) or re.match(r"#pragma", text)
        keyword = word.group() if word else ""
        if not text or keyword in _DECLARATIONS:
            self.declare(text)
            return 0
        if keyword == "for":
            match = _FOR_RANGE.match(text)
            if match is None:
                raise WorkRefused(f"cannot read the for-loop {text[:60]!r}.")
            return self.mul(_range_length(match.group(1)), self.statement(match.group(2), in_gate))
        if keyword in ("if", "while"):
            return self.statement(_skip_parens(text[len(keyword) :]), in_gate)
        if keyword == "else":
            return self.statement(text[4:], in_gate)
        if "measure" in text and re.search(r"\bmeasure\b", text):
            target = re.split(r"\bmeasure\b", text, maxsplit=1)[1].split("->")[0]
            return self.width(target, in_gate)
        factor = 1
        while (modifier := _MODIFIER.match(text)) is not None:
            if modifier.group(1) == "pow":
                exponent = _int_expr(modifier.group(3) or "")
                factor = self.mul(factor, max(1, abs(exponent)) if exponent is not None else 1)
            text = text[modifier.end() :]
        name = _WORD.match(text)
        if name is None:
            return 1
        rest = _skip_parens(text[name.end() :])
        if rest.startswith("["):  # delay[100ns] q;
            rest = rest[rest.find("]") + 1 :]
        size = self.gates.get(name.group(), 1)
        return self.mul(self.mul(size, factor), self.width(rest, in_gate))

    def width(self, args: str, in_gate: bool) -> int:
        """Broadcast width of a qubit argument list (gate bodies: 1)."""
        if in_gate:
            return 1
        widest = 1
        for arg in _split_args(args):
            name = _WORD.fullmatch(arg)
            if name is not None:
                widest = max(widest, self.registers.get(arg, 1))
            elif ":" in arg or "{" in arg:  # a slice or index set: at most the register
                base = _WORD.match(arg)
                widest = max(widest, self.registers.get(base.group(), 1) if base else 1)
        return widest

    def declare(self, text: str) -> None:
        compact = re.sub(r"\s+", " ", text)
        if (match := _REGISTER_NEW.match(compact)) is not None:
            self.registers[match.group(2)] = int(match.group(1))
        elif (match := _REGISTER_OLD.match(compact)) is not None:
            self.registers[match.group(1)] = int(match.group(2))


def expanded_size(qasm: str, cap: int, *, quick: bool = True) -> int:
    """Instructions the text expands to, saturating at ``cap`` (see the module docstring).

    Args:
        qasm: OpenQASM 3 text.
        cap: Counting stops here (the result is then ``cap``).
        quick: For text without blocks or modifiers, answer a cheap upper bound when it is
            below ``cap`` instead of counting statement by statement.

    Raises:
        WorkRefused: The size cannot be bounded.
    """
    code = strip_comments(qasm)
    if quick and "{" not in code and "@" not in code:
        bound = _straight_line_bound(code)
        if bound < cap:
            return bound
    return _Scanner(code, cap).block(0, in_gate=False)


def _straight_line_bound(code: str) -> int:
    """An upper bound for text without blocks or modifiers, from a few C-speed scans.

    Each statement costs 1 plus, per register it names other than by a single index
    (``q``, ``q[0:3]``), at most that register's size.
    """
    total = code.count(";") + 1
    sizes = [(name, int(n)) for n, name in re.findall(r"\bqubit\s*\[\s*(\d+)\s*\]\s*(\w+)", code)]
    sizes += [(name, int(n)) for name, n in re.findall(r"\bqreg\s+(\w+)\s*\[\s*(\d+)\s*\]", code)]
    for name, size in sizes:
        wide_uses = re.findall(rf"\b{re.escape(name)}\b(?!\s*\[\s*\d+\s*\])", code)
        total += len(wide_uses) * size
    return total
