"""The ISA part of pre-submit validation: is every instruction native to the device?

The happy path is Qiskit's Rust ``GatesInBasis`` pass (control flow and directives included):
under 1 ms with the DAG conversion for a 2,150-instruction ISA circuit on 127 qubits, against
3.3 ms for a Python loop over ``target.instruction_supported`` (benchmarks/bench_reliability.py).
Only when it reports a problem, or when the circuit uses a gate with angle bounds (which it does
not check), does the Python walker run, to name the instruction, its qubits and the fix.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

import numpy as np

from ..codec.target import faulty_gates, faulty_qubits
from ..exceptions import PubValidationError

__all__ = ["PubValidationError", "BackendFacts", "facts_for", "IsaChecker", "SKIP_HINT"]

logger = logging.getLogger(__name__)

SKIP_HINT = " (pass validate=False to the primitive to skip these checks)."
_ALLOWED = frozenset({"barrier", "store"})
_CONTROL_FLOW = frozenset({"if_else", "while_loop", "for_loop", "switch_case", "box"})
_TRANSPILE = (
    "Transpile it for the backend first: isa = generate_preset_pass_manager("
    "backend=backend, optimization_level=1).run(circuit)"
)


def fail(index: int, text: str, **where: Any) -> PubValidationError:
    """The error for PUB ``index``, its message prefixed with the index."""
    return PubValidationError(f"PUB {index}: {text}", pub_index=index, **where)


# How far past a gate's upper angle bound an angle may round (qiskit-ibm-runtime 0.51's value).
_ROUNDING = 1e-10


class BackendFacts:
    """What validation needs from a backend, computed once per target/properties version."""

    def __init__(self, backend: Any) -> None:
        config = backend.configuration() or {}
        self.name = backend.name
        self.simulator = bool(backend.simulator)
        self.max_shots = int(config.get("max_shots") or 0) or None
        self.target = backend.target
        self.num_qubits = self.target.num_qubits or backend.num_qubits_hint
        self.properties = backend.properties() if not self.simulator else {}
        self.bad_qubits = faulty_qubits(self.properties)
        self.bad_gates = faulty_gates(self.properties)
        self._passes = threading.local()  # one GatesInBasis per thread (see rust_says_isa)
        bounds = self.target.has_angle_bounds()
        self.bounded = {n for n in self.target.operation_names if bounds and self._bounded(n)}
        self.native = ", ".join(sorted(self.target.operation_names))

    def _bounded(self, name: str) -> bool:
        return bool(self.target.gate_has_angle_bounds(name))

    def fresh_for(self, backend: Any) -> bool:
        """Whether the backend still has the target and properties these facts were built on."""
        return backend.target is self.target and (
            self.simulator or backend.properties() is self.properties
        )

    def rust_says_isa(self, circuit: Any) -> bool | None:
        """Qiskit's Rust check; ``None`` if it is unusable (then the walker decides)."""
        try:
            from qiskit.converters import circuit_to_dag
            from qiskit.transpiler.passes import GatesInBasis

            # One instance per thread, not per call: building one costs more than the check
            # (Qiskit inspects its __init__ signature), and its property_set, which run()
            # overwrites, must not be shared between threads.
            check = getattr(self._passes, "check", None)
            if check is None:
                check = self._passes.check = GatesInBasis(target=self.target)
            check.run(circuit_to_dag(circuit, copy_operations=False))
            return bool(check.property_set["all_gates_in_basis"])
        except Exception:  # a Qiskit change must never block a valid job: walk in Python
            logger.debug("GatesInBasis unavailable; using the Python ISA walker", exc_info=True)
            return None


_FACTS: weakref.WeakKeyDictionary[Any, BackendFacts] = weakref.WeakKeyDictionary()
_FACTS_LOCK = threading.Lock()


def facts_for(backend: Any) -> BackendFacts:
    """The cached :class:`BackendFacts` of ``backend``, rebuilt after a refresh."""
    with _FACTS_LOCK:
        facts = _FACTS.get(backend)
    if facts is None or not facts.fresh_for(backend):
        facts = BackendFacts(backend)
        with _FACTS_LOCK:
            _FACTS[backend] = facts
    return facts


