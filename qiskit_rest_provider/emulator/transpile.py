"""The transpiler task API's work: Qiskit preset pass managers against a backend's Target.

Mirrors the retired cloud transpiler (research transpiler-service.md §3, §5): one task per
``POST /transpile``, results as ``[{"qasm", "qpy", "layout": {"initial", "final"}}]`` in input
order, the QASM on one line, layouts at full device width. AI modes run the same preset pass
manager (no models offline). ``ai_layout_mode``: ``keep`` keeps the given (else the trivial)
layout; ``improve`` (and ``optimize`` with an ``initial_layout``, the client's rule) starts from
the given layout and keeps it unless Qiskit's own placement is clearly better; ``optimize``
places circuits by the compact-layout rule of :mod:`.layout`.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

#: ``qiskit_transpile_options`` keys (Qiskit ``transpile()`` keywords) the emulator honours.
PM_OPTIONS = frozenset(
    {
        "coupling_map",
        "basis_gates",
        "initial_layout",
        "layout_method",
        "routing_method",
        "translation_method",
        "scheduling_method",
        "approximation_degree",
        "seed_transpiler",
        "unitary_synthesis_method",
        "unitary_synthesis_plugin_config",
        "optimization_method",
        "dt",
        "timing_constraints",
        "hls_config",
        "init_method",
        "qubits_initially_zero",
    }
)
_QREG = re.compile(r"\b(?:qreg|creg)\s+\w+\s*\[\s*(\d+)\s*\]")
_QASM2_INCLUDE = re.compile(r'^\s*include\s+"qelib1\.inc"\s*;\s*$')


#: Instructions a circuit may expand to (the service's limit: "Circuit has more gates than the
#: allowed maximum of ...", 5,000 then 30,000, then a million two-qubit gates).
MAX_GATES = 1_000_000


class TaskInputError(ValueError):
    """A transpile request that is refused before a task is created (HTTP 400)."""


def _too_big(index: int) -> TaskInputError:
    return TaskInputError(
        f"Circuit has more gates than the allowed maximum of {MAX_GATES}. (Circuit {index}, "
        "counted with its gate definitions, loops and register broadcasts unrolled.)"
    )


def bound_work(qasm: str, index: int) -> None:
    """Refuses OpenQASM (2 or 3) text that expands to more than :data:`MAX_GATES` instructions.

    Counted from the text's block structure without unrolling it (``engine/workload.py``), so a
    ``gate`` definition chain or a ten-million-step ``for`` loop is refused in microseconds.

    Raises:
        TaskInputError: With the service's message, naming the limit and the circuit.
    """
    from .engine.workload import WorkRefused, expanded_size

    try:
        size = expanded_size(qasm, MAX_GATES + 1)
    except WorkRefused as exc:
        raise TaskInputError(f"Circuit {index}: its size cannot be bounded: {exc}") from None
    if size > MAX_GATES:
        raise _too_big(index)


def bound_circuit(circuit: Any, index: int) -> None:
    """Refuses a (QPY) circuit whose gate definitions expand to more than :data:`MAX_GATES`.

    Raises:
        TaskInputError: As :func:`bound_work`.
    """
    if _size(circuit, MAX_GATES + 1) > MAX_GATES:
        raise _too_big(index)


def _size(circuit: Any, cap: int) -> int:
    """Instructions of ``circuit`` with custom definitions and control-flow bodies expanded."""
    from qiskit.circuit import ControlFlowOp, ForLoopOp
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = get_standard_gate_name_mapping()
    total = 0
    for instruction in circuit.data:
        op = instruction.operation
        if isinstance(op, ControlFlowOp):
            size = sum(_size(block, cap) for block in op.blocks)
            if isinstance(op, ForLoopOp):
                size *= len(op.params[0])
        elif op.name not in standard and getattr(op, "_definition", None) is not None:
            # Only definitions that came with the circuit: computing one (a UnitaryGate's
            # synthesis) is the kind of work this check runs before.
            size = max(1, _size(op._definition, cap))
        else:
            size = 1
        total = min(total + size, cap)
        if total >= cap:
            break
    return total


def split_statements(qasm: str) -> str:
    """Puts each statement of one-line QASM on its own line (the service emits one-liners).

    Only done when the text has no comments, where splitting after ``;`` cannot change meaning.
    """
    if "//" in qasm or "/*" in qasm or "\n" in qasm.strip():
        return qasm
    return re.sub(r";\s*", ";\n", qasm)


def screen_qasm2(qasm: str) -> None:
    """Refuses includes other than ``qelib1.inc`` and oversized registers in OpenQASM 2.

    Raises:
        TaskInputError: With a message a user can act on.
    """
    for number, line in enumerate(qasm.splitlines(), start=1):
        if "include" in line and not _QASM2_INCLUDE.match(line):
            raise TaskInputError(f"Line {number}: only 'include \"qelib1.inc\";' is allowed.")
    if sum(int(n) for n in _QREG.findall(qasm)) > 65_536:
        raise TaskInputError("The circuit declares too many qubits or bits.")


def load_circuit(qasm: str) -> tuple[Any, int]:
    """Parses untrusted OpenQASM 2 or 3 text; returns the circuit and the QASM version."""
    from qiskit import qasm2

    text = split_statements(qasm)
    if text.lstrip().startswith("OPENQASM 2"):
        screen_qasm2(text)
        return qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS), 2
    from .engine import qasm as safe_qasm

    return safe_qasm.parse(text, use_cache=False), 3


def _dump(circuit: Any, version: int) -> str:
    from qiskit import qasm2, qasm3

    if version == 2:
        try:
            return str(qasm2.dumps(circuit)).replace("\n", " ").strip()
        except Exception:  # not expressible in OpenQASM 2: answer in 3, as the service does
            logger.debug("QASM 2 export failed; answering in OpenQASM 3")
    return str(qasm3.dumps(circuit)).replace("\n", " ").strip()


def _layout(circuit: Any) -> dict[str, list[int]]:
    if circuit.layout is None:  # e.g. a target without connectivity: nothing was laid out
        width = circuit.num_qubits
        return {"initial": list(range(width)), "final": list(range(width))}
    return {
        "initial": list(circuit.layout.initial_index_layout()),
        "final": list(circuit.layout.final_index_layout(filter_ancillas=False)),
    }


# A coupling map's pairs are directed; Qiskit can only turn these two-qubit gates around, so
# a basis with others (csx, cy, ch...) made routing fail at random with "would be supported
# if the direction was flipped".
_FLIPPABLE = frozenset({"cx", "cz", "ecr", "swap", "rzx", "rxx", "ryy", "rzz"})


def _basis_for_coupling_map(backend: Any, options: dict[str, Any]) -> list[str]:
    """The basis a task with its own coupling map translates to.

    The user's ``basis_gates``, else the backend's, else the simulator's; gates on three or
    more qubits are left out, because a coupling map only has pairs to route them on (Qiskit
    would otherwise leave a ``ccx`` on unconnected qubits), and so are two-qubit gates Qiskit
    cannot turn around to fit a directed pair.
    """
    from qiskit.circuit.library import get_standard_gate_name_mapping

    from .devices.base import SIMULATOR_BASIS_GATES

    if options.get("basis_gates") is not None:
        basis = list(options["basis_gates"])
    elif backend is not None:
        basis = list(backend.configuration()["basis_gates"])
    else:
        basis = list(SIMULATOR_BASIS_GATES)
    gates = get_standard_gate_name_mapping()
    return [
        g
        for g in basis
        if g not in gates
        or gates[g].num_qubits == 1
        or (gates[g].num_qubits == 2 and g in _FLIPPABLE)
    ]


class _Placer:
    """Runs one task's circuits: the pass manager(s) and the layout rule of :mod:`.layout`."""

    def __init__(self, request: dict[str, Any], backend: Any) -> None:
        from qiskit.transpiler import CouplingMap

        self.level = int(request["optimization_level"])
        self.mode = request.get("layout_mode") or "optimize"
        self.options = dict(request.get("options") or {})
        self.options.pop("coupling_map", None)  # merged into request["coupling_map"] already
        cmap = request.get("coupling_map")
        self.target = None
        if cmap:
            self.options["basis_gates"] = _basis_for_coupling_map(backend, self.options)
            self.options["coupling_map"] = CouplingMap(cmap)
        else:
            self.target = backend.target
        if self.mode == "keep" and "initial_layout" not in self.options:
            self.options.setdefault("layout_method", "trivial")

    def _pm(self, target: Any = None, **overrides: Any) -> Any:
        from qiskit.transpiler import generate_preset_pass_manager

        options = {**self.options, **overrides}
        options = {k: v for k, v in options.items() if v is not None}
        if target is not None:
            return generate_preset_pass_manager(self.level, target=target, **options)
        return generate_preset_pass_manager(self.level, **options)

    def run(self, circuit: Any) -> Any:
        """The transpiled circuit, placed by the rule of :mod:`.layout` (docs/transpiler.md)."""
        from . import layout

        if self.target is None or self.mode == "keep":
            return self._pm(self.target).run(circuit)
        given = self.options.get("initial_layout") is not None
        if "layout_method" in self.options and not given:
            return self._pm(self.target).run(circuit)  # the user chose how to lay out
        # Candidates in order of preference; the first of comparable quality wins.
        candidates = []
        if given:  # IMPROVE, and OPTIMIZE with a layout (the client's rule): start from it
            candidates.append(self._pm(self.target).run(circuit))
        else:
            patch = layout.compact_qubits(self.target, circuit.num_qubits)
            if patch is not None:
                sub = self._pm(layout.sub_target(self.target, patch)).run(circuit)
                candidates.append(layout.embed(sub, patch, self.target.num_qubits))
        candidates.append(self._pm(self.target, initial_layout=None).run(circuit))
        scores = [layout.esp(c, self.target) for c in candidates]
        best = max(scores)
        return next(c for c, s in zip(candidates, scores) if s >= layout.COMPARABLE * best)


def transpile_request(request: dict[str, Any], backend: Any) -> list[dict[str, Any]]:
    """Runs one task: every circuit through the preset pass manager, in input order."""
    from qiskit import qpy

    placer = _Placer(request, backend)
    results = []
    if request.get("qpy"):
        circuits = qpy.load(io.BytesIO(base64.b64decode(request["qpy"])))
        for index, circuit in enumerate(circuits):
            bound_circuit(circuit, index)
        for circuit in circuits:
            out = placer.run(circuit)
            buf = io.BytesIO()
            qpy.dump(out, buf)
            results.append(
                {
                    "qasm": None,
                    "qpy": base64.b64encode(buf.getvalue()).decode(),
                    "layout": _layout(out),
                }
            )
        return results
    for text in request["qasm"]:
        circuit, version = load_circuit(text)
        out = placer.run(circuit)
        results.append({"qasm": _dump(out, version), "qpy": None, "layout": _layout(out)})
    return results
