"""Backend configuration + properties JSON -> Qiskit ``Target``, with errors and durations.

Follows qiskit-ibm-runtime's ``convert_to_target`` (research style-anchors.md §3.5) on the raw
JSON, without its ``BackendConfiguration``/``BackendProperties`` model classes:

* instructions: ``basis_gates`` plus the ``measure``/``reset``/``delay`` and control-flow names
  found in ``supported_instructions``; gates Qiskit does not know are skipped;
* where each gate acts: the properties' gate entries, else the gate's own ``coupling_map`` in
  the configuration, else every qubit (1-qubit gates) or every coupling-map edge (2-qubit);
* ``gate_error``/``gate_length`` and ``readout_error``/``readout_length`` become
  ``InstructionProperties`` (durations in seconds), T1/T2/frequency become ``QubitProperties``;
* faulty qubits and gates (an ``operational`` property that is false) are left out, so the
  transpiler never places anything on them;
* fractional gates (``rx``, ``rzz``) of devices are left out unless asked for, as the official
  client does by default.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from typing import Any

from qiskit.circuit import ForLoopOp, IfElseOp, SwitchCaseOp, WhileLoopOp
from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping
from qiskit.exceptions import QiskitError
from qiskit.providers.backend import QubitProperties
from qiskit.transpiler import InstructionProperties, Target

from ..exceptions import DecodeError

__all__ = ["target_from_json", "faulty_qubits", "faulty_gates", "si_value"]

logger = logging.getLogger(__name__)

_NON_UNITARY = ("measure", "reset", "delay")
_CONTROL_FLOW = {
    "if_else": IfElseOp,
    "while_loop": WhileLoopOp,
    "for_loop": ForLoopOp,
    "switch_case": SwitchCaseOp,
}
_FRACTIONAL = frozenset({"rx", "rzz"})
_PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
_TIMING = ("granularity", "min_length", "pulse_alignment", "acquire_alignment")
# A configuration claiming more qubits than this is not believed (a Target allocates per qubit).
MAX_QUBITS = 100_000
_MAX_ALL_PAIRS = 2048


def si_value(item: Mapping[str, Any]) -> float | None:
    """The value of one ``{name, value, unit}`` property in SI units (``"ns"`` -> seconds)."""
    value = item.get("value")
    if value is None or isinstance(value, bool):
        return value
    unit = str(item.get("unit") or "")
    if len(unit) > 1 and unit[0] in _PREFIX and unit[1:] in ("s", "Hz"):
        return float(value) * _PREFIX[unit[0]]
    return float(value)


def _qubit_props(properties: Mapping[str, Any]) -> list[dict[str, float | None]]:
    return [
        {item.get("name"): si_value(item) for item in qubit}
        for qubit in properties.get("qubits") or []
    ]


def faulty_qubits(properties: Mapping[str, Any] | None) -> set[int]:
    """Qubits whose ``operational`` property is false."""
    return {
        index
        for index, props in enumerate(_qubit_props(properties or {}))
        if "operational" in props and not props["operational"]
    }


def faulty_gates(properties: Mapping[str, Any] | None) -> set[tuple[str, tuple[int, ...]]]:
    """``(gate name, qubits)`` pairs whose ``operational`` property is false."""
    out = set()
    for gate in (properties or {}).get("gates") or []:
        for item in gate.get("parameters") or []:
            if item.get("name") == "operational" and not item.get("value"):
                out.add((gate.get("gate"), tuple(gate.get("qubits") or ())))
    return out


def _gate_entries(
    properties: Mapping[str, Any],
) -> dict[str, dict[tuple[int, ...], dict[str, float | None]]]:
    out: dict[str, dict[tuple[int, ...], dict[str, float | None]]] = {}
    for gate in properties.get("gates") or []:
        values = {item.get("name"): si_value(item) for item in gate.get("parameters") or []}
        out.setdefault(gate.get("gate"), {})[tuple(gate.get("qubits") or ())] = values
    return out


def _default_qargs(
    num_gate_qubits: int, num_qubits: int, edges: Iterable[Iterable[int]] | None
) -> list[tuple[int, ...]] | None:
    if num_gate_qubits == 1:
        return [(q,) for q in range(num_qubits)]
    if num_gate_qubits == 2 and edges:
        return [tuple(edge) for edge in edges]
    return None  # a global instruction: any qubits (all-to-all simulators)


def target_from_json(
    configuration: Mapping[str, Any],
    properties: Mapping[str, Any] | None = None,
    *,
    include_fractional_gates: bool | None = None,
    filter_faulty: bool = True,
) -> Target:
    """Build a ``Target`` from IBM's configuration and properties JSON.

    The one converter: the client's backends and the emulator's devices both use it.

    Args:
        configuration: ``GET /backends/{name}/configuration``.
        properties: ``GET /backends/{name}/properties`` (``None``/``{}`` for simulators).
        include_fractional_gates: Keep ``rx``/``rzz``; default: only for simulators.
        filter_faulty: Leave out faulty qubits and gates.

    Raises:
        DecodeError: The JSON is not a backend's configuration and properties.
    """
    if not isinstance(configuration, dict):
        raise DecodeError("A backend configuration is a JSON object.")
    if properties is not None and not isinstance(properties, dict):
        raise DecodeError("Backend properties are a JSON object.")
    num_qubits = configuration.get("n_qubits") or configuration.get("num_qubits") or 0
    if (
        isinstance(num_qubits, bool)
        or not isinstance(num_qubits, (int, float))
        or not (0 <= num_qubits <= MAX_QUBITS and num_qubits == int(num_qubits))
    ):
        raise DecodeError(
            f"The backend configuration's n_qubits {str(num_qubits)[:40]!r} is not "
            f"a number of qubits between 0 and {MAX_QUBITS}."
        )
    try:
        fractional = include_fractional_gates
        return _build(configuration, properties or {}, int(num_qubits), fractional, filter_faulty)
    except DecodeError:
        raise
    except (QiskitError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise DecodeError(
            "The backend's configuration or properties are malformed "
            f"({type(exc).__name__}: {str(exc)[:200]})."
        ) from exc


def _build(
    configuration: dict[str, Any],
    properties: dict[str, Any],
    num_qubits: int,
    include_fractional_gates: bool | None,
    filter_faulty: bool,
) -> Target:
    known = get_standard_gate_name_mapping()
    simulator = bool(configuration.get("simulator"))
    fractional = simulator if include_fractional_gates is None else include_fractional_gates
    supported = set(configuration.get("supported_instructions") or _NON_UNITARY)
    names = list(dict.fromkeys(configuration.get("basis_gates") or []))
    names += [n for n in (*_NON_UNITARY, *_CONTROL_FLOW) if n in supported and n not in names]
    if "measure" not in names:
        names.append("measure")
    bad_qubits = faulty_qubits(properties) if filter_faulty else set()
    bad_gates = faulty_gates(properties) if filter_faulty else set()
    gate_configs = {g.get("name"): g for g in configuration.get("gates") or []}
    entries = _gate_entries(properties)
    qubit_props = _qubit_props(properties)
    edges = configuration.get("coupling_map") or None

    kwargs: dict[str, Any] = {"num_qubits": num_qubits}
    if configuration.get("dt") is not None:
        # The wire gives dt in nanoseconds; a Target wants seconds (as BackendConfiguration).
        kwargs["dt"] = float(configuration["dt"]) * 1e-9
    timing = configuration.get("timing_constraints") or {}
    kwargs.update({key: timing[key] for key in _TIMING if key in timing})
    if qubit_props and len(qubit_props) == num_qubits:
        kwargs["qubit_properties"] = [
            QubitProperties(t1=p.get("T1"), t2=p.get("T2"), frequency=p.get("frequency"))
            for p in qubit_props
        ]
    target = Target(**kwargs)

    def usable(name: str, qargs: tuple[int, ...]) -> bool:
        return not (bad_qubits.intersection(qargs) or (name, qargs) in bad_gates)

    props: dict[tuple[int, ...], InstructionProperties | None] | None
    for name in names:
        if name in _CONTROL_FLOW:
            target.add_instruction(_CONTROL_FLOW[name], name=name)
            continue
        if name not in known:
            if name != "barrier":
                logger.debug(
                    "skipping instruction %r: Qiskit has no standard gate of that name", name
                )
            continue
        if name in _FRACTIONAL and not fractional:
            continue
        gate = known[name]
        if name == "measure":
            props = {
                (q,): InstructionProperties(
                    error=qubit_props[q].get("readout_error") if q < len(qubit_props) else None,
                    duration=qubit_props[q].get("readout_length") if q < len(qubit_props) else None,
                )
                for q in range(num_qubits)
                if q not in bad_qubits
            }
        elif name in entries:
            props = {
                qargs: InstructionProperties(
                    error=values.get("gate_error"), duration=values.get("gate_length")
                )
                for qargs, values in entries[name].items()
                if usable(name, qargs)
            }
        else:
            config_map = (gate_configs.get(name) or {}).get("coupling_map") or None
            qargs_list = (
                [tuple(q) for q in config_map]
                if config_map
                else _default_qargs(gate.num_qubits, num_qubits, edges)
            )
            if qargs_list is None and (not bad_qubits or gate.num_qubits > 2):
                props = None
            else:
                qargs_list = qargs_list or _all_qargs(gate.num_qubits, num_qubits)
                props = {q: None for q in qargs_list if usable(name, q)}
        bounds = [(0.0, math.pi / 2)] if name == "rzz" and not simulator else None
        target.add_instruction(gate, props, name=name, angle_bounds=bounds)
    return target


def _all_qargs(width: int, num_qubits: int) -> list[tuple[int, ...]]:
    if width == 1:
        return [(q,) for q in range(num_qubits)]
    if num_qubits > _MAX_ALL_PAIRS:  # n * (n - 1) pairs: refuse rather than hang
        raise DecodeError(
            f"A {num_qubits}-qubit backend with no coupling map would need every qubit pair "
            "listed; the configuration is not believed."
        )
    return [(a, b) for a in range(num_qubits) for b in range(num_qubits) if a != b]
