"""What the dashboard shows of a job, a session and a backend, as plain JSON for the page.

The browser reads the public REST API for lists and actions; these views add what a page
cannot cheaply compute itself: results decoded from the Qiskit-tagged format (counts per
register, expectation values with their standard errors per index), each PUB's circuit drawn as
text, and a coupling map with per-qubit and per-edge error rates.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ...codec.pubs import spec_from_wire, split_wire_pub
from ...codec.results import decode_result
from ...codec.tagged import untag
from .layout import coupling_layout

__all__ = ["pub_views", "result_view", "spans_view", "backend_map", "visible_tags"]

logger = logging.getLogger(__name__)

MAX_BARS = 32  # bitstrings shown per register; the rest are summed into "other"
MAX_VALUES = 256  # expectation values shown per PUB
_MAX_DRAWN_QUBITS = 24
_MAX_DRAWN_OPS = 400
_MAX_QASM_CHARS = 20_000
# The client's marker that makes job creation idempotent; not a tag the user chose.
_INTERNAL_TAG_PREFIX = "qrp-submit-"


def visible_tags(tags: list[str] | None) -> list[str]:
    """The job's tags without the client's internal submit marker."""
    return [t for t in tags or [] if not t.startswith(_INTERNAL_TAG_PREFIX)]


def _drawing(qasm: str) -> str | None:
    """A text drawing of a PUB's circuit, or ``None`` when it is too big to be useful."""
    from ..engine.qasm import parse

    try:
        circuit = parse(qasm)
    except Exception:  # the job's own validation reports parse errors; a page just skips it
        logger.debug("dashboard: circuit not drawable", exc_info=True)
        return None
    if circuit.num_qubits > _MAX_DRAWN_QUBITS or circuit.size() > _MAX_DRAWN_OPS:
        return None
    return str(circuit.draw("text", fold=120, idle_wires=False))


def _shape(value: Any) -> list[int]:
    try:
        return list(np.shape(untag(value)))
    except Exception:
        return []


def pub_views(program: str, pubs: list[Any]) -> list[dict[str, Any]]:
    """Per PUB: circuit text and drawing, parameter and observable shapes, shots/precision."""
    views = []
    for pub in pubs:
        qasm, observables, values, budget = split_wire_pub(program, pub)
        views.append(
            {
                "qasm": qasm[:_MAX_QASM_CHARS],
                "drawing": _drawing(qasm),
                "shape": list(spec_from_wire(program, pub).shape),
                "parameter_values_shape": _shape(values)[:-1] if values is not None else [],
                "observables_shape": _shape(observables) if observables is not None else None,
                "shots" if program == "sampler" else "precision": budget,
            }
        )
    return views


def _counts_view(bits: Any) -> dict[str, Any]:
    counts = bits.get_counts()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    bars = [{"bitstring": k, "count": int(v)} for k, v in ranked[:MAX_BARS]]
    other = int(sum(v for _, v in ranked[MAX_BARS:]))
    return {
        "num_bits": bits.num_bits,
        "shots": int(sum(counts.values())),
        "bars": bars,
        "other": other,
        "shape": list(bits.shape),
    }


def result_view(body: str, program: str, pubs: list[Any]) -> list[dict[str, Any]]:
    """Decodes a stored result into histograms (sampler) or values with error bars (estimator)."""
    specs = [spec_from_wire(program, pub) for pub in pubs]
    result = decode_result(body, program, specs)
    views: list[dict[str, Any]] = []
    for pub_result in result:
        data = pub_result.data
        if program == "sampler":
            views.append({"registers": {name: _counts_view(data[name]) for name in data}})
            continue
        evs = np.asarray(data.evs, dtype=float)
        stds = np.asarray(data.stds, dtype=float)
        points = [
            {"index": list(index), "ev": float(evs[index]), "std": float(stds[index])}
            for _, index in zip(range(MAX_VALUES), np.ndindex(evs.shape))
        ]
        truncated = evs.size > MAX_VALUES
        views.append({"shape": list(evs.shape), "values": points, "truncated": truncated})
    return views


def spans_view(body: str) -> list[dict[str, Any]]:
    """The execution spans of a tagged result as ``{start, stop, pubs: {index: shape}}``."""
    import json

    try:
        meta = json.loads(body)["__value__"]["metadata"]
        spans = meta["execution"]["execution_spans"]["__value__"]["spans"]
    except (KeyError, TypeError, ValueError):
        return []
    views = []
    for span in spans:
        value = span.get("__value__", {})
        slices = value.get("data_slices", {})
        views.append(
            {
                "start": value.get("start", {}).get("__value__"),
                "stop": value.get("stop", {}).get("__value__"),
                "pubs": {str(k): v[0] for k, v in slices.items()},
            }
        )
    return views


def backend_map(configuration: dict[str, Any], properties: dict[str, Any] | None) -> dict[str, Any]:
    """Qubits with positions and errors, and couplers with their two-qubit gate error."""
    num_qubits = int(configuration.get("n_qubits", 0))
    edges = [tuple(e) for e in configuration.get("coupling_map") or []]
    layout = coupling_layout(num_qubits, edges)
    qubit_props: list[dict[str, float]] = [{} for _ in range(num_qubits)]
    edge_error: dict[tuple[int, int], float] = {}
    if properties:
        for q, items in enumerate(properties.get("qubits", [])[:num_qubits]):
            qubit_props[q] = {i["name"]: i["value"] for i in items}
        for gate in properties.get("gates", []):
            qubits = gate.get("qubits", [])
            errors = [p["value"] for p in gate.get("parameters", []) if p["name"] == "gate_error"]
            if len(qubits) == 2 and errors:
                edge_error[(min(qubits), max(qubits))] = errors[0]
    seen = sorted({(min(a, b), max(a, b)) for a, b in edges})
    return {
        "qubits": [
            {
                "index": q,
                "x": layout[q][0],
                "y": layout[q][1],
                "readout_error": qubit_props[q].get("readout_error"),
                "t1_us": qubit_props[q].get("T1"),
                "t2_us": qubit_props[q].get("T2"),
            }
            for q in range(num_qubits)
        ],
        "edges": [{"a": a, "b": b, "error": edge_error.get((a, b))} for a, b in seen],
    }
