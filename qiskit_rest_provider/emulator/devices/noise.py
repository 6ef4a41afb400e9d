"""A qiskit-aer noise model from a device's properties.

Gate errors are Aer's standard device model (depolarizing error matched to ``gate_error``,
then thermal relaxation over ``gate_length`` from T1/T2); readout errors are asymmetric, from
``prob_meas1_prep0`` / ``prob_meas0_prep1`` (Aer's ``from_backend`` would make them
symmetric from ``readout_error`` alone).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from qiskit.transpiler import Target

__all__ = ["build_noise_model", "readout_probabilities", "sub_target"]

_NOISELESS_OPS = frozenset({"delay", "if_else", "for_loop", "switch_case", "while_loop", "box"})

logger = logging.getLogger(__name__)


def readout_probabilities(properties: Mapping[str, Any]) -> list[tuple[float, float]]:
    """``(P(1|0), P(0|1))`` per qubit."""
    out = []
    for nduvs in properties.get("qubits", []):
        values = {item["name"]: float(item["value"]) for item in nduvs}
        symmetric = values.get("readout_error", 0.0)
        out.append(
            (values.get("prob_meas1_prep0", symmetric), values.get("prob_meas0_prep1", symmetric))
        )
    return out


def sub_target(target: Target, qubits: Sequence[int]) -> Target:
    """``target`` restricted to ``qubits``, renumbered ``0..k-1`` in that order.

    Noise models are built for the qubits a circuit touches only: the engine simulates those
    (renumbered the same way), and a full 127-qubit model costs ~1.5 s to build.
    """
    position = {q: i for i, q in enumerate(qubits)}
    props = target.qubit_properties
    sub = Target(
        num_qubits=len(qubits),
        dt=target.dt,
        qubit_properties=[props[q] for q in qubits] if props else None,
    )
    for name in target.operation_names:
        if name in _NOISELESS_OPS:
            continue
        qargs = {
            tuple(position[q] for q in key): value
            for key, value in target[name].items()
            if key is not None and all(q in position for q in key)
        }
        if qargs:
            sub.add_instruction(target.operation_from_name(name), qargs, name=name)
    return sub


def pauli_twirled(error: Any) -> Any:
    """The Pauli twirl of a quantum error: the Pauli channel with the diagonal of its chi matrix.

    Averaging ``Q E Q†`` over uniformly random Paulis ``Q`` (what gate twirling does to the
    error ``E`` after a Clifford gate) keeps exactly the diagonal of ``E``'s chi matrix.
    """
    from qiskit.quantum_info import Chi, pauli_basis
    from qiskit_aer.noise import pauli_error

    diagonal = np.clip(np.real(np.diag(Chi(error.to_quantumchannel()).data)), 0.0, None)
    labels = pauli_basis(error.num_qubits).to_labels()
    probs = diagonal / diagonal.sum()
    return pauli_error([(label, p) for label, p in zip(labels, probs) if p > 1e-15])


def build_noise_model(
    target: Target,
    readout: Sequence[tuple[float, float]],
    qubits: Sequence[int],
    *,
    with_readout: bool = True,
    twirled: bool = False,
) -> Any:
    """The ``NoiseModel`` of ``qubits`` (renumbered ``0..k-1``) of a device.

    Args:
        target: The device's full Target.
        readout: ``(P(1|0), P(0|1))`` per device qubit.
        qubits: The device qubits to model, in the simulated order.
        with_readout: Include readout errors (the estimator applies them itself, twirled).
        twirled: Pauli-twirl the two-qubit gate errors (gate twirling, many-randomization
            limit).
    """
    target = sub_target(target, qubits)
    from qiskit_aer.noise import NoiseModel, ReadoutError
    from qiskit_aer.noise.device.models import basic_device_gate_errors

    basis = [name for name in target.operation_names if name not in ("delay",)]
    model = NoiseModel(basis_gates=basis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Aer warns about gates without errors (rz)
        for name, qargs, error in basic_device_gate_errors(target=target):
            if twirled and len(qargs) == 2:
                error = pauli_twirled(error)
            model.add_quantum_error(error, name, qargs, warnings=False)
    for qubit, (p10, p01) in enumerate(readout[q] for q in qubits):
        if with_readout and (p10 or p01):
            matrix = [[1 - p10, p10], [p01, 1 - p01]]
            model.add_readout_error(ReadoutError(matrix), [qubit], warnings=False)
    logger.debug("noise model built: %d instructions with errors", len(model.noise_instructions))
    return model
