"""The ``noise-learner`` program (qiskit-ibm-runtime's ``NoiseLearner``): the device's own noise.

The service learns, for each unique layer of two-qubit gates of the input circuits, a sparse
Pauli-Lindblad model of its (Pauli-twirled) noise. The emulator knows the noise it simulates,
so it *computes* that model instead of estimating it: for each gate of the layer it takes the
device noise model's error channel of that gate on those qubits, twirls it (keeps the diagonal
of its Pauli transfer matrix: the Pauli fidelities ``f_Q``) and solves
``-ln f_Q / 2 = Σ_P λ_P [P anticommutes with Q]`` for the rates ``λ_P`` of the 15 one- and
two-body generators on the gate's pair. Generators on qubits and edges of the layer's qubit set
that no gate touches get rate 0 (the emulated devices add no crosstalk or idling error there).
The rates are therefore exact, without the statistical error of a real learning experiment.

Wire formats: ``ibm_quantum_schemas.noise_learner_v2.version_0_1`` ``ParamsModel`` in,
``ResultsModel`` out (``LayerError`` / ``PauliLindbladError`` objects for the client's decoder).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import JobInputError, JobStopped


def parse(params: dict[str, Any], backend: Any) -> tuple[Any, list[Any]]:
    """The params as IBM's model and the loaded circuits.

    Raises:
        JobInputError: Not the NoiseLearner's wire format, or a circuit wider than the backend.
    """
    from ibm_quantum_schemas.noise_learner_v2.version_0_1 import ParamsModel
    from pydantic import ValidationError

    if "schema_version" in params:
        raise JobInputError(
            "NoiseLearnerV3 inputs (with a schema_version) are read by .noise_learner_v3."
        )
    try:
        model = ParamsModel.model_validate(params)
    except ValidationError as exc:
        raise JobInputError(f"Invalid noise-learner input: {str(exc)[:2000]}") from None
    circuits = []
    for index, item in enumerate(model.circuits):
        if isinstance(item, str):
            raise JobInputError(f"Circuit {index}: send circuits as QPY (QuantumCircuit).")
        circuit = _load_circuit(item.value_)
        if circuit.num_qubits > backend.num_qubits:
            raise JobInputError(
                f"Circuit {index} has {circuit.num_qubits} qubits; {backend.name} has "
                f"{backend.num_qubits}."
            )
        circuits.append(circuit)
    return model, circuits


def _load_circuit(value: str) -> Any:
    import base64
    import io
    import zlib

    from qiskit import qpy

    return qpy.load(io.BytesIO(zlib.decompress(base64.standard_b64decode(value))))[0]


def _dump_circuit(circuit: Any) -> str:
    import base64
    import io
    import zlib

    from qiskit import qpy

    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    return base64.standard_b64encode(zlib.compress(buffer.getvalue())).decode()


def layers(circuit: Any) -> list[tuple[tuple[str, tuple[int, ...]], ...]]:
    """The circuit's layers of two-qubit gates, in order: ``((name, (q0, q1)), ...)`` each.

    Single-qubit gates do not separate layers (they are the twirling dressing); a two-qubit
    gate goes in the first layer after the last one that used either of its qubits, and a
    barrier aligns its qubits.
    """
    depth = [0] * circuit.num_qubits
    found: list[list[tuple[str, tuple[int, ...]]]] = []
    for inst in circuit.data:
        qubits = tuple(circuit.find_bit(q).index for q in inst.qubits)
        if inst.operation.name == "barrier":
            level = max((depth[q] for q in qubits), default=0)
            for q in qubits:
                depth[q] = level
        elif len(qubits) == 2 and inst.operation.name != "measure":
            level = max(depth[q] for q in qubits)
            if level == len(found):
                found.append([])
            found[level].append((inst.operation.name, qubits))
            for q in qubits:
                depth[q] = level + 1
    return [tuple(sorted(layer, key=lambda g: g[1])) for layer in found]


_PAULIS = [a + b for a in "IXYZ" for b in "IXYZ"][1:]  # 15 two-qubit labels (qubit 1 first)


def _anticommute(p: str, q: str) -> int:
    return sum(a != "I" and b != "I" and a != b for a, b in zip(p, q)) % 2


@functools.lru_cache(maxsize=1)
def _commutation_matrix() -> np.ndarray:
    return np.array([[_anticommute(q, p) for p in _PAULIS] for q in _PAULIS], dtype=float)


def gate_rates(backend: Any, name: str, qubits: tuple[int, ...]) -> dict[str, float]:
    """``{label: rate}`` of the twirled error of gate ``name`` on the pair ``qubits``.

    Labels put qubit 1 first, as Qiskit writes Paulis; empty when the gate has no error.
    """
    from qiskit.quantum_info import PTM, pauli_basis

    model = backend.noise_model(list(qubits), readout=False)
    error = model._local_quantum_errors.get(name, {}).get((0, 1)) if model else None
    if error is None:
        return {}
    ptm = PTM(error.to_quantumchannel()).data.real
    labels = pauli_basis(2).to_labels()
    fidelity = {label: ptm[i, i] for i, label in enumerate(labels)}
    rhs = np.array([-np.log(max(fidelity[q], 1e-12)) / 2 for q in _PAULIS])
    rates = np.linalg.solve(_commutation_matrix(), rhs)
    return {p: max(0.0, float(r)) for p, r in zip(_PAULIS, rates)}


def _layer_error(
    backend: Any, layer: tuple[tuple[str, tuple[int, ...]], ...], qubits: list[int], noisy: bool
) -> tuple[list[str], np.ndarray]:
    """Generators (labels over ``qubits``, little-endian) and rates of one layer."""
    width = len(qubits)
    position = {q: i for i, q in enumerate(qubits)}
    edges = set()
    cmap = backend.target.build_coupling_map()
    if cmap is not None:
        edges = {tuple(sorted(e)) for e in cmap.get_edges() if set(e) <= set(qubits)}
    known: dict[tuple[tuple[int, str], ...], float] = {}
    for name, pair in layer:
        edges.add(tuple(sorted(pair)))
        for label, rate in (gate_rates(backend, name, pair) if noisy else {}).items():
            # label[0] acts on pair[1], label[1] on pair[0]
            key = tuple(sorted((q, p) for q, p in zip((pair[1], pair[0]), label) if p != "I"))
            known[key] = known.get(key, 0.0) + rate
    terms: list[tuple[tuple[int, str], ...]] = [((q, p),) for q in qubits for p in "XYZ"]
    for a, b in sorted(edges):
        terms += [((a, p), (b, r)) for p, r in itertools.product("XYZ", repeat=2)]
    labels, rates = [], []
    for term in terms:
        chars = ["I"] * width
        for q, p in term:
            chars[width - 1 - position[q]] = p
        labels.append("".join(chars))
        rates.append(known.get(tuple(sorted(term)), 0.0))
    return labels, np.array(rates)


def _learned_qubits(
    strategy: str, layer: Any, seen: set[int], circuit_active: set[int], n: int
) -> list[int]:
    active = {q for _, pair in layer for q in pair}
    if strategy == "active":
        return sorted(active)
    if strategy == "active-accum":
        return sorted(seen | active)
    if strategy == "active-circuit":
        return sorted(circuit_active)
    return list(range(n))


def run(
    params: dict[str, Any],
    backend: Any,
    *,
    seed: int | None,
    noisy: bool,
    should_stop: Callable[[], bool],
) -> str:
    """Runs the noise learner; returns the ``ResultsModel`` JSON text."""
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import get_standard_gate_name_mapping

    from ....codec.tagged import encode_ndarray

    model, circuits = parse(params, backend)
    options = model.options
    counted: dict[Any, list[Any]] = {}  # layer -> [count, learned qubits]
    for circuit in circuits:
        circuit_layers = layers(circuit)
        circuit_active = {q for layer in circuit_layers for _, pair in layer for q in pair}
        seen: set[int] = set()
        for layer in circuit_layers:
            qubits = _learned_qubits(
                options.twirling_strategy, layer, seen, circuit_active, circuit.num_qubits
            )
            seen |= {q for _, pair in layer for q in pair}
            entry = counted.setdefault(layer, [0, qubits])
            entry[0] += 1
    order = sorted(counted, key=lambda layer: -counted[layer][0])  # stable: first seen first
    if options.max_layers_to_learn is not None:
        order = order[: options.max_layers_to_learn]
    gates = get_standard_gate_name_mapping()
    data = []
    for layer in order:
        if should_stop():
            raise JobStopped()
        qubits = counted[layer][1]
        local = QuantumCircuit(len(qubits))
        for name, pair in layer:
            local.append(gates[name], [qubits.index(q) for q in pair])
        labels, rates = _layer_error(backend, layer, qubits, noisy)
        error = _tagged_json(
            "PauliLindbladError",
            {
                "generators": {
                    "__type__": "settings",
                    "__module__": "qiskit.quantum_info.operators.symplectic.pauli_list",
                    "__class__": "PauliList",
                    "__value__": {"data": labels},
                },
                "rates": encode_ndarray(rates),
            },
        )
        circuit_value = {"__type__": "QuantumCircuit", "__value__": _dump_circuit(local)}
        data.append(
            _tagged_json("LayerError", {"circuit": circuit_value, "qubits": qubits, "error": error})
        )
    metadata = {
        "backend": backend.name,
        "input_options": {
            "max_layers_to_learn": options.max_layers_to_learn,
            "shots_per_randomization": options.shots_per_randomization,
            "num_randomizations": options.num_randomizations,
            "layer_pair_depths": options.layer_pair_depths,
            "twirling_strategy": options.twirling_strategy,
        },
    }
    import json

    return json.dumps({"data": data, "metadata": metadata})


def _tagged_json(cls: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "__type__": "_json",
        "__module__": "qiskit_ibm_runtime.utils.noise_learner_result",
        "__class__": cls,
        "__value__": value,
    }
