"""``EstimatorV2``: Qiskit's ``BaseEstimatorV2`` over the runtime REST API."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import TYPE_CHECKING, Any

from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers.estimator_pub import EstimatorPub, EstimatorPubLike
from qiskit.primitives.containers.observables_array import ObservablesArray

from ..codec.pubs import encode_estimator_pub
from ..exceptions import InvalidInputError
from ..service.submission import resolve_mode, submit_job
from ._submit import InvalidPubError, coerce_pubs, encode_pubs
from .options import EstimatorOptions
from .validation import check_payload_size, validate_estimator_pubs

if TYPE_CHECKING:
    from ..service.job import RuntimeJob
    from ..service.submission import Mode

__all__ = ["EstimatorV2"]


def _check_precision(precision: Any, where: str) -> float:
    if isinstance(precision, bool) or not isinstance(precision, Real) or not float(precision) >= 0:
        raise InvalidPubError(
            f"{where}: precision must be a real number >= 0 (0 = exact on simulators), "
            f"got {precision!r}."
        )
    return float(precision)


# A label's ObservablesArray, coerced once: coercing "ZZ" (~10 us) is half of a small PUB's
# coercion. A str is immutable, so an entry can never be stale; nobody mutates the arrays.
_LABEL_ENTRIES = 256
_LABEL_MAX_CHARS = 1024
_label_observables: dict[str, ObservablesArray] = {}


def _label_coerced_once(pub: Any) -> Any:
    """``(circuit, "label", ...)`` with the label's ``ObservablesArray``; other PUBs as given.

    Qiskit's ``EstimatorPub.coerce`` checks nothing of such a PUB before coercing its
    observables, so coercing them here first raises the same errors in the same order.
    """
    if (type(pub) is not tuple and type(pub) is not list) or not 2 <= len(pub) <= 4:
        return pub
    label = pub[1]
    if type(label) is not str or len(label) > _LABEL_MAX_CHARS:
        return pub
    observables = _label_observables.get(label)
    if observables is None:
        observables = ObservablesArray.coerce(label)
        if len(_label_observables) >= _LABEL_ENTRIES:
            _label_observables.clear()
        _label_observables[label] = observables
    return (pub[0], observables, *pub[2:])


class EstimatorV2(BaseEstimatorV2):
    """Estimates expectation values on a backend of the runtime REST API.

    Args:
        mode: A backend from ``RuntimeService.backend()``, a ``Session`` or a ``Batch``.
        options: ``EstimatorOptions`` or a dict of them.
        validate: Check the PUBs against the backend before submitting (see
            :mod:`~qiskit_rest_provider.primitives.validation`); ``False`` sends them as they are.
        apply_layout: Map observables written for the abstract circuit through each transpiled
            circuit's ``layout`` (``observable.apply_layout(circuit.layout)``), so they can be
            passed unchanged. Observables already as wide as the circuit are left alone.

    Example:
        >>> estimator = EstimatorV2(mode=service.backend("ibmq_qasm_simulator"))
        >>> estimator.run([(circuit, "ZZ")], precision=0.01).result()[0].data.evs
    """

    def __init__(
        self,
        mode: Mode = None,
        options: EstimatorOptions | Mapping[str, Any] | None = None,
        *,
        validate: bool = True,
        apply_layout: bool = False,
    ) -> None:
        self._mode = mode
        self._validate = validate
        self._apply_layout = apply_layout
        if isinstance(options, EstimatorOptions):
            self._options = options
        else:
            self._options = EstimatorOptions(**dict(options or {}))

    @property
    def mode(self) -> Mode:
        """The backend, session or batch jobs are sent to."""
        return self._mode

    @property
    def options(self) -> EstimatorOptions:
        """The options sent with every job."""
        return self._options

    def _coerce(self, pub: Any, precision: float | None) -> EstimatorPub:
        if self._apply_layout:
            from ..codec.transpiler_layout import apply_layout_to_observables

            pub = apply_layout_to_observables(pub)
        try:
            return EstimatorPub.coerce(_label_coerced_once(pub), precision)
        except ValueError as exc:
            circuit = getattr(pub, "circuit", None) or (
                pub[0] if isinstance(pub, (tuple, list)) and pub else None
            )
            if getattr(circuit, "layout", None) is not None and "qubits" in str(exc):
                raise ValueError(
                    f"{exc} The circuit is transpiled: map the observables with "
                    "observable.apply_layout(circuit.layout), or pass apply_layout=True to "
                    "EstimatorV2."
                ) from exc
            raise

    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> RuntimeJob:
        """Submit PUBs and return the job at once.

        Args:
            pubs: ``(circuit, observables[, parameter_values[, precision]])`` items.
            precision: Target precision for PUBs that set none; ``None`` uses
                ``options.default_precision`` or the service's default (0.015625).

        Raises:
            InvalidInputError: A PUB or argument is invalid (the message names the PUB).
        """
        if precision is None:
            precision = self._options.default_precision
        if precision is not None:
            precision = _check_precision(precision, "run()")
        coerced = coerce_pubs(pubs, lambda pub: self._coerce(pub, precision), "Estimator")
        if not coerced:
            raise InvalidInputError("run() needs at least one PUB.")
        for index, pub in enumerate(coerced):
            if pub.precision is not None:
                _check_precision(pub.precision, f"PUB {index}")
            if not math.prod(pub.observables.shape):  # Shape.size, without numpy's prod
                raise InvalidPubError(f"PUB {index}: the observables array is empty.")
        if self._validate:
            validate_estimator_pubs(coerced, resolve_mode(self._mode)[0])
        wire, specs = encode_pubs(coerced, encode_estimator_pub)
        if self._validate:
            check_payload_size(wire)
        return submit_job("estimator", self._mode, wire, specs, self._options)
