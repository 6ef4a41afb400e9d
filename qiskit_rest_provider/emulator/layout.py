"""Where the transpiler service stand-in places a circuit: compact, low-numbered, good qubits.

The service placed small circuits on the lowest-numbered qubits of a device (the seed
notebook's 5-qubit circuit came back on ``$0…$4``; IBM's AI layout does the same in KEEP and
IMPROVE mode, research user-needs.md §6), and users' observables are often written for that.
Qiskit's own layout picks the least noisy qubits anywhere on the chip. The rule here
(docs/transpiler.md, "Where circuits land"):

1. Candidates: the circuit routed on the *compact set* — the ``n`` lowest-numbered good qubits
   that form a connected patch (grown from the lowest good qubit, always adding the
   lowest-numbered good neighbour) — and Qiskit's preset pass manager on the whole device.
2. Each candidate is scored by its estimated success probability (ESP): the product of
   ``1 - error`` over every gate and measurement of the output, errors from the Target.
3. The compact candidate wins unless its ESP is below :data:`COMPARABLE` times the best ESP.

A qubit is *good* when its readout and single-qubit errors are at most :data:`GOOD_FACTOR`
times the device's median; an edge is usable when its two-qubit error is too.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

#: A candidate within this fraction of the best ESP counts as "comparable quality".
COMPARABLE = 0.95
#: Errors up to this multiple of the device median count as "good".
GOOD_FACTOR = 3.0


def esp(circuit: Any, target: Any) -> float:
    """Estimated success probability of an ISA ``circuit`` on ``target`` (1.0 if unknown)."""
    index = {bit: i for i, bit in enumerate(circuit.qubits)}
    value = 1.0
    for instruction in circuit.data:
        name = instruction.operation.name
        if name not in target.operation_names:
            continue
        qargs = tuple(index[q] for q in instruction.qubits)
        props = target[name].get(qargs)
        if props is not None and props.error is not None:
            value *= max(0.0, 1.0 - props.error)
    return value


def _errors(target: Any, qargs_len: int, skip: Sequence[str] = ()) -> dict[tuple[int, ...], float]:
    out: dict[tuple[int, ...], float] = {}
    for name in target.operation_names:
        if name in skip:
            continue
        props = target[name]
        for qargs, p in (props or {}).items():
            if qargs is None or len(qargs) != qargs_len or p is None or p.error is None:
                continue
            out[qargs] = max(out.get(qargs, 0.0), p.error)
    return out


def compact_qubits(target: Any, size: int) -> list[int] | None:
    """The ``size`` lowest-numbered good qubits forming a connected patch, or ``None``."""
    cmap = target.build_coupling_map()
    if cmap is None or size > target.num_qubits or size < 1:
        return None
    one = _errors(target, 1, skip=("delay", "reset", "id"))
    two = _errors(target, 2)

    def limit(values: Any) -> float:
        values = list(values)
        return GOOD_FACTOR * statistics.median(values) if values else float("inf")

    one_limit, two_limit = limit(one.values()), limit(two.values())
    good = {q for q in range(target.num_qubits) if one.get((q,), 0.0) <= one_limit}
    neighbours: dict[int, set[int]] = {q: set() for q in good}
    for a, b in cmap.get_edges():
        if a in good and b in good and max(two.get((a, b), 0), two.get((b, a), 0)) <= two_limit:
            neighbours[a].add(b)
            neighbours[b].add(a)
    for start in sorted(good):
        patch = [start]
        frontier = set(neighbours[start])
        while len(patch) < size and frontier:
            nxt = min(frontier)
            patch.append(nxt)
            frontier |= neighbours[nxt]
            frontier -= set(patch)
        if len(patch) == size:
            return sorted(patch)
    return None


def sub_target(target: Any, qubits: Sequence[int]) -> Any:
    """``target`` restricted to ``qubits``, renumbered ``0..len(qubits)-1``."""
    from qiskit.transpiler import Target

    index = {q: i for i, q in enumerate(qubits)}
    qubit_props = None
    if target.qubit_properties is not None:
        qubit_props = [target.qubit_properties[q] for q in qubits]
    sub = Target(
        num_qubits=len(qubits),
        dt=target.dt,
        granularity=target.granularity,
        min_length=target.min_length,
        pulse_alignment=target.pulse_alignment,
        acquire_alignment=target.acquire_alignment,
        qubit_properties=qubit_props,
    )
    for name in target.operation_names:
        op = target.operation_from_name(name)
        props = target[name]
        if isinstance(op, type) or props is None or None in props:
            sub.add_instruction(op, name=name)
            continue
        kept = {
            tuple(index[q] for q in qargs): p
            for qargs, p in props.items()
            if all(q in index for q in qargs)
        }
        sub.add_instruction(op, kept, name=name)
    return sub


def embed(circuit: Any, qubits: Sequence[int], width: int) -> Any:
    """Places a circuit transpiled on :func:`sub_target` onto the full device.

    Virtual qubit ``v`` laid out on sub-qubit ``p`` lands on ``qubits[p]``; the device's other
    qubits become ancillas, in increasing order. The result carries a full-width
    ``TranspileLayout``, as a circuit transpiled on the whole device would.
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import QuantumRegister
    from qiskit.transpiler import Layout, TranspileLayout

    layout = circuit.layout
    initial_sub = layout.initial_index_layout(filter_ancillas=False)
    final_sub = layout.final_index_layout(filter_ancillas=False)
    rest = [q for q in range(width) if q not in set(qubits)]
    initial = [qubits[p] for p in initial_sub] + rest
    final = [qubits[p] for p in final_sub] + rest
    full = QuantumCircuit(QuantumRegister(width, "q"), *circuit.cregs, name=circuit.name)
    full.global_phase = circuit.global_phase
    full.metadata = dict(circuit.metadata or {})
    full.compose(circuit, qubits=list(qubits), inplace=True, copy=False)
    # Virtual qubits: the input's (with its registers), then ancillas for the rest.
    virtual = sorted(layout.input_qubit_mapping, key=layout.input_qubit_mapping.__getitem__)
    num_input = len(virtual)
    extra = QuantumRegister(width - num_input, "device_ancilla") if width > num_input else None
    if extra is not None:
        virtual += list(extra)
    initial_layout = Layout({virtual[v]: p for v, p in enumerate(initial)})
    for reg in layout.initial_layout.get_registers():
        initial_layout.add_register(reg)
    if extra is not None:
        initial_layout.add_register(extra)
    # final_layout maps each physical qubit at the start to where its state ends up.
    final_layout = Layout({full.qubits[initial[v]]: final[v] for v in range(width)})
    full._layout = TranspileLayout(
        initial_layout=initial_layout,
        input_qubit_mapping={bit: i for i, bit in enumerate(virtual)},
        final_layout=final_layout,
        _input_qubit_count=layout._input_qubit_count,
        _output_qubit_list=full.qubits,
    )
    return full
