"""Checks that catch a bad PUB before it waits in the queue (user-needs.md need 2).

One :class:`PubValidator` per ``run()`` call checks every coerced PUB against the backend:

* width: ``circuit.num_qubits`` <= the backend's qubits (every backend);
* ISA (devices only, as qiskit-ibm-runtime): every instruction is supported by
  ``backend.target`` on its physical qubits, recursing into control-flow blocks with their
  qubits mapped to the outer ones; ``barrier``, ``store`` and other directives are allowed;
  faulty qubits and edges (``operational`` = 0 in the properties) are named as such; numeric
  angles of gates with angle bounds (``rzz`` in [0, pi/2]), numeric or bound from the
  PUB's parameter values. See :mod:`._isa`;
* sampler: a warning when nothing is measured (every sample is 0); shots <= the
  configuration's ``max_shots``;
* estimator: finite coefficients; projector letters that expand to a sane number of Pauli
  terms on the wire; precision > 0 on devices;
* finite parameter values (Qiskit already checks their count and shapes);
* size of the encoded PUBs (:func:`check_payload_size`).

Errors are :class:`PubValidationError` (an ``InvalidPubError``, so a ``ValueError``) naming the
PUB index, the instruction and its qubits, and the fix. Circuits shared by several PUBs of one
job are checked once.
"""

from __future__ import annotations

import cmath
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..codec.jsonsize import compact_json_size
from ._isa import SKIP_HINT, IsaChecker, PubValidationError, facts_for, fail, has_measure
from ._submit import InvalidPubError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    from ..service.backend import RestBackend
    from ..service.local_backend import LocalBackend

__all__ = [
    "PubValidationError",
    "PubValidator",
    "validate_sampler_pubs",
    "validate_estimator_pubs",
    "check_payload_size",
    "MAX_PAYLOAD_BYTES",
    "MAX_EXPANDED_TERMS",
]

#: The service refuses job inputs above 64 MB (qiskit-ibm-runtime PR #1105); keep headroom
#: for the options and the JSON envelope.
MAX_PAYLOAD_BYTES = 60 * 1024 * 1024
#: Projector letters (0 1 + - r l) become 2**k Pauli terms on the wire; past this, refuse.
MAX_EXPANDED_TERMS = 1 << 16


class PubValidator:
    """Validates the PUBs of one job against one backend.

    Args:
        backend: The ``RestBackend`` the job goes to.
    """

    def __init__(self, backend: RestBackend | LocalBackend) -> None:
        self.facts = facts_for(backend)
        self._isa = IsaChecker(self.facts)
        self._checked: set[tuple[int, bool]] = set()

    def check_circuit(
        self, circuit: QuantumCircuit, index: int, *, needs_measure: bool = False
    ) -> None:
        """Width, measurements (sampler) and ISA (devices only).

        Raises:
            PubValidationError: Names the instruction, its qubits and the fix.
        """
        key = (id(circuit), needs_measure)
        if key in self._checked:
            return
        facts = self.facts
        if facts.num_qubits and circuit.num_qubits > facts.num_qubits:
            raise fail(
                index,
                f"the circuit has {circuit.num_qubits} qubits but {facts.name} has "
                f"{facts.num_qubits}. Use a smaller circuit or a larger backend{SKIP_HINT}",
            )
        if needs_measure and not _measures(circuit):
            # As StatevectorSampler and the service: every sample is 0. Worth a warning only.
            warnings.warn(
                f"PUB {index}: the circuit has classical registers but no measurements, so "
                "every sample will be 0. Did you mean to add measurements, e.g. "
                "circuit.measure_all()?",
                UserWarning,
                stacklevel=4,
            )
        if not facts.simulator:
            self._isa.check(circuit, index)
        self._checked.add(key)

    def check_values(self, pub: SamplerPub | EstimatorPub, index: int) -> None:
        """Parameter values must be finite numbers."""
        for names, values in pub.parameter_values.data.items():
            array = np.asarray(values)
            if array.dtype.kind in "fc" and not np.isfinite(array).all():
                raise fail(index, f"parameter values for {list(names)} contain NaN or infinity.")

    def check_bound_angles(self, pub: SamplerPub | EstimatorPub, index: int) -> None:
        """Angles of bounded gates (``rzz``) that depend on parameters, with the PUB's values."""
        if not self.facts.simulator:
            self._isa.check_bound_angles(pub, index)

    def check_shots(self, shots: int, index: int) -> None:
        """Shots must not exceed the backend's ``max_shots``."""
        limit = self.facts.max_shots
        if limit is not None and shots > limit:
            raise fail(
                index,
                f"{shots} shots exceed the {limit} that {self.facts.name} allows per PUB. "
                "Split the PUB or lower shots.",
            )

    def check_precision(self, precision: float | None, index: int) -> None:
        """Precision 0 means exact, which only simulators can do."""
        if precision is not None and precision <= 0 and not self.facts.simulator:
            raise fail(
                index,
                f"precision must be > 0 on the device {self.facts.name} (0 = exact is for "
                "simulators). Pass e.g. precision=0.015625.",
            )

    def check_observables(self, pub: EstimatorPub, index: int) -> None:
        """Finite coefficients and a bounded Pauli expansion of projector letters."""
        array = pub.observables.sparse_observables_array()
        items = [((), array[()])] if array.ndim == 0 else np.ndenumerate(array)
        for position, obs in items:
            at = f"observable {position}" if position else "the observable"
            if not _finite(obs.coeffs):
                raise fail(index, f"{at} has a NaN or infinite coefficient.")
            expanded = _expanded_terms(obs)
            if expanded > MAX_EXPANDED_TERMS:
                raise fail(
                    index,
                    f"{at} uses projector letters (0 1 + - r l) that expand to {expanded:.3g} "
                    f"Pauli terms on the wire (limit {MAX_EXPANDED_TERMS}). Use fewer "
                    "projector letters per term, or Pauli (I X Y Z) observables.",
                )


