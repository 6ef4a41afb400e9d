"""``NoiseLearnerV3`` inputs (program ``noise-learner``, schema ``v0.3``): boxed instructions.

Each instruction is a twirled box. A box of two-qubit gates is learned with the Lindblad
protocol: its generators and rates are the device's own, computed as for ``NoiseLearner``
(:mod:`.noise_learner`). A box of measurements is learned with TREX: one ``X`` generator per
qubit whose rate gives the qubit's (symmetrised) readout flip probability,
``p = (1 - e^{-2λ})/2`` with ``p = (P(1|0) + P(0|1))/2``. Generators are indexed by the box's
qubits in ascending physical order, as the client's ``to_pauli_lindblad_map`` expects; rates
are exact, so ``rates_std`` is 0. Post-selection is not emulated: everything is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import JobInputError, JobStopped


def parse(params: dict[str, Any], backend: Any) -> tuple[Any, list[Any]]:
    """The params as IBM's v0.3 model and the box instructions.

    Raises:
        JobInputError: Not the v0.3 wire format, or an instruction that is not a box.
    """
    from ibm_quantum_schemas.noise_learner_v3.version_0_3 import ParamsModel
    from pydantic import ValidationError

    if params.get("schema_version") != "v0.3":
        raise JobInputError(
            f"NoiseLearnerV3 schema_version {str(params.get('schema_version'))[:20]!r} is not "
            "supported; send 'v0.3' (qiskit-ibm-runtime 0.51)."
        )
    body = {key: value for key, value in params.items() if key != "version"}
    try:
        model = ParamsModel.model_validate(body)
        circuit = model.instructions.to_quantum_circuit()
    except ValidationError as exc:
        raise JobInputError(f"Invalid noise-learner input: {str(exc)[:2000]}") from None
    boxes = []
    for index, instruction in enumerate(circuit.data):
        if instruction.operation.name != "box":
            raise JobInputError(f"Instruction {index} is not a box.")
        qubits = [_physical(circuit, q) for q in instruction.qubits]
        if max(qubits, default=0) >= backend.num_qubits:
            raise JobInputError(f"Instruction {index} acts on qubits outside {backend.name}.")
        boxes.append((instruction, qubits))
    return model, boxes


def _physical(circuit: Any, qubit: Any) -> int:
    """The qubit's index in the device register ``q`` (the client's "physical" register).

    The client sends only the boxes' qubits, without the register; QPY keeps each bit's owning
    register and index, which Qiskit exposes only on the bit itself.
    """
    register, index = getattr(qubit, "_register", None), getattr(qubit, "_index", None)
    if register is not None and register.name == "q" and index is not None:
        return int(index)
    for owner, position in circuit.find_bit(qubit).registers:
        if owner.name == "q":
            return int(position)
    return int(circuit.find_bit(qubit).index)


def _box_content(
    instruction: Any, qubits: list[int]
) -> tuple[str, list[tuple[str, tuple[int, ...]]]]:
    """``("trex"|"lindblad", two-qubit gates on physical qubits)`` of one box."""
    body = instruction.operation.blocks[0]
    outer = {body.qubits[i]: qubits[i] for i in range(len(qubits))}
    names = {inst.operation.name for inst in body.data}
    if "measure" in names:
        return "trex", []
    gates = [
        (inst.operation.name, tuple(outer[q] for q in inst.qubits))
        for inst in body.data
        if len(inst.qubits) == 2 and inst.operation.name != "barrier"
    ]
    return "lindblad", gates


def _sparse(label: str) -> list[tuple[str, list[int]]]:
    """A little-endian dense label as the client's sparse form ``[(paulis, indices)]``."""
    width = len(label)
    terms = [(label[width - 1 - k], k) for k in range(width) if label[width - 1 - k] != "I"]
    return [("".join(p for p, _ in terms), [k for _, k in terms])]


def run(
    params: dict[str, Any],
    backend: Any,
    *,
    seed: int | None,
    noisy: bool,
    should_stop: Callable[[], bool],
) -> str:
    """Learns every box; returns the ``NoiseLearnerV3ResultsModel`` JSON text."""
    from ibm_quantum_schemas.common import F64TensorModel
    from ibm_quantum_schemas.noise_learner_v3.version_0_3 import (
        NoiseLearnerV3ResultModel,
        NoiseLearnerV3ResultsModel,
    )

    from .noise_learner import _layer_error

    model, boxes = parse(params, backend)
    depths = model.options.layer_pair_depths
    readout = backend.readout_errors() if noisy else None
    data = []
    for instruction, qubits in boxes:
        if should_stop():
            raise JobStopped()
        ordered = sorted(qubits)
        protocol, gates = _box_content(instruction, qubits)
        if protocol == "trex":
            generators = [[("X", [k])] for k in range(len(ordered))]
            flips = [(readout[q][0] + readout[q][1]) / 2 if readout else 0.0 for q in ordered]
            rates = np.array([-np.log(max(1e-12, 1 - 2 * p)) / 2 for p in flips])
            metadata: dict[str, Any] = {
                "learning_protocol": "trex",
                "post_selection": {"fraction_kept": 1.0, "success_rates": {}},
            }
        else:
            labels, rates = _layer_error(backend, tuple(gates), ordered, noisy)
            generators = [_sparse(label) for label in labels]
            metadata = {
                "learning_protocol": "lindblad",
                "post_selection": {
                    "fraction_kept": dict.fromkeys(depths, 1.0),
                    "success_rates": {d: {} for d in depths},
                },
            }
        data.append(
            NoiseLearnerV3ResultModel(
                generators_sparse=generators,
                num_qubits=len(ordered),
                rates=F64TensorModel.from_numpy(np.asarray(rates, dtype=float)),
                rates_std=F64TensorModel.from_numpy(np.zeros(len(rates))),
                metadata=metadata,
            )
        )
    text: str = NoiseLearnerV3ResultsModel(data=data).model_dump_json()
    return text