class IsaChecker:
    """Checks circuits of one job; ``(name, qargs)`` answers are cached for the job."""

    def __init__(self, facts: BackendFacts) -> None:
        self.facts = facts
        self._supported: dict[tuple[str, tuple[int, ...]], bool] = {}
        #: Per circuit: bounded gates whose angles depend on parameters, checked per PUB.
        self.symbolic: dict[int, list[tuple[str, tuple[int, ...], Any]]] = {}
        self._current: list[tuple[str, tuple[int, ...], Any]] = []

    def check(self, circuit: Any, index: int) -> None:
        """Raise :class:`PubValidationError` unless ``circuit`` runs as is on the device."""
        facts = self.facts
        uses_bounded = bool(facts.bounded) and uses_any(circuit, facts.bounded)
        if uses_bounded or facts.rust_says_isa(circuit) is not True:
            mapping = {qubit: i for i, qubit in enumerate(circuit.qubits)}
            self._current = self.symbolic[id(circuit)] = []
            self._walk(circuit, mapping, index, "")

    def _walk(self, block: Any, mapping: dict[Any, int], index: int, where: str) -> None:
        target = self.facts.target
        for inst in block.data:
            name = inst.name
            if name in _ALLOWED or inst.is_directive():
                continue
            qargs = tuple(mapping[qubit] for qubit in inst.qubits)
            if inst.is_control_flow():
                if name not in target.operation_names:
                    raise self._not_supported(index, name, qargs, where)
                for sub in inst.operation.blocks:
                    inner = {b: mapping[q] for q, b in zip(inst.qubits, sub.qubits, strict=True)}
                    self._walk(sub, inner, index, f" inside {name}")
                continue
            ok = self._supported.get((name, qargs))
            if ok is None:
                ok = self._supported[(name, qargs)] = target.instruction_supported(name, qargs)
            if not ok:
                raise self._not_supported(index, name, qargs, where)
            if name in self.facts.bounded:
                self._check_angles(inst, qargs, index, where)

    def _check_angles(self, inst: Any, qargs: tuple[int, ...], index: int, where: str) -> None:
        params = inst.params
        if not all(isinstance(p, (int, float)) for p in params):
            self._current.append((inst.name, qargs, params))  # checked per PUB, with values
            return
        self._check_angle_values(inst.name, qargs, [float(p) for p in params], index, where)

    def _check_angle_values(
        self, name: str, qargs: tuple[int, ...], angles: list[float], index: int, where: str
    ) -> None:
        bound = self.facts.target.supported_angle_bound
        # qiskit-ibm-runtime lets an angle up to 1e-10 past the upper bound through (floating-
        # point rounding of pi/2); the lower bound stays exact, as there.
        if not bound(name, angles) and not bound(name, [a - _ROUNDING for a in angles]):
            raise fail(
                index,
                f"{name}{tuple(angles)} on qubits {qargs}{where} is outside the angles "
                f"{self.facts.name} supports for {name} (rzz: 0 to pi/2). Transpile with "
                f"generate_preset_pass_manager(backend=backend), which wraps them{SKIP_HINT}",
                instruction=name,
                qubits=qargs,
            )

    def check_bound_angles(self, pub: Any, index: int) -> None:
        """Check parameter-dependent angles of bounded gates with the PUB's values."""
        gates = self.symbolic.get(id(pub.circuit))
        if not gates:
            return
        order = list(pub.circuit.parameters)
        rows = np.unique(pub.parameter_values.as_array(order).reshape(-1, len(order)), axis=0)
        for name, qargs, params in gates:
            for row in rows:
                values = dict(zip(order, row, strict=True))
                angles = [float(_bind(p, values)) for p in params]
                where = f" with parameter values {dict(zip(map(str, order), row.tolist()))}"
                self._check_angle_values(name, qargs, angles, index, where)

    def _not_supported(
        self, index: int, name: str, qargs: tuple[int, ...], where: str
    ) -> PubValidationError:
        facts = self.facts
        bad = sorted(facts.bad_qubits.intersection(qargs))
        if bad:
            why = (
                f"uses qubit {bad[0]}, which the latest calibration of {facts.name} marks as "
                "faulty (operational = 0). Transpile again with generate_preset_pass_manager("
                "backend=backend): the backend's target leaves faulty qubits out"
            )
        elif (name, qargs) in facts.bad_gates:
            why = (
                f"uses an edge the latest calibration of {facts.name} marks as faulty "
                "(operational = 0). Transpile again for backend.target, which leaves it out"
            )
        elif name not in facts.target.operation_names:
            why = f"is not an instruction of {facts.name} (it has {facts.native}). {_TRANSPILE}"
        elif len(qargs) == 2 and facts.target.instruction_supported(name, qargs[::-1]):
            why = f"runs only as {qargs[::-1]} on {facts.name} (direction matters). {_TRANSPILE}"
        else:
            why = f"is not available on those qubits of {facts.name} (not coupled). {_TRANSPILE}"
        text = f"{name} on qubits {qargs}{where} {why}{SKIP_HINT}"
        return fail(index, text, instruction=name, qubits=qargs)


def _bind(param: Any, values: dict[Any, float]) -> float:
    if not hasattr(param, "parameters"):
        return float(param)
    return float(param.bind({p: values[p] for p in param.parameters}))


def _blocks(circuit: Any, ops: dict[str, int]) -> list[Any]:
    # Iterating circuit.data costs ~0.2 us per instruction; do it only if there are blocks.
    if not _CONTROL_FLOW.intersection(ops):
        return []
    return [b for inst in circuit.data if inst.is_control_flow() for b in inst.operation.blocks]


def has_measure(circuit: Any) -> bool:
    """Whether the circuit measures anything, in control-flow blocks too."""
    ops = circuit.count_ops()
    return "measure" in ops or any(has_measure(b) for b in _blocks(circuit, ops))


def uses_any(circuit: Any, names: set[str]) -> bool:
    """Whether any of ``names`` occurs in the circuit, in control-flow blocks too."""
    ops = circuit.count_ops()
    return bool(names.intersection(ops)) or any(uses_any(b, names) for b in _blocks(circuit, ops))
