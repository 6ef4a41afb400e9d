"""Which simulation method runs a circuit, and refusing at once what none can.

The engine simulates only the qubits a circuit touches (``circuits.restrict``), then picks:

* **noiseless**: a Clifford circuit -> Aer's ``stabilizer`` method (exact, any width); up to
  :data:`SMALL_QUBITS` qubits -> ``qiskit.quantum_info.Statevector`` (cheaper than a call into
  Aer at that size); up to :data:`MAX_STATEVECTOR_QUBITS` -> Aer's ``statevector`` (exact, and
  hundreds of times faster than ``quantum_info`` at 20 qubits); wider -> Aer's
  ``matrix_product_state`` when the circuit cannot entangle much (see :func:`bond_log2_bound`);
* **noisy**: up to :data:`MAX_DENSITY_MATRIX_QUBITS` -> ``density_matrix`` (one exact run,
  shots sampled from it); then ``statevector`` trajectories while they stay cheap; then
  ``matrix_product_state`` trajectories for low-entanglement circuits (a 20-qubit GHZ on a
  device: ~0.25 s of CPU for 1,000 shots, where statevector trajectories took minutes).
  Trajectories are grouped by the error each gate drew (:mod:`.trajectories`).

Anything else fails before any simulation starts, naming the qubit count and the method.
"""

from __future__ import annotations

import math
from typing import Any

from qiskit import QuantumCircuit

from .errors import JobExecutionError

__all__ = [
    "SMALL_QUBITS",
    "MAX_STATEVECTOR_QUBITS",
    "MAX_DENSITY_MATRIX_QUBITS",
    "MAX_BOND_LOG2",
    "TooLargeToSimulate",
    "is_clifford",
    "bond_log2_bound",
    "noiseless_method",
    "noisy_method",
    "aer_simulator",
]

SMALL_QUBITS = 10
# 2**26 amplitudes x 16 B = 1 GiB per statevector (a job may hold a few at once).
MAX_STATEVECTOR_QUBITS = 26
MAX_DENSITY_MATRIX_QUBITS = 10  # 4**10 x 16 B = 16 MiB
MAX_BOND_LOG2 = 10  # matrix product states of bond dimension <= 1024
# Statevector trajectories: shots x instructions x 2**qubits amplitude updates at most.
_TRAJECTORY_BUDGET = 2**32

# Named gates Aer's stabilizer method takes (rz only at multiples of pi/2, checked below).
_CLIFFORD = frozenset(
    {"cx", "cy", "cz", "ecr", "h", "id", "s", "sdg", "swap", "sx", "sxdg", "x", "y", "z"}
)
_NON_GATES = frozenset({"measure", "reset", "barrier", "delay"})
# Two-qubit gates of operator Schmidt rank 2: each raises the bond dimension across a cut by at
# most a factor 2 (any other two-qubit gate by at most 4).
_RANK_TWO = frozenset(
    {"cx", "cy", "cz", "ecr", "rzz", "rxx", "ryy", "rzx", "cp", "crz", "crx", "cry", "ch", "cs"}
)


class TooLargeToSimulate(JobExecutionError):
    """No method can simulate the circuit within the emulator's memory and time limits."""


def _rz_is_clifford(params: list[Any]) -> bool:
    try:
        quarter = float(params[0]) / (math.pi / 2)
    except TypeError:  # an unbound parameter
        return False
    return abs(quarter - round(quarter)) < 1e-12


def is_clifford(circuit: QuantumCircuit) -> bool:
    """Whether every instruction is one Aer's stabilizer method simulates exactly."""
    for inst in circuit.data:
        name = inst.operation.name
        if name in _CLIFFORD or name in _NON_GATES:
            continue
        if name == "rz" and _rz_is_clifford(inst.operation.params):
            continue
        return False
    return True


def bond_log2_bound(circuit: QuantumCircuit) -> int:
    """An upper bound on log2 of the largest bond dimension of the circuit's final state.

    Across the cut between qubits ``c`` and ``c + 1`` the Schmidt rank is at most
    ``2**min(c + 1, n - c - 1)`` and grows by at most the operator Schmidt rank of each gate
    that straddles the cut.
    """
    n = circuit.num_qubits
    if n < 2:
        return 0
    crossing = [0] * (n - 1)
    for inst in circuit.data:
        if len(inst.qubits) < 2 or inst.operation.name in _NON_GATES:
            continue
        indices = [circuit.find_bit(q).index for q in inst.qubits]
        low, high = min(indices), max(indices)
        weight = 1 if inst.operation.name in _RANK_TWO else 2 * (len(indices) - 1)
        for cut in range(low, high):
            crossing[cut] += weight
    return int(max(min(crossing[c], c + 1, n - c - 1) for c in range(n - 1)))


def _size(qubits: int, per_amplitude: int = 16, base: int = 2) -> str:
    size = float(base**qubits * per_amplitude)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.0f} EiB"


def _refuse(circuit: QuantumCircuit, why: str) -> TooLargeToSimulate:
    n = circuit.num_qubits
    return TooLargeToSimulate(
        f"The circuit acts on {n} qubits, too many to simulate: {why} A statevector of {n} "
        f"qubits needs {_size(n)} (the emulator's limit is {MAX_STATEVECTOR_QUBITS} qubits), "
        f"and a matrix product state of it could need bond dimension "
        f"2**{bond_log2_bound(circuit)} (limit 2**{MAX_BOND_LOG2})."
    )


def noiseless_method(circuit: QuantumCircuit) -> str:
    """``"quantum_info"`` or an Aer method for an exact, noiseless run of ``circuit``.

    Raises:
        TooLargeToSimulate: No method fits.
    """
    n = circuit.num_qubits
    if n > SMALL_QUBITS and is_clifford(circuit):
        return "stabilizer"
    if n <= SMALL_QUBITS:
        return "quantum_info"
    if n <= MAX_STATEVECTOR_QUBITS:
        return "statevector"
    if bond_log2_bound(circuit) <= MAX_BOND_LOG2:
        return "matrix_product_state"
    raise _refuse(circuit, "it is not Clifford.")


def noisy_method(circuit: QuantumCircuit, shots: int) -> str:
    """The Aer method for ``shots`` noisy shots of ``circuit``.

    Raises:
        TooLargeToSimulate: No method fits.
    """
    n = circuit.num_qubits
    if n <= MAX_DENSITY_MATRIX_QUBITS:
        return "density_matrix"
    bond = bond_log2_bound(circuit)
    cost = max(shots, 1) * max(len(circuit.data), 1) * 2**n
    if n <= MAX_STATEVECTOR_QUBITS and (cost <= _TRAJECTORY_BUDGET or bond > MAX_BOND_LOG2):
        return "statevector"
    if bond <= MAX_BOND_LOG2:
        return "matrix_product_state"
    raise _refuse(circuit, "with noise, every shot is a separate simulation.")


_aer_threads = 0  # 0: Aer's own choice, every core


def set_thread_budget(threads: int) -> None:
    """Threads one Aer run may use: a worker process's share of the cores (0: all).

    Two workers each letting Aer take every core made big jobs 3x slower than one worker.
    """
    global _aer_threads
    _aer_threads = max(0, int(threads))


def aer_simulator(method: str, noise_model: Any = None) -> Any:
    """An ``AerSimulator`` for ``method`` (``quantum_info`` callers use Aer's statevector)."""
    from qiskit_aer import AerSimulator

    method = "statevector" if method == "quantum_info" else method
    return AerSimulator(method=method, noise_model=noise_model, max_parallel_threads=_aer_threads)