def _measures(circuit: Any, depth: int = 0) -> bool:
    """Whether anything is measured: in control-flow blocks and appended sub-circuits too."""
    if has_measure(circuit):
        return True
    for inst in circuit.data:
        op = inst.operation
        if getattr(op, "blocks", None) and any(_measures(b, depth) for b in op.blocks):
            return True
        definition = None if depth > 16 or inst.is_standard_gate() else op.definition
        if definition is not None and op.num_clbits and _measures(definition, depth + 1):
            return True
    return False


# Below this many terms or letters, Python's loop beats numpy's per-call overhead (~1 us each).
_SMALL_OBSERVABLE = 32


def _finite(coeffs: Any) -> bool:
    if len(coeffs) <= _SMALL_OBSERVABLE:
        return all(map(cmath.isfinite, coeffs))
    return bool(np.isfinite(np.asarray(coeffs)).all())


def _expanded_terms(obs: Any) -> float:
    """How many Pauli terms ``obs`` becomes on the wire (before simplification)."""
    bit_terms = obs.bit_terms
    if len(bit_terms) <= _SMALL_OBSERVABLE and max(bit_terms, default=0) < 4:
        return 0.0  # Paulis only (the numpy path below gives the same)
    letters = np.asarray(bit_terms, dtype=np.uint8)
    projector = letters >= 4  # Paulis X, Y, Z are 1-3; projectors 5-11
    if not projector.any():
        return 0.0  # nothing to expand: the payload limit bounds plain Pauli sums
    # Projector letters per term from a running count; an identity term (no letters) is 2**0.
    running = np.concatenate(([0], np.cumsum(projector, dtype=np.int64)))
    boundaries = np.asarray(obs.boundaries, dtype=np.intp)
    per_term = running[boundaries[1:]] - running[boundaries[:-1]]
    return float(np.sum(np.exp2(per_term)))


def validate_sampler_pubs(pubs: Sequence[SamplerPub], backend: RestBackend | LocalBackend) -> None:
    """Check coerced ``SamplerPub`` objects against ``backend``.

    Raises:
        PubValidationError: The first problem found.
    """
    validator = PubValidator(backend)
    for index, pub in enumerate(pubs):
        validator.check_circuit(pub.circuit, index, needs_measure=True)
        validator.check_shots(int(pub.shots), index)
        validator.check_values(pub, index)
        validator.check_bound_angles(pub, index)


def validate_estimator_pubs(
    pubs: Sequence[EstimatorPub], backend: RestBackend | LocalBackend
) -> None:
    """Check coerced ``EstimatorPub`` objects against ``backend``.

    Raises:
        PubValidationError: The first problem found.
    """
    validator = PubValidator(backend)
    for index, pub in enumerate(pubs):
        validator.check_circuit(pub.circuit, index)
        validator.check_precision(pub.precision, index)
        validator.check_observables(pub, index)
        validator.check_values(pub, index)
        validator.check_bound_angles(pub, index)


def check_payload_size(wire_pubs: list[list[Any]], limit: int = MAX_PAYLOAD_BYTES) -> int:
    """Return the encoded size of the PUBs in bytes; raise if the service would refuse it.

    The size is that of the PUBs as the transport serialises them (compact JSON, no NaN),
    counted without writing them (:func:`..codec.jsonsize.compact_json_size`), so the body is
    serialised once, by the transport.

    Raises:
        InvalidPubError: Above ``limit`` bytes, or a value JSON cannot carry (NaN, inf).
    """
    try:
        size = compact_json_size(wire_pubs)
    except ValueError as exc:
        raise InvalidPubError(f"The PUBs contain a value JSON cannot carry: {exc}.") from None
    if size > limit:
        raise InvalidPubError(
            f"The encoded PUBs take {size / 1e6:.1f} MB; the service accepts at most "
            f"{limit / 1e6:.0f} MB per job. Split them over several jobs."
        )
    return size
