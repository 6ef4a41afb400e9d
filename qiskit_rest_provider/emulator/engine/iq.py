"""IQ data (``meas_type`` ``kerneled`` / ``avg_kerneled``) synthesised from the true outcomes.

A device returns, per shot and measured bit, one complex number (the kerneled readout trace, in
arbitrary units); classifying it gives the bit, and the overlap of the two clouds is the
readout error. The emulator turns the simulated outcome (gate noise included, readout error not)
of every measurement into such a point:

* each device qubit ``q`` has two centroids ``c0 = m + d·e^{iφ}``, ``c1 = m − d·e^{iφ}`` (offset
  ``m``, angle ``φ`` and half-distance ``d`` fixed per backend and qubit by a seeded generator);
* a shot in state ``b`` lands at ``c_b`` plus circular Gaussian noise of width ``σ_b`` with
  ``σ_0 = d / Φ⁻¹(1 − P(1|0))`` and ``σ_1 = d / Φ⁻¹(1 − P(0|1))``;

so the discriminator "nearer to which centroid" (the perpendicular bisector) misclassifies a
``|0⟩`` with probability exactly ``P(1|0)`` and a ``|1⟩`` with ``P(0|1)``, the device's readout
errors. ``avg_kerneled`` averages the points over the shots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BitArray, DataBin, SamplerPubResult

__all__ = ["centroids", "to_iq", "run_iq_pub", "measured_qubit_of_clbits", "MEAS_TYPES"]

MEAS_TYPES = ("classified", "kerneled", "avg_kerneled")
#: Readout error used for a perfect readout (the noiseless simulator): clouds ~6 sigma apart.
_FLOOR = 1e-9
_SCALE = 1e6  # arbitrary units, of the order IBM's kerneled values have


def centroids(backend_name: str, qubit: int) -> tuple[complex, complex]:
    """``(c0, c1)``: the centroids of qubit ``qubit`` of ``backend_name`` (stable)."""
    digest = hashlib.sha256(f"iq:{backend_name}:{qubit}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    offset = complex(rng.normal(0, 2), rng.normal(0, 2)) * _SCALE
    half = rng.uniform(1.0, 3.0) * _SCALE
    angle = rng.uniform(0, 2 * np.pi)
    step = half * complex(np.cos(angle), np.sin(angle))
    return offset + step, offset - step


def measured_qubit_of_clbits(circuit: QuantumCircuit) -> dict[int, int]:
    """Clbit index -> the qubit whose measurement wrote it last."""
    out: dict[int, int] = {}
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            qubit = circuit.find_bit(instruction.qubits[0]).index
            out[circuit.find_bit(instruction.clbits[0]).index] = qubit
    return out


def _points(
    bits: np.ndarray,
    qubit: int,
    backend_name: str,
    error: tuple[float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    c0, c1 = centroids(backend_name, qubit)
    half = abs(c0 - c1) / 2
    sigma0, sigma1 = (half / NormalDist().inv_cdf(1 - max(p, _FLOOR)) for p in error)
    sigma = np.where(bits, sigma1, sigma0)  # per component: its projection on the axis too
    noise = rng.normal(size=bits.shape) + 1j * rng.normal(size=bits.shape)
    points: np.ndarray = np.where(bits, c1, c0) + sigma * noise
    return points


def to_iq(
    result: SamplerPubResult,
    fields: Sequence[tuple[str, list[int]]],
    circuit: QuantumCircuit,
    backend_name: str,
    readout: Sequence[tuple[float, float]] | None,
    rng: np.random.Generator,
    *,
    average: bool,
) -> SamplerPubResult:
    """Replaces each register's true bits by IQ points (complex128).

    Args:
        result: The PUB's result, simulated without readout error.
        fields: ``(register name, clbit indices)`` as the result's registers.
        circuit: The parsed circuit (device qubit numbering): which qubit wrote each clbit.
        backend_name: Seeds the centroids.
        readout: ``(P(1|0), P(0|1))`` per device qubit; ``None`` = perfect readout.
        rng: The job's generator.
        average: ``avg_kerneled``: average over the shots axis.

    Returns:
        A result whose registers are arrays of shape ``(*pub_shape, shots, size)`` (or
        ``(*pub_shape, size)`` averaged).
    """
    writer = measured_qubit_of_clbits(circuit)
    data = {}
    for name, clbits in fields:
        value: BitArray = getattr(result.data, name)
        bools = value.to_bool_array(order="little")  # (*shape, shots, size)
        points = np.zeros(bools.shape, dtype=np.complex128)
        for position, clbit in enumerate(clbits):
            qubit = writer.get(clbit)
            if qubit is None:  # never measured: the unmeasured-bit value, no readout trace
                continue
            error = readout[qubit] if readout is not None else (0.0, 0.0)
            points[..., position] = _points(bools[..., position], qubit, backend_name, error, rng)
        data[name] = points.mean(axis=-2) if average else points
    metadata = dict(result.metadata)
    return SamplerPubResult(DataBin(shape=result.data.shape, **data), metadata=metadata)


def run_iq_pub(
    task: Any,
    circuit: QuantumCircuit,
    shots: int,
    rng: np.random.Generator,
    should_stop: Callable[[], bool],
    metadata: dict[str, Any],
    backend: Any,
    noisy: bool,
    meas_type: str,
) -> SamplerPubResult:
    """A sampler PUB with ``meas_type`` kerneled/avg_kerneled: true outcomes, then IQ points."""
    from .sampler import register_fields, run_sampler_pub

    noise = backend.noise_model if noisy else None

    def without_readout(qubits: Any, readout: bool = True, twirled: bool = False) -> Any:
        return noise(qubits, readout=False, twirled=twirled) if noise is not None else None

    perfect = [(0.0, 0.0)] * backend.num_qubits
    result = run_sampler_pub(
        task,
        circuit,
        shots,
        rng,
        should_stop,
        metadata,
        without_readout if noisy else None,
        perfect if noisy else None,
        None,
    )
    return to_iq(
        result,
        register_fields(task.qasm, circuit, declared=task.registers, header=task.header),
        circuit,
        backend.name,
        backend.readout_errors() if noisy else None,
        rng,
        average=meas_type == "avg_kerneled",
    )


def centroids_points(
    bools: np.ndarray,
    qubits: Sequence[int | None],
    backend: Any,
    readout: Sequence[tuple[float, float]] | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """IQ points for ``bools[..., k]`` measured on device qubit ``qubits[k]`` (``None``: 0)."""
    points = np.zeros(bools.shape, dtype=np.complex128)
    for position, qubit in enumerate(qubits):
        if qubit is None:
            continue
        error = readout[qubit] if readout is not None else (0.0, 0.0)
        points[..., position] = _points(bools[..., position], qubit, backend.name, error, rng)
    return points
